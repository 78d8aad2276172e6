"""The designer's changes as one history, and a process rolled back to its previous version: the previous
diagram deployed again as a new version, in one transaction with its audit event, designers only."""

from __future__ import annotations

import pytest

from engine import Engine
from engine.design_history import record_change
from engine.errors import InvalidInput, NotFound, PermissionDenied
from tests.engine.conftest import BPMN

SCRIPT = (BPMN / "script_task.bpmn").read_text()


def renamed(version: str) -> str:
    """The same diagram with another check-step name: a new version's content."""
    return SCRIPT.replace('name="Check total"', f'name="Check total ({version})"')


@pytest.fixture
def designer(engine: Engine) -> str:
    engine.identity.ensure_user("thietke", groups=["designer"])
    return "thietke"


def deploy(engine: Engine, xml: str, actor: str) -> int:
    result = engine.repository.deploy({"script_task.bpmn": xml.encode()}, actor=actor)
    return result.definitions[0].version


def key_of(engine: Engine) -> str:
    return engine.repository.definitions()[0].key


def test_a_rollback_deploys_the_previous_diagram_as_a_new_version(engine: Engine, designer: str) -> None:
    deploy(engine, SCRIPT, designer)
    changed = renamed("v2")
    assert changed != SCRIPT
    deploy(engine, changed, designer)
    key = key_of(engine)
    result = engine.design.roll_back_process(key, designer)
    versions = engine.repository.definitions(key)
    assert [v.version for v in versions] == [3, 2, 1], "history is kept; the rollback is version 3"
    assert versions[0].content_hash == versions[2].content_hash != versions[1].content_hash
    assert engine.repository.xml(key, 3) == engine.repository.xml(key, 1)
    assert result.definitions[0].version == 3
    event = engine.design.changes()[0]
    assert (event.actor, event.action) == (designer, "deployment_rolled_back")
    assert event.before == {"version": 2} and event.after == {"version": 3, "content_of": 1}
    assert event.details["process"] == key
    assert [c.action for c in engine.design.changes()][:2] == ["deployment_rolled_back", "deployed"]


def test_only_designers_roll_back_and_nothing_changes_when_refused(engine: Engine, designer: str) -> None:
    deploy(engine, SCRIPT, designer)
    deploy(
        engine,
        renamed("2"),
        "thietke",
    )
    key, events = key_of(engine), len(engine.design.changes())
    with pytest.raises(PermissionDenied):
        engine.design.roll_back_process(key, "chi")
    assert len(engine.repository.definitions(key)) == 2 and len(engine.design.changes()) == events
    engine.design.roll_back_process(key, "admin")  # an administrator may
    assert len(engine.repository.definitions(key)) == 3


def test_a_process_with_one_version_or_none_cannot_roll_back(engine: Engine, designer: str) -> None:
    with pytest.raises(NotFound):
        engine.design.roll_back_process("nothing", designer)
    deploy(engine, SCRIPT, designer)
    with pytest.raises(InvalidInput):
        engine.design.roll_back_process(key_of(engine), designer)
    assert len(engine.repository.definitions()) == 1


def test_other_parts_record_their_changes_through_the_hook(engine: Engine, designer: str) -> None:
    with engine.db.transaction() as session:
        record_change(session, designer, "form", "appraise.schema.json", before={"version": 1}, after={"version": 2})
    change = engine.design.changes()[0]
    assert (change.action, change.actor, change.details) == (
        "design_changed",
        designer,
        {"kind": "form", "subject": "appraise.schema.json"},
    )
    assert change.before == {"version": 1} and change.after == {"version": 2}
    with pytest.raises(PermissionDenied), engine.db.transaction() as session:
        record_change(session, "chi", "form", "appraise.schema.json")
    assert len(engine.design.changes()) == 1


def test_a_deployment_records_what_each_file_changed(engine: Engine, designer: str) -> None:
    deploy(engine, renamed("1"), designer)
    deploy(engine, renamed("2"), designer)
    event = next(c for c in engine.design.changes() if c.action == "deployed")
    diff = event.details["changes"]["script_task.bpmn"]
    assert diff["added"] == diff["removed"] == []
    (changed,) = diff["changed"]
    assert changed["kind"] == "userTask" and changed["name"] == "Check total (2)"
    assert (changed["before"], changed["after"]) == ({"name": "Check total (1)"}, {"name": "Check total (2)"})


def test_a_form_file_rolls_back_as_its_next_version_designers_only(engine: Engine, designer: str) -> None:
    first, second = b'{"title": "A", "type": "object"}', b'{"title": "B", "type": "object"}'
    for content in (first, second):
        engine.repository.deploy({"note.schema.json": content}, actor=designer)
    engine.identity.ensure_user("motcua", groups=["desk"])
    with pytest.raises(PermissionDenied):
        engine.design.roll_back_file("note.schema.json", "motcua")
    with pytest.raises(NotFound):
        engine.design.roll_back_file("none.schema.json", designer)
    assert len(engine.repository.files("form", "note.schema.json")) == 2  # nothing deployed when refused
    engine.design.roll_back_file("note.schema.json", designer)
    newest = engine.repository.files("form", "note.schema.json")[0]
    assert newest.content.encode() == first and newest.deployed_by == designer
    actions = [c.action for c in engine.design.changes()][:2]
    assert actions == ["file_rolled_back", "deployed"]


def test_the_units_assignment_goes_back_designers_only(engine: Engine, designer: str) -> None:
    engine.identity.ensure_user("motcua", groups=["desk"])
    with pytest.raises(InvalidInput):
        engine.calendar.restore_previous_units(designer)
    engine.calendar.create_calendar("rieng", units=["so-gd"], user=designer)
    engine.calendar.set_units("rieng", ["so-yt"], designer)
    with pytest.raises(PermissionDenied):
        engine.calendar.restore_previous_units("motcua")
    assert engine.calendar.restore_previous_units(designer) == "rieng"
    assert {c.name: c.units for c in engine.calendar.calendars()}["rieng"] == ["so-gd"]
