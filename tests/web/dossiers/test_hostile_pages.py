"""Hostile and careless input at the desk's pages, over the shipped processes: every refusal is a 4xx page in
Vietnamese naming the field, nothing changes, never a 500 (the boundary's general cases are in
tests/web/test_hostile_input.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask

from engine import Engine
from engine.db import Database
from handlers.domain import Domain
from tests.web.dossier_world import PDF, signed_in
from tests.web.dossiers.test_pages_desk import form, only
from tests.web.test_hostile_input import counts, multipart, refused_page
from web.auth import ROLES


def test_a_desk_form_in_another_charset_is_400_naming_the_field(app: Flask, engine: Engine, database: Database) -> None:
    """ "Sở Nội vụ" as a Windows-1258 client sends it (Werkzeug made it "S\ufffd N\ufffdi v\ufffd"); the paper's
    bytes are a file, not text, and are not read as such."""
    client, token = signed_in(app, engine, "motcua", ["desk"])
    before = counts(database)
    body = multipart(
        (b'name="csrf_token"', token.encode()),
        (b'name="award_type"', b"CSTD_TINH"),
        (b'name="unit_name"', b"S\xf5\xd2 N\xf4\xf2i vu\xf2"),  # Sở Nội vụ in Windows-1258
        (b'name="paper_TO_TRINH"; filename="to-trinh.pdf"', PDF + b"\xff\xfe"),
    )
    refused_page(client.post("/desk", **body), 400, "unit_name")
    assert counts(database) == before


def test_absurd_list_queries_are_4xx_naming_the_parameter_or_a_harmless_default(
    app: Flask, engine: Engine, database: Database
) -> None:
    """A page or a status no list can serve is refused, naming it; a stale sort or page number below 1 shows the
    first page in the default order, as a hand-edited link deserves; nothing is ever a 500."""
    client, _ = signed_in(app, engine, "motcua", ["desk"])
    before = counts(database)
    for url, field in (
        (f"/desk?page={10**30}", "page"),
        (f"/desk?status={10**30}", "status"),
        ("/desk?status=99", "status"),
        ("/desk?page=100001", "page"),
        (f"/inbox?page={10**30}", "page"),
    ):
        answer = client.get(url)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422, (url, answer.status_code)
        assert "Dữ liệu chưa hợp lệ" in page and field in page.split("Mục cần sửa:")[1].split("</p>")[0], url
    for url in ("/desk?page=-1", "/desk?sort=password", "/desk?q=" + "x" * 100_000, "/inbox?page=-1&sort=nope"):
        assert client.get(url).status_code == 200, url
    assert counts(database) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("achievement_year", str(10**30)),
        ("achievement_year", "1800"),
        ("nominee_name", ["\u202eexe.FDP", "Lê Văn Bình"]),  # right-to-left override: reads otherwise than written
        ("unit_name", "Sở\x0bNội vụ"),  # a vertical tab: no DOCX letter could hold it
        ("nominee_position", ["\x1b[31mGiáo viên", "Hiệu trưởng"]),
    ],
)
def test_a_desk_form_with_an_impossible_year_or_unshowable_text_is_422_naming_it(
    app: Flask, engine: Engine, database: Database, field: str, value: object
) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    before = counts(database)
    answer = client.post("/desk", data=form(token, **{field: value}), content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and field in page, (answer.status_code, page[-800:])
    assert counts(database) == before


@pytest.mark.parametrize("filename", ["\u202efdp.exe.pdf", "to\ttrinh.pdf", "a\x1fb.pdf"])
def test_a_paper_named_to_deceive_is_422_naming_it(
    app: Flask, engine: Engine, database: Database, filename: str
) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    before = counts(database)
    data = form(token)
    data["paper_TO_TRINH"] = (io.BytesIO(PDF + b"x"), filename)
    answer = client.post("/desk", data=data, content_type="multipart/form-data")
    assert answer.status_code == 422 and "paper_TO_TRINH" in answer.get_data(as_text=True)
    assert counts(database) == before


def test_a_paper_sent_with_folders_keeps_its_base_name_and_stays_in_the_store(
    app: Flask, engine: Engine, world: Domain, tmp_path: Path
) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    data = form(token)
    data["paper_TO_TRINH"] = (io.BytesIO(PDF + b"x"), "../../etc/passwd.pdf")
    assert client.post("/desk", data=data, content_type="multipart/form-data").status_code == 302
    names = {p.code: p.filename for p in only(engine).papers}
    assert names["TO_TRINH"] == "passwd.pdf"
    assert not (tmp_path / "etc").exists() and not list(tmp_path.parent.glob("etc"))
    html = client.get(f"/desk/{only(engine).code}").get_data(as_text=True)
    links = [part.split('"')[0] for part in html.split('href="')[1:] if "/papers/" in part]
    dispositions = {client.get(link).headers["Content-Disposition"] for link in links}
    assert "inline; filename=passwd.pdf" in dispositions and not any(".." in d for d in dispositions)


@pytest.mark.parametrize("year", [str(10**30), "-1", "99999"])
def test_a_calendar_year_past_any_date_is_422_naming_it(
    app: Flask, engine: Engine, database: Database, year: str
) -> None:
    client, token = signed_in(app, engine, "lich", list(ROLES))
    before = counts(database)
    page = client.get(f"/admin/calendar?year={year}")
    assert page.status_code == 422 and "year" in page.get_data(as_text=True).split("Mục cần sửa:")[1]
    added = client.post("/admin/calendar/add/holiday", data={"csrf_token": token, "year": year, "day": "x"})
    assert added.status_code == 422 and "year" in added.get_data(as_text=True).split("Mục cần sửa:")[1]
    assert counts(database) == before


@pytest.mark.parametrize("instance", [str(10**30), "0000000000009999999999999", "-5", "٣"])
def test_migrating_an_instance_id_past_the_column_is_422_and_moves_nothing(
    app: Flask, engine: Engine, database: Database, instance: str
) -> None:
    client, token = signed_in(app, engine, "thiet-ke", list(ROLES))
    before = counts(database)
    answer = client.post("/designer/appraisal/versions/1/migrate", data={"csrf_token": token, "instance": instance})
    assert answer.status_code == 422, answer.status_code
    assert counts(database) == before
