"""`awardflow cluster load|list|show` against a real database: the shipped province's clusters and blocs, a
year's members with the 2025 reorganisation's dates, JSON for scripts and a Vietnamese table for people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.db import Database
from handlers import cluster_data
from web.cli import main


@pytest.fixture
def cli(database: Database, vclock: object, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("AWARDFLOW_DATABASE_URL", database.url)
    return CliRunner()


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args))


def test_load_then_list_and_show(cli: CliRunner) -> None:
    assert run(cli, "cluster", "list").stdout.strip() == "[]"  # nothing loaded yet
    loaded = run(cli, "cluster", "load")
    assert loaded.exit_code == 0 and loaded.stdout.startswith("added: ")
    assert run(cli, "cluster", "load").stdout.strip() == "added: 0"  # idempotent

    listed = json.loads(run(cli, "cluster", "list").stdout)  # this year on the virtual clock: 2026
    assert [(c["code"], c["head"], len(c["members"])) for c in listed] == [
        ("cum-huyen", "ubnd-tp", 8),
        ("khoi-van-xa", "so-gd", 6),
        ("khoi-kinh-te", "so-tc", 6),
    ]  # by name
    shown = json.loads(run(cli, "cluster", "show", "khoi-kinh-te", "--year", "2025").stdout)
    merged = {m["unit"]: m["valid_to"] for m in shown["members"]}
    assert merged["so-kh"] == "2025-02-28" and merged["so-tc"] == "2025-12-31"
    assert shown["phase_name"] == "Chưa mở" and shown["standings"] == [
        s for s in shown["standings"] if s["rank"] is None
    ]

    table = run(cli, "cluster", "show", "khoi-kinh-te", "--year", "2025", "--table")
    assert "Sở Kế hoạch và Đầu tư (đã hợp nhất vào Sở Tài chính) đến 28/02/2025: chưa ký giao ước" in table.stdout


def test_an_unknown_cluster_is_a_one_line_error(cli: CliRunner) -> None:
    run(cli, "cluster", "load")
    result = run(cli, "cluster", "show", "khong-co", "--year", "2026")
    assert result.exit_code == 1 and "no cluster 'khong-co'" in result.output


def test_rules_listed_and_a_version_published_from_a_file(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "cluster", "load")
    assert [v["version"] for v in json.loads(run(cli, "cluster", "rules").stdout)] == ["CUM-2025"]
    text = (cluster_data.SHIPPED / "rules" / "2025-01-01.yaml").read_text(encoding="utf-8")
    draft = tmp_path / "2027-01-01.yaml"
    draft.write_text(text.replace('"CUM-2025"', '"CUM-2027"').replace("2025-01-01", "2027-01-01"), encoding="utf-8")
    published = run(cli, "cluster", "publish", str(draft))
    assert published.exit_code == 0 and published.stdout.strip() == "published: CUM-2027", published.output
    again = run(cli, "cluster", "publish", str(draft))
    assert again.exit_code == 1 and "đã được dùng" in again.output
    assert [v["version"] for v in json.loads(run(cli, "cluster", "rules").stdout)] == ["CUM-2027", "CUM-2025"]
