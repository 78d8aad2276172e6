"""`awardflow jobs list|run NAME` and `worker --once`: the periodic jobs from the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.engine.test_sla import vn
from tests.web.test_cli import cli, run  # noqa: F401  (the command-line fixture)
from web.cli import main


def test_jobs_are_listed_and_run_from_the_command_line(cli: CliRunner, vclock, tmp_path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("AWARDFLOW_STORAGE_DIR", str(tmp_path))
    listed = run(cli, "jobs", "list")
    assert listed.exit_code == 0, listed.output
    jobs = {j["name"]: j for j in json.loads(listed.stdout)}
    assert set(jobs) == {"digest", "weekly_overdue", "period_report", "housekeeping"}
    assert jobs["digest"]["next_run"] == vn(3, 3, 7, 30).isoformat() and jobs["digest"]["last_run"] is None
    done = run(cli, "jobs", "run", "housekeeping")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["outcome"] == "ok"
    [housekeeping] = [j for j in json.loads(run(cli, "jobs", "list").stdout) if j["name"] == "housekeeping"]
    assert housekeeping["last_run"]["outcome"] == "ok"
    missing = cli.invoke(main, ["jobs", "run", "nothing"])
    assert missing.exit_code != 0 and "no job 'nothing'" in missing.output


def test_worker_once_does_the_runs_owed_now(cli: CliRunner, vclock, tmp_path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("AWARDFLOW_STORAGE_DIR", str(tmp_path))
    first = json.loads(run(cli, "worker", "--once").stdout)
    assert first == {"fired": 0, "jobs": []}, "a new job owes nothing for the time before it existed"
    vclock.set(vn(3, 3, 7, 31))
    assert json.loads(run(cli, "worker", "--once").stdout)["jobs"] == ["digest", "housekeeping"]
