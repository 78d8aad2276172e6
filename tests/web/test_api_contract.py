"""The API does what /api/openapi.json says: schemathesis generates valid and invalid requests for every
operation from the document and checks each answer against it (no 5xx, only documented statuses, bodies
matching their schemas, invalid input refused, 405 with Allow).

Bounded so it can run in every build: 20 examples per operation, derandomized (the same examples on every run),
in process over WSGI, as the administrator on one prepared database with a deployed process and a running
instance. Fix the server, not the check, when it finds something.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from engine import Engine, Settings, clock
from engine.db import Base, Database
from tests.conftest import database_url
from tests.web.conftest import PEOPLE, Api
from web.app import create_app
from web.auth import issue_token

pytestmark = pytest.mark.contract

#: Examples per operation and generation mode (valid and invalid requests).
EXAMPLES = 20
#: Operations where a request the document calls valid may still be refused with 422, and why: the refusal
#: follows a rule about the content that no OpenAPI schema can state. Only the check "schema-valid data is
#: accepted" (positive_data_acceptance) is skipped for them; every other check still runs.
SEMANTIC_REFUSALS = {
    "POST /api/definitions": "a bundle must validate: an executable BPMN process, or forms and DMN alone",
    "POST /api/definitions/validate": "file names must be distinct within a bundle",
    "POST /api/calendar/swaps": "a swap's day off must be a working day and its day worked a weekend day",
    "POST /api/dossiers": "the award type, papers and nominees must match the rule set in force",
    "POST /api/clusters/rules": "a scoring rule document must hold a valid grid, weights, vote and deadlines",
    "POST /api/dossiers/{code}/papers": "the paper's kind and file type must be those the rule set accepts",
    "GET /api/reports/on-time": "end must not be before start and the range at most ten years long",
    "GET /api/reports/late": "end must not be before start and the range at most ten years long",
    "POST /api/designer/timer-preview": "the expression must evaluate, in the sandbox, to an ISO 8601 text",
    "POST /api/instances/{instance_id}/migrate": "a mapping must name elements of the instance's version and of "
    "the new one",
    **dict.fromkeys(
        (
            "POST /api/clusters/{code}/{year}/self-score",
            "POST /api/clusters/{code}/{year}/cross-grades",
            "POST /api/clusters/{code}/{year}/reconcile",
            "POST /api/instances",
            "POST /api/instances/{instance_id}/retry",
            "POST /api/tasks/{task_id}/complete",
            "POST /api/tasks/{task_id}/resolve",
            "POST /api/messages",
            "POST /api/signals",
        ),
        "free-form data refuses NUL in its keys too, which OpenAPI 3.0 cannot declare (propertyNames is 3.1)",
    ),
}


@pytest.fixture(scope="module")
def contract_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app on one database for every operation: the administrator, the role users, a deployed process
    and an instance of it (so ids and keys the examples reuse can exist)."""
    previous = clock.install(clock.VirtualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)))
    db = Database(database_url(Path(tmp_path_factory.mktemp("contract"))))
    Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)
    engine = Engine(Settings(database_url=db.url, script_time_limit_s=0.5), database=db)
    engine.ensure_admin()
    for name, (groups, unit) in PEOPLE.items():
        engine.identity.ensure_user(name, groups=groups, unit=unit)
    app = create_app({"TESTING": True, "SECRET_KEY": "contract-test-secret"}, engine=engine)
    api = Api(app)
    assert api.deploy("user_task.bpmn", "review.schema.json").status_code == 201
    assert api.post("/api/instances", "admin", json={"key": "user_task", "business_key": "HS-1"}).status_code == 201
    yield app
    Base.metadata.drop_all(db.engine)
    db.dispose()
    clock.install(previous)


def failures_of(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> str | None:
    """Run one operation's examples of one mode; the first failure found, as text (no shrinking: bounded)."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    excluded = [positive_data_acceptance] if operation.label in SEMANTIC_REFUSALS else []

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid: an operation without parameters or body has no negatives
        return None
    except (Exception, BaseExceptionGroup) as failure:  # a FailureGroup of the checks that failed, or an error
        return f"{mode.value} {operation.label}: {failure}"
    return None


def test_api_answers_as_documented(contract_app: Flask) -> None:
    with contract_app.test_request_context():
        token, _ = issue_token("admin")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", contract_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    found = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := failures_of(operation, mode, headers)) is not None
    ]
    assert len(operations) > 40
    assert not found, f"{len(found)} of {2 * len(operations)} runs failed:\n\n" + "\n\n".join(found)
