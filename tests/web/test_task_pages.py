"""A user task's ``page`` property: the task page of any process sends the step to the registered page named
there (instead of the generic form and the raw process data); deployment refuses a name nobody registered, in
Vietnamese naming the step; the designer's catalog offers the registered pages by label."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask

from engine import Engine
from tests.web.conftest import Api
from tests.web.pages_support import signed_in, start, task_of, user_task
from web import task_pages
from web.task_pages import TaskPage

NOTES = "kiem_thu.so_ghi_chu"
REGISTER = "kiem_thu.so_theo_doi"


def with_page(page: str, key: str = "ghi_chu") -> bytes:
    """user_task.bpmn (process ``key``) whose step names ``page`` as where it is done."""
    budget = b'<spiffworkflow:property name="budget" value="0.5WD" />'
    xml = user_task(key=key).replace(budget, budget + f'<spiffworkflow:property name="page" value="{page}" />'.encode())
    assert xml.count(b'name="page"') == 1
    return xml


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two pages registered for this test only: a step's page and the overview linked beside it."""
    monkeypatch.setitem(task_pages.PAGES, REGISTER, TaskPage("Sổ theo dõi hồ sơ", lambda i: f"/so-theo-doi/{i}"))
    notes = TaskPage("Sổ ghi chú của hội đồng", lambda i: f"/so-ghi-chu/{i}", overview=REGISTER)
    monkeypatch.setitem(task_pages.PAGES, NOTES, notes)


def deployed(api: Api, page: str, key: str = "ghi_chu") -> tuple[int, dict]:
    answer = api.deploy("review.schema.json", contents={f"{key}.bpmn": with_page(page, key)})
    return answer.status_code, answer.json


def test_a_step_of_any_process_links_to_the_page_its_property_names(
    app: Flask, engine: Engine, api: Api, pages: None
) -> None:
    assert deployed(api, NOTES)[0] == 201
    instance = start(engine, "HS-GC-01", key="ghi_chu", data={"ghi_chu_noi_bo": "không hiện ở đây"})
    task = task_of(engine, instance)
    assert task.properties["page"] == NOTES, "the engine carries the name as it is"
    body = signed_in(app, engine, "an").get(f"/tasks/{task.id}").get_data(as_text=True)
    shown = html.unescape(body)
    assert f'href="/so-ghi-chu/{instance}" id="page-work-open"' in body, "the step's page, for its instance"
    assert "trên trang «Sổ ghi chú của hội đồng»" in shown, "named by its label"
    assert re.search(rf'href="/so-theo-doi/{instance}" id="page-overview">Xem trang «Sổ theo dõi hồ sơ»', shown)
    assert 'id="task-form"' not in body, "the step is done on its page, not by the generic form"
    assert "không hiện ở đây" not in shown and "ghi_chu_noi_bo" not in shown, "its data is shown on that page"


def test_the_same_step_without_the_property_keeps_the_form(app: Flask, engine: Engine, api: Api, pages: None) -> None:
    answer = api.deploy("review.schema.json", contents={"ghi_chu.bpmn": user_task(key="ghi_chu")})
    assert answer.status_code == 201, answer.json
    task = task_of(engine, start(engine, "HS-GC-02", key="ghi_chu"))
    body = signed_in(app, engine, "an").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="task-form"' in body and 'id="page-work-open"' not in body


def test_an_unknown_page_is_refused_at_deploy_in_vietnamese_naming_the_step(engine: Engine, api: Api) -> None:
    status, body = deployed(api, "khong.co.trang")
    assert status == 422, body
    [found] = [p for p in body["problems"] if p["code"] == "property.page_unknown"]
    assert found["element_id"] == "review" and found["params"]["page"] == "khong.co.trang"
    assert found["text"] == (
        "Trang «khong.co.trang» của «Review dossier» không có trong danh sách trang thực hiện của hệ thống."
    )
    assert engine.repository.definitions("ghi_chu") == [], "nothing deployed"


def test_the_cluster_pages_pass_deployment(api: Api) -> None:
    assert deployed(api, "cluster.proposal")[0] == 201


def test_the_designer_catalog_offers_the_registered_pages_by_label(api: Api, pages: None) -> None:
    catalog = api.get("/api/designer/catalog", "designer")
    assert catalog.status_code == 200, catalog.json
    offered = {p["name"]: p["label"] for p in catalog.json["pages"]}
    assert offered[NOTES] == "Sổ ghi chú của hội đồng"
    assert offered["cluster.reconcile"] == "Thẩm định điểm chênh lệch của cụm, khối"
    assert {"cluster.year", "cluster.meeting", "cluster.proposal"} <= set(offered)
