"""Hostile and careless input at the desk's pages, over the shipped processes: every refusal is a 4xx page in
Vietnamese naming the field, nothing changes, never a 500 (the boundary's general cases are in
tests/web/test_hostile_input.py)."""

from __future__ import annotations

from flask import Flask

from engine import Engine
from engine.db import Database
from tests.web.dossier_world import PDF, signed_in
from tests.web.test_hostile_input import counts, multipart, refused_page


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
