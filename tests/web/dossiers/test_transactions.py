"""Units of work per request: every page and API call that only reads opens no write transaction, and every
action opens at most one. Counted on the database connection itself (each BEGIN), across the whole app."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event, select

from engine.db import READ_ONLY, Database
from handlers.domain import Domain
from tests.web.conftest import Api
from tests.web.dossier_world import files_of, signed_in, submission

#: route parameters the walk fills in from the world it builds
SKIPPED = ("/static/", "/vendor/", "/api/docs/static/")


@dataclass
class Count:
    """BEGINs seen on the database: writing and reading units of work."""

    writes: int = 0
    reads: int = 0


@contextmanager
def counting(db: Database) -> Iterator[Count]:
    count = Count()

    def begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            count.reads += 1
        else:
            count.writes += 1

    event.listen(db.engine, "begin", begin)
    try:
        yield count
    finally:
        event.remove(db.engine, "begin", begin)



def _received(api: Api) -> dict[str, Any]:
    made = api.post("/api/dossiers", "desk", data={"dossier": json.dumps(submission(accept=True)), "files": files_of()})
    assert made.status_code == 201, made.json
    return made.json


def _params(api: Api, dossier: dict[str, Any]) -> dict[str, str]:
    """A value for every route parameter of the app, from a received dossier."""
    task = dossier["tasks"][0] if dossier["tasks"] else {}
    return {
        "code": dossier["code"],
        "task_id": task.get("id", ""),
        "instance_id": str(dossier["instance_id"]),
        "document_id": str(dossier["documents"][0]["id"]),
        "paper_id": str(dossier["papers"][0]["id"]),
        "key": "award_dossier",
        "version": "1",
        "run_id": "1",
        "name": "bao-cao.xlsx",
        "receipt": "GY-0000000000",  # a public comment's code (none on this dossier: the read still runs)
        "kind": "receipt",  # a document template (the designer's wording of the receipt)
        "year": "2026",  # an emulation cluster's year (the code names no cluster: the read still runs)
        "unit": "ubnd-hl",
        "graded": "ubnd-vl",  # a unit cross-graded on the cluster pages
        "criterion": "I.1",
        "index": "0",
    }


def _fill(rule: str, params: dict[str, str]) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: params[m.group(1)], rule)


def test_no_request_that_only_reads_opens_a_write_transaction(app: Flask, api: Api, world: Domain) -> None:
    dossier = _received(api)
    params = _params(api, dossier)
    rules = sorted(
        r.rule for r in app.url_map.iter_rules() if "GET" in (r.methods or ()) and not r.rule.startswith(SKIPPED)
    )
    api_rules = [r for r in rules if r.startswith("/api/")]
    page_rules = [r for r in rules if not r.startswith("/api/")]
    assert len(api_rules) > 20 and len(page_rules) > 15, "the walk must cover the app"
    with counting(world.engine.db) as probe, world.engine.db.transaction() as session:
        session.execute(select(1))
    assert (probe.writes, probe.reads) == (1, 0), "the counter must see a writing unit of work"
    writers: dict[str, int] = {}
    reads = 0
    for rule in api_rules:
        url = _fill(rule, params)
        with counting(world.engine.db) as count:
            answer = api.get(url, "admin")
        assert answer.status_code < 500, (url, answer.status_code)
        reads += count.reads
        if count.writes:
            writers[url] = count.writes
    assert reads >= len(api_rules), "every API read runs in a reading unit of work"
    client, _ = signed_in(app, world.engine, "giamsat", ["supervisor", "desk", "council_secretary", "designer"])
    world.engine.identity.ensure_user("giamsat", groups=["supervisor"], unit="so-noi-vu", is_admin=True)
    for rule in [*page_rules, "/tra-cuu?code=" + dossier["code"].lower()]:
        url = _fill(rule, params)
        with counting(world.engine.db) as count:
            answer = client.get(url)
        assert answer.status_code < 500, (url, answer.status_code)
        if count.writes:
            writers[url] = count.writes
    assert writers == {}, f"reads that opened write transactions: {writers}"


def test_each_action_is_one_write_transaction(api: Api, world: Domain) -> None:
    db = world.engine.db
    with counting(db) as count:
        dossier = _received(api)  # code, start, register, clock, claim, completion, receipt
    assert count.writes == 1, count
    code = dossier["code"]
    admin = world.engine.identity.actor("admin")
    task = world.dossiers.open_tasks(world.dossiers.dossier(admin, code))[0]
    with counting(db) as count:
        assert api.post(f"/api/tasks/{task.id}/claim", "division_head").status_code == 200
    assert count.writes == 1, count
    with counting(db) as count:
        answer = api.post(f"/api/dossiers/{code}/withdraw", "desk", json={"reason": "Đơn vị xin rút hồ sơ"})
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == 7
    assert count.writes == 1, count
