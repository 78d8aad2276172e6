"""Form schemas are input too: references outside the form, references to nothing and patterns that can
backtrack catastrophically are refused at deploy, naming the form and the path; completion fetches nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import update

from engine import Engine
from engine.bpmn.forms import pattern_problem
from engine.errors import DeploymentInvalid, InvalidState
from engine.models import Resource
from tests.engine.conftest import BPMN, files, ready

FORM = "review.schema.json"


def review_form(**changes: Any) -> bytes:
    """The fixture form with ``changes`` merged into its ``decision`` / ``comment`` properties."""
    schema = json.loads((BPMN / FORM).read_text())
    for name, extra in changes.items():
        schema["properties"][name].update(extra)
    return json.dumps(schema).encode()


class _Counting(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        type(self).hits += 1
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    """A loopback HTTP server that counts the requests it gets; its base URL."""
    _Counting.hits = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.mark.parametrize(
    ("change", "pointer", "reason"),
    [
        ({"comment": {"$ref": "http://127.0.0.1:8799/x.json"}}, "$.properties.comment.$ref", "leaves the form"),
        ({"comment": {"$ref": "other.schema.json#/x"}}, "$.properties.comment.$ref", "leaves the form"),
        ({"comment": {"$ref": "#/$defs/missing"}}, "$.properties.comment.$ref", "points at nothing"),
        ({"comment": {"pattern": "^(a+)+$"}}, "$.properties.comment.pattern", "backtrack catastrophically"),
        ({"comment": {"pattern": "^(\\w+\\s?)*$"}}, "$.properties.comment.pattern", "backtrack catastrophically"),
        ({"comment": {"pattern": "^(\\w|\\d)+$"}}, "$.properties.comment.pattern", "match the same text"),
        ({"comment": {"pattern": "(unclosed"}}, "$.properties.comment.pattern", "regex"),
    ],
)
def test_hostile_forms_are_refused_at_deploy(engine: Engine, change: dict, pointer: str, reason: str) -> None:
    bundle = {**files("user_task.bpmn"), FORM: review_form(**change)}
    with pytest.raises(DeploymentInvalid) as caught:
        engine.repository.deploy(bundle, actor="admin")
    [problem] = [p for p in caught.value.problems if p.severity == "error"]
    assert (problem.file, problem.element_id) == (FORM, pointer) and reason in problem.message


#: Patterns that backtrack exponentially on a near match in a backtracking engine: an unbounded repeat inside
#: another, or a repeated alternation whose alternatives can begin with the same character (a literal, a class,
#: a category, the dot, or an alternative that can match nothing and so begins with whatever follows).
BACKTRACKING = [
    "(a+)+",
    "^(\\w+\\s?)*$",
    "(a|a)*",
    "(a|ab)*c",
    "(\\w|\\d)+$",
    "(.|\\s)*",
    "(?:\\d|[0-9])+",
    "^([A-Z]|Đ|[À-Ỹ])+$",
    "(x?|y)*z",
    "((a|a)b)*c",
    "(?:ab|a[b-c])*$",
    "(?i)(a|A)+b",
    "^(a|a){1,50}$",
]
#: Common patterns of our forms (and of the regular ones people paste) that must keep deploying.
SAFE = [
    "^(\\+84|0)\\d{9}$",
    "^\\d{4}/QĐ-[A-Z]+$",
    "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$",
    "(19|20)\\d{2}",
    "^(Nam|Nữ)$",
    "^(a|b)*$",
    "^(?:[a-z]|\\d)+$",
    "(.|\\n)*",
    "^(a|a){2,5}$",
    "^[0-9]{3}(-[0-9]+)?$",
    "^(?:[^|]|\\|)*$",
    "[]|]+",
    "(?#a|a)x+",
]


@pytest.mark.parametrize("pattern", BACKTRACKING)
def test_patterns_that_backtrack_are_refused(pattern: str) -> None:
    message = pattern_problem(pattern)
    assert message is not None and "backtrack catastrophically" in message


@pytest.mark.parametrize("pattern", SAFE)
def test_common_safe_patterns_are_accepted(pattern: str) -> None:
    assert pattern_problem(pattern) is None


def test_references_inside_the_form_and_safe_patterns_deploy(engine: Engine) -> None:
    schema = json.loads(review_form(comment={"pattern": "^[0-9]{3}(-[0-9]+)?$"}))
    schema["$defs"] = {"text": {"type": "string", "maxLength": 500}}
    schema["properties"]["comment"] = {"$ref": "#/$defs/text", "pattern": "^\\d+(\\.\\d+)?$"}
    schema["properties"]["decision"]["$ref"] = f"{FORM}#/$defs/text"  # its own $id
    engine.repository.deploy({**files("user_task.bpmn"), FORM: json.dumps(schema).encode()}, actor="admin")


def test_completion_never_fetches_a_remote_reference(engine: Engine, server: str) -> None:
    engine.repository.deploy(files("user_task.bpmn", FORM), actor="admin")
    with engine.db.transaction() as session:  # a form stored before references were checked
        remote = review_form(comment={"$ref": f"{server}/x.json"}).decode()
        session.execute(update(Resource).where(Resource.name == FORM).values(content=remote))
    inst = engine.runtime.start("user_task", actor="admin")
    [task] = ready(engine, inst.id)
    with pytest.raises(InvalidState, match="cannot be checked"):
        engine.tasks.complete(task.id, "admin", {"decision": "approve", "comment": "ok"})
    assert _Counting.hits == 0
    assert [t.id for t in ready(engine, inst.id)] == [task.id]
