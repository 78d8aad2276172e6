"""The OpenAPI document and a Swagger UI that loads with no internet (no CDN, no validator badge)."""

from __future__ import annotations

import re

from flask import Flask

from .conftest import Api

DOC_ROUTES = ("/api/openapi.json", "/api/docs", "/api/docs/static/<path:filename>")


def test_openapi_document_describes_every_endpoint(api: Api, app: Flask) -> None:
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] == "awardflow"
    assert set(spec["components"]["securitySchemes"]) == {"bearer", "session"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api") or rule.rule in DOC_ROUTES:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in spec["paths"], path
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path][method.lower()]
            assert operation["responses"], (method, path)
    start = spec["paths"]["/api/instances"]["post"]
    assert "requestBody" in start and "201" in start["responses"]
    assert "Error" in spec["components"]["schemas"]


def test_swagger_ui_is_served_locally(api: Api) -> None:
    page = api.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/api/openapi.json" in html
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE), "external host in the page"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3 and all(a.startswith("/api/docs/static/") for a in assets)
    for asset in assets:
        response = api.get(asset)
        assert response.status_code == 200 and len(response.get_data()) > 1000, asset
        response.close()
    assert '"validatorUrl": null' in html
    assert api.get("/api/docs/static/../../app.py").status_code == 404
