"""The clusters API over HTTP (Flask test client, real database and procedure): the head and the members of an
emulation cluster act through it, listed in the OpenAPI document; refusals are 4xx naming the field, with
nothing changed, never 500."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest

from engine import clock
from handlers import cluster_data
from handlers.catalogue import read_yaml
from handlers.domain import Domain
from tests.web.conftest import Api
from tests.web.dossier_world import PDF
from tests.web.dossiers.test_transactions import counting

BASE = "/api/clusters/cum-huyen/2026"
HEAD, MEMBER, STRANGER = "truongcum", "cb-hl", "cb-gd"
GRID = {"I.1": 28, "I.2": 14, "I.3": 9, "II.1": 9, "II.2": 9, "III.1": 13, "III.2": 8}


@pytest.fixture
def people(world: Domain) -> Domain:
    world.engine.identity.ensure_user(HEAD, groups=["cluster_head", "cluster_member"], unit="ubnd-tp")
    world.engine.identity.ensure_user(MEMBER, groups=["cluster_member"], unit="ubnd-hl")
    world.engine.identity.ensure_user(STRANGER, groups=["cluster_member"], unit="so-gd")
    world.clusters.load_shipped()
    return world


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_the_head_and_a_member_work_the_pledge_and_the_scores(
    api: Api, people: Domain, vclock: clock.VirtualClock
) -> None:
    listed = ok(api.get("/api/clusters?year=2026", MEMBER))
    assert {c["code"] for c in listed} == {"cum-huyen", "khoi-kinh-te", "khoi-van-xa"}
    area = next(c for c in listed if c["code"] == "cum-huyen")
    assert (area["head"], len(area["members"]), area["phase"]) == ("ubnd-tp", 8, "planned")

    assert ok(api.get("/api/clusters/mine?year=2026", MEMBER))["code"] == "cum-huyen"
    assert ok(api.get("/api/clusters/mine?year=2026", STRANGER))["code"] == "khoi-van-xa"
    assert api.get("/api/clusters/mine?year=2026", "desk").status_code == 404  # the desk's unit is in none
    assert api.post(f"{BASE}/open", MEMBER).status_code == 403  # only the year's head
    opened = ok(api.post(f"{BASE}/open", HEAD), 201)
    assert opened["open_steps"] == ["circulate_pledge"] and opened["rules_version"] == "CUM-2025"
    ok(api.post(f"{BASE}/circulate", HEAD, json={"note": "Giao ước 2026"}))
    assert api.post(f"{BASE}/pledge", STRANGER).status_code == 403  # a unit of another bloc
    with counting(people.engine.db) as count:
        ok(api.post(f"{BASE}/pledge", MEMBER))
    assert count.writes == 1, count  # the signature and its audit event: one unit of work
    assert api.post(f"{BASE}/pledge", MEMBER).status_code == 409  # once

    refused = api.post(f"{BASE}/close", HEAD, json={"round": "pledges"})
    assert refused.status_code == 422 and "pledges" in refused.get_json()["fields"]
    assert "UBND huyện Tân Minh" in " ".join(refused.get_json()["fields"]["pledges"])
    assert ok(api.get(BASE, HEAD))["phase"] == "pledge"  # nothing changed
    pledging = next(p for p in ok(api.get("/api/clusters/progress?year=2026", HEAD)) if p["code"] == "cum-huyen")
    assert pledging["due"] and 14 < pledging["working_days_left"] <= 15  # the close step's budget: 15 working days
    assert len(pledging["missing"]) == 7
    for unit in ("ubnd-tp", "ubnd-tm", "ubnd-pd", "ubnd-bs", "ubnd-dh", "ubnd-tx", "ubnd-vl"):
        people.engine.identity.ensure_user(f"cb-{unit}", groups=["cluster_member"], unit=unit)
        ok(api.post(f"{BASE}/pledge", f"cb-{unit}"))
    assert ok(api.post(f"{BASE}/close", HEAD, json={"round": "pledges"}))["phase"] == "waiting"

    early = api.post(f"{BASE}/self-score", MEMBER, json={"scores": GRID})
    assert early.status_code == 409  # scoring opens on 01/11
    vclock.set(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))  # Monday 02/11, 08:00 in Hà Nội
    people.engine.timers.fire_due()
    assert ok(api.get(BASE, MEMBER))["phase"] == "self_score"

    upload = {"file": (io.BytesIO(PDF + b"evidence"), "minh-chung.pdf")}
    evidence = ok(api.post(f"{BASE}/evidence", MEMBER, data=upload, content_type="multipart/form-data"), 201)
    files = {code: [evidence] for code in ("I.1", "I.2", "II.2")}
    too_much = api.post(f"{BASE}/self-score", MEMBER, json={"scores": {**GRID, "I.1": 31}, "evidence": files})
    assert too_much.status_code == 422 and "scores.I.1" in too_much.get_json()["fields"]
    assert ok(api.get(f"{BASE}/sheets", MEMBER)) == []  # nothing kept
    for bad in ("mười", "NaN", "Infinity", "1e400", {"a": 1}, [3], True, None):
        hostile = api.post(f"{BASE}/self-score", MEMBER, json={"scores": {**GRID, "I.2": bad}, "evidence": files})
        named = hostile.get_json()["fields"]
        assert hostile.status_code == 422 and [f for f in named if f.startswith("scores.I.2")], (bad, named)
    forged = {**files, "I.1": [{"key": "../../etc/passwd"}]}
    refused = api.post(f"{BASE}/self-score", MEMBER, json={"scores": GRID, "evidence": forged})
    assert refused.status_code == 422 and "evidence.I.1[0]" in refused.get_json()["fields"]
    with counting(people.engine.db) as count:
        rows = ok(api.post(f"{BASE}/self-score", MEMBER, json={"scores": GRID, "evidence": files}))
    assert count.writes == 1, count
    mine = next(r for r in rows if r["unit"] == "ubnd-hl")
    assert (mine["self_total"], mine["total"]) == ("90.00", "90.00")
    sheets = ok(api.get(f"{BASE}/sheets?graded=ubnd-hl", HEAD))
    assert [(s["kind"], s["scores"]["I.1"]) for s in sheets] == [("self", "28")]

    download = api.get(f"{BASE}/evidence/ubnd-hl/I.2/0", HEAD)  # a member reads what it grades
    assert download.status_code == 200 and download.data == PDF + b"evidence"
    assert "attachment" in download.headers["Content-Disposition"]
    assert api.get(f"{BASE}/evidence/ubnd-hl/I.2/0", STRANGER).status_code == 404  # not of this cluster
    assert api.get(f"{BASE}/evidence/ubnd-hl/I.2/5", HEAD).status_code == 404

    rules = ok(api.get(f"{BASE}/rules", MEMBER))
    assert [c["code"] for c in rules["criteria"] if c["evidence"]] == ["I.1", "I.2", "II.2"]
    progress = ok(api.get("/api/clusters/progress?year=2026", HEAD))
    area_progress = next(p for p in progress if p["code"] == "cum-huyen")
    assert area_progress["phase"] == "self_score" and "UBND huyện Hòa Lạc" not in area_progress["missing"]
    assert len(area_progress["missing"]) == 7 and area_progress["working_days_left"] > 0


def test_unknown_clusters_and_bad_queries_are_4xx(api: Api, people: Domain) -> None:
    assert api.get("/api/clusters/khong-co/2026", HEAD).status_code == 404
    assert api.get("/api/clusters/cum-huyen/1990", HEAD).status_code == 404
    assert api.get("/api/clusters?year=abc", HEAD).status_code == 400
    assert api.post(f"{BASE}/close", HEAD, json={"round": "everything"}).status_code == 422
    assert api.post(f"{BASE}/meeting", HEAD, json={"present": "all"}).status_code == 422


def test_the_openapi_document_lists_the_clusters_api(api: Api, people: Domain) -> None:
    paths = ok(api.get("/api/openapi.json"))["paths"]
    for path in ("/api/clusters", "/api/clusters/{code}/{year}/self-score", "/api/clusters/{code}/{year}/proposal"):
        assert path in paths


def _rules_document() -> dict[str, Any]:
    path = cluster_data.SHIPPED / "rules" / "2025-01-01.yaml"
    return read_yaml(path.read_text(encoding="utf-8"), path.name)


def test_a_designer_publishes_a_new_rule_version(api: Api, people: Domain) -> None:
    listed = ok(api.get("/api/clusters/rules", MEMBER))
    assert [(v["version"], v["published_by"]) for v in listed] == [("CUM-2025", None)]
    draft = {**_rules_document(), "version": "CUM-2027", "effective_from": "2027-01-01", "tolerance": 4}

    assert api.post("/api/clusters/rules", HEAD, json={"rules": draft}).status_code == 403  # not a designer
    broken = api.post("/api/clusters/rules", "designer", json={"rules": {**draft, "cross_grading": "moi_nguoi"}})
    assert broken.status_code == 422 and "cross_grading" in broken.get_json()["fields"]
    past = api.post("/api/clusters/rules", "designer", json={"rules": {**draft, "effective_from": "2026-01-01"}})
    assert past.status_code == 422 and "effective_from" in past.get_json()["fields"]
    reused = api.post("/api/clusters/rules", "designer", json={"rules": {**draft, "version": "CUM-2025"}})
    assert reused.status_code == 422 and "version" in reused.get_json()["fields"]
    assert len(ok(api.get("/api/clusters/rules", MEMBER))) == 1  # nothing stored

    assert ok(api.post("/api/clusters/rules", "designer", json={"rules": draft}), 201) == {"version": "CUM-2027"}
    listed = ok(api.get("/api/clusters/rules", MEMBER))
    assert [(v["version"], v["published_by"]) for v in listed] == [("CUM-2027", "designer"), ("CUM-2025", None)]
    assert ok(api.get(f"{BASE}/rules", MEMBER))["tolerance"] == "5"  # 2026 still runs under CUM-2025
