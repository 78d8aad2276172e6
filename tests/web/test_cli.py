"""The `awardflow` command as a script would use it: JSON out, one-line errors, admin by default."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine import Engine, Settings
from engine.db import Database
from web.cli import main

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"


@pytest.fixture
def cli(database: Database, vclock: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("AWARDFLOW_DATABASE_URL", database.url)
    engine = Engine(Settings(database_url=database.url), database=database)
    engine.identity.ensure_user("an", groups=["appraiser"])
    engine.identity.ensure_user("chi", groups=["desk"])
    yield CliRunner()


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_deploy_start_tasks_complete_instances(cli: CliRunner) -> None:
    deployed = run(cli, "deploy", str(BPMN / "user_task.bpmn"), str(BPMN / "review.schema.json"))
    assert deployed.exit_code == 0, deployed.output
    assert json.loads(deployed.stdout)["deployed"][0]["key"] == "user_task"
    started = run(cli, "start", "user_task", "--business-key", "HS-1", "--data", '{"nominee": "Lê Văn A"}')
    assert started.exit_code == 0 and json.loads(started.stdout)["business_key"] == "HS-1"
    tasks = json.loads(run(cli, "tasks", "--user", "an").stdout)
    assert [t["element_id"] for t in tasks] == ["review"] and tasks[0]["id"]
    assert json.loads(run(cli, "tasks", "--user", "chi").stdout) == []
    done = run(cli, "complete", tasks[0]["id"], "--user", "an", "--data", '{"decision": "approve"}')
    assert done.exit_code == 0, done.output
    instances = json.loads(run(cli, "instances").stdout)
    assert [(i["business_key"], i["state"]) for i in instances] == [("HS-1", "completed")]
    assert instances[0]["id"]


def test_without_user_the_administrator_acts_and_is_audited(cli: CliRunner, database: Database) -> None:
    run(cli, "deploy", str(BPMN / "manual_task.bpmn"))
    instance = json.loads(run(cli, "start", "manual_task", "--user", "chi").stdout)
    [task] = json.loads(run(cli, "tasks").stdout)
    assert run(cli, "complete", task["id"]).exit_code == 0
    engine = Engine(Settings(database_url=database.url), database=database)
    trail = engine.history.for_instance(instance["id"])
    assert [(e.action, e.actor) for e in trail][:2] == [("instance_started", "chi"), ("task_completed", "admin")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["start", "nope"], "no deployed process 'nope'"),
        (["start", "nope", "--data", "{bad"], "not valid JSON"),
        (["complete", "no-such-task", "--data", "{}"], "no task no-such-task"),
        (["deploy", str(BPMN / "not_executable.bpmn")], "cannot be deployed"),
    ],
)
def test_errors_exit_non_zero_with_one_line(cli: CliRunner, args: list[str], message: str) -> None:
    result = cli.invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_worker_once_fires_due_timers(cli: CliRunner, vclock) -> None:
    run(cli, "deploy", str(BPMN / "timer_catch.bpmn"))
    run(cli, "start", "timer_catch")
    vclock.advance(hours=1)
    assert json.loads(run(cli, "worker", "--once").stdout) == {"fired": 1, "jobs": []}


def test_slip_and_reschedule_from_the_command_line(cli: CliRunner, vclock) -> None:
    run(cli, "deploy", str(BPMN.parent / "sla" / "sla_dossier.bpmn"))
    started = json.loads(
        run(
            cli, "start", "sla_dossier", "--business-key", "HS-S", "--data", '{"limit": "20WD", "policy": "resume"}'
        ).stdout
    )
    moved = run(cli, "reschedule", str(started["id"]), "--new-due", "2026-04-06T17:30", "--reason", "chờ hiệp y")
    assert moved.exit_code == 0 and "2026-04-06T17:30:00+07:00" in moved.stdout
    again = cli.invoke(main, ["reschedule", str(started["id"]), "--new-due", "2026-04-10T17:30", "--reason", "x"])
    assert again.exit_code != 0 and "already moved once" in again.output
    slip = json.loads(run(cli, "slip", str(started["id"])).stdout)
    assert slip["dossier"]["due_at"] == "2026-04-06T17:30:00+07:00"
    assert slip["dossier"]["original_due_at"] == "2026-03-30T17:30:00+07:00"
    assert [(s["element_id"], s["budget"], s["due_at"]) for s in slip["steps"]] == [
        ("check_papers", "0.5WD", "2026-03-02T14:00:00+07:00")
    ]
    table = run(cli, "slip", str(started["id"]), "--table").stdout
    assert "Hẹn trả: 17:30 06/04/2026" in table and "B1 Tiếp nhận" in table


def test_migrate_maps_a_renamed_activity(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "deploy", str(BPMN / "user_task.bpmn"), str(BPMN / "review.schema.json"))
    instance = json.loads(run(cli, "start", "user_task").stdout)
    renamed = tmp_path / "user_task.bpmn"
    renamed.write_bytes((BPMN / "user_task.bpmn").read_bytes().replace(b'"review"', b'"appraise"'))
    assert run(cli, "deploy", str(renamed), str(BPMN / "review.schema.json")).exit_code == 0
    refused = cli.invoke(main, ["migrate", str(instance["id"])])
    assert refused.exit_code != 0 and "review (Review dossier) do not exist there" in refused.output
    bad = cli.invoke(main, ["migrate", str(instance["id"]), "--map", "review"])
    assert bad.exit_code != 0 and "--map" in bad.output and "is not OLD=NEW" in bad.output
    unknown = cli.invoke(main, ["migrate", str(instance["id"]), "--map", "nope=appraise"])
    assert unknown.exit_code != 0 and "mapping.nope" in unknown.output
    moved = run(cli, "migrate", str(instance["id"]), "--map", "review=appraise", "--to-version", "2")
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout)["definition_version"] == 2
    assert [t["element_id"] for t in json.loads(run(cli, "tasks").stdout)] == ["appraise"]
