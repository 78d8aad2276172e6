"""Signing in to the pages: CSRF on the form, wrong password, language switch, the vendor files."""

from __future__ import annotations

import re

from flask import Flask

from tests.web.conftest import PASSWORD


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def test_sign_in_and_out(app: Flask, engine) -> None:
    engine.identity.ensure_user(
        "an", display_name="Trần Thị An", groups=["appraiser"], unit="so-noi-vu", password=PASSWORD
    )
    client = app.test_client()
    assert client.get("/").headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and 'lang="vi"' in page
    refused = client.post("/login", data={"username": "an", "password": PASSWORD})
    assert refused.status_code == 400, "a form without its CSRF token is refused"
    wrong = client.post("/login", data={"username": "an", "password": "sai", "csrf_token": csrf(page)})
    assert wrong.status_code == 401 and "Sai tên đăng nhập" in wrong.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    ok = client.post("/login", data={"username": "an", "password": PASSWORD, "csrf_token": csrf(page)})
    assert ok.status_code == 302
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Trần Thị An · " in home and "an · so-noi-vu" not in home, "the person's full name, the unit's name"
    client.post("/logout", data={"csrf_token": csrf(home)})
    assert client.get("/").headers["Location"].endswith("/login")


def test_english_is_one_click_away(app: Flask) -> None:
    client = app.test_client()
    assert "Sign in" in client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in client.get("/login").get_data(as_text=True), "the choice is remembered"


def test_vendor_files_come_from_installed_packages(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/vendor/nothing/x.js").status_code == 404
    assert client.get("/vendor/bpmn-js/../../../../pyproject.toml").status_code == 404
