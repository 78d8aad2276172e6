"""Atomicity: a fault late inside each composite action leaves nothing of it behind.

Each action (receive and accept at the counter; reschedule with its apology; record a council sitting; sign
and number a decision) is one unit of work. A real failure is injected near its end: a listener on an engine
event that raises after the action did its work (the tripwire first checks that work is in the session, so
the fault provably came late), or the file store failing to write the apology. The exception must reach the
caller, every table must be exactly as before (rows, counters, instance versions), and the action done again
must get the same code or number: no gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import Base
from engine.events import ClockChanged, TaskReady
from engine.models import ProcessInstance
from handlers.models import CouncilSession, Decision, Document, Dossier
from handlers.storage import LocalStore, Stored
from tests.scenarios.conftest import World, drive, individual, titles, unanimous, vn

#: table → its rows, ordered by primary key
Snapshot = dict[str, list[tuple[Any, ...]]]


class Fault(Exception):
    """The injected failure: nothing in the code under test raises it."""


class FaultyStore(LocalStore):
    """The file store, failing its next ``put`` once armed (a disk full or an object store down)."""

    armed = False
    fired = False

    def put(self, data: bytes, suffix: str = "") -> Stored:
        if self.armed:
            self.armed, self.fired = False, True
            raise Fault("the file store is down")
        return super().put(data, suffix)


@pytest.fixture
def store(tmp_path: Path) -> FaultyStore:
    """The world's domain writes its letters to a store that can be made to fail."""
    return FaultyStore(tmp_path / "files")


def snapshot(session: Session) -> Snapshot:
    """Every row of every table: stronger than counts (a counter bumped or a version raised shows too)."""
    return {
        table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
        for table in Base.metadata.sorted_tables
    }


def changed(before: Snapshot, after: Snapshot) -> set[str]:
    return {name for name, rows in before.items() if after[name] != rows}


def committed(world: World) -> Snapshot:
    with world.engine.db.reading() as session:
        return snapshot(session)


@dataclass
class Tripwire:
    """A listener that fails the action once ``when`` matches, noting what the action had written by then."""

    before: Snapshot
    when: Callable[[Any], bool]
    capture: Callable[[Session], Any] = lambda _session: None
    armed: bool = True
    written: set[str] = field(default_factory=set)
    captured: Any = None

    def __call__(self, event: Any) -> None:
        if not self.armed or not self.when(event):
            return
        self.armed = False
        event.session.flush()
        self.written = changed(self.before, snapshot(event.session))
        self.captured = self.capture(event.session)
        raise Fault("injected late in the action")


def trip(world: World, kind: type[Any], when: Callable[[Any], bool], capture: Callable[[Session], Any]) -> Tripwire:
    """Arm a tripwire on ``kind`` events, with the committed state as it is before the action."""
    wire = Tripwire(committed(world), when, capture)
    world.engine.listeners.subscribe(kind, wire)
    return wire


def task_ready(element_id: str) -> Callable[[Any], bool]:
    return lambda event: isinstance(event, TaskReady) and event.row.element_id == element_id


def assert_nothing_left(world: World, wire: Tripwire, action: Callable[[], Any], wrote: set[str]) -> None:
    """The fault fires late (the action had written ``wrote`` already), reaches the caller, and the whole
    action is gone from the database."""
    with pytest.raises(Fault):
        action()
    assert not wire.armed, "the fault never fired"
    assert wrote <= wire.written, f"the fault came too early: only {sorted(wire.written)} written"
    assert changed(wire.before, committed(world)) == set()


def version(world: World, code: str) -> int:
    with world.engine.db.reading() as session:
        row = session.scalars(select(ProcessInstance).where(ProcessInstance.business_key == code)).one()
        return row.version


def star() -> dict[str, Any]:
    return individual(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def newest_code(session: Session) -> str | None:
    return session.scalars(select(Dossier.code).order_by(Dossier.id.desc())).first()


def test_receiving_and_accepting_at_the_counter_is_whole_or_nothing(world: World) -> None:
    first = world.submit("CSTD_TINH", [star()])
    assert first == "HS-2026-000001"
    rules = world.dossiers.catalogue()
    submission = {
        "award_type": "CSTD_TINH",
        "unit": "so-gd",
        "unit_name": "Sở Giáo dục và Đào tạo",
        "title": "Đề nghị khen thưởng",
        "achievement_year": 2025,
        "nominees": [star()],
        "papers": world.papers(*rules.award("CSTD_TINH").required_papers),
    }
    desk = world.person("motcua")
    wire = trip(world, TaskReady, task_ready("assign_appraiser"), newest_code)
    wrote = {
        "decision_counter", "process_instance", "human_task", "event", "dossier", "nominee", "paper",
        "dossier_status_change", "dossier_document", "sla_clock", "timer",
    }  # fmt: skip

    assert_nothing_left(world, wire, lambda: world.dossiers.receive(desk, submission, accept=True), wrote)

    assert wire.captured == "HS-2026-000002"
    code = world.dossiers.receive(desk, submission, accept=True)
    assert code == "HS-2026-000002"
    assert world.ready_ids(code) == ["assign_appraiser"]
    assert world.documents(code) == ["receipt.pdf"]


def rescheduled(session: Session) -> list[str]:
    return list(session.scalars(select(Document.kind).where(Document.kind == "apology")))


@pytest.fixture
def late(world: World) -> str:
    """A dossier whose appraisal ran late, its date still movable (as in test_clock)."""
    code = world.submit("CSTD_TINH", [star()])
    drive(world, code, until="appraise")
    world.clock.set(vn(12, 3, 10))
    world.do(code, "appraise")
    return code


def reschedule(world: World, code: str) -> dict[str, Any]:
    return world.dossiers.reschedule(world.person("truongphong"), code, vn(6, 4, 17, 30), "cần thêm thời gian")


def assert_rescheduled_once(world: World, code: str) -> None:
    result = reschedule(world, code)
    assert result["appointment"] == "06/04/2026"
    assert [d for d in world.documents(code) if d.startswith("apology")] == ["apology.pdf"]
    assert world.dossiers.lookup(code).appointment == "06/04/2026"


def test_a_reschedule_failing_after_its_apology_leaves_nothing(world: World, late: str) -> None:
    was = version(world, late)
    wire = trip(world, ClockChanged, lambda event: event.change == "rescheduled", rescheduled)

    assert_nothing_left(world, wire, lambda: reschedule(world, late), {"sla_clock", "timer", "event", "dossier"})

    assert wire.captured == ["apology"]  # the letter was made, then taken back with the rest
    assert version(world, late) == was
    assert_rescheduled_once(world, late)


def test_a_reschedule_whose_letter_cannot_be_stored_leaves_nothing(world: World, store: FaultyStore, late: str) -> None:
    before = committed(world)
    store.armed = True
    with pytest.raises(Fault):
        reschedule(world, late)
    assert store.fired
    assert changed(before, committed(world)) == set()
    assert_rescheduled_once(world, late)


def sittings(session: Session) -> list[int]:
    return list(session.scalars(select(CouncilSession.round)))


def test_recording_a_sitting_with_its_tally_and_minutes_is_whole_or_nothing(world: World) -> None:
    code = world.submit("CSTD_TINH", [star()])
    drive(world, code, until="record_session")
    task = next(t for t in world.ready(code) if t.element_id == "record_session")
    secretary, data, was = world.person("thuky"), unanimous(world, code), version(world, code)
    wire = trip(world, TaskReady, task_ready("sign_decision"), sittings)
    wrote = {"council_session", "council_vote", "nominee", "dossier_document", "human_task", "process_instance"}

    assert_nothing_left(world, wire, lambda: world.domain.council.record(secretary, task, data), wrote)

    assert wire.captured == [1]
    assert version(world, code) == was
    assert world.engine.tasks.get(task.id).assignee is None  # not even the claim stayed
    world.domain.council.record(secretary, task, data)
    assert world.ready_ids(code) == ["sign_decision"]
    assert "minutes.pdf" in world.documents(code)


def numbers(session: Session) -> list[str]:
    return list(session.scalars(select(Decision.symbol).order_by(Decision.id)))


@pytest.fixture
def signing(world: World) -> Iterator[list[str]]:
    """Two dossiers waiting for the leader's signature."""
    nominee = individual("Lê Văn Bình", "nam", titles=titles("HTXSNV", 2024, 2025))
    codes = [world.submit("BK_UBND", [nominee]) for _ in range(2)]
    for code in codes:
        drive(world, code, until="sign_decision")
    yield codes


def test_signing_and_numbering_a_decision_is_whole_or_nothing(world: World, signing: list[str]) -> None:
    first, second = signing
    world.do(first, "sign_decision", {"signed": True})
    number_one = world.decision(first).number
    task = next(t for t in world.ready(second) if t.element_id == "sign_decision")
    world.engine.tasks.claim(task.id, "lanhdao")  # the leader opened the task: signing is the completion
    was = version(world, second)
    wire = trip(world, TaskReady, task_ready("publish_decision"), numbers)
    wrote = {"decision", "decision_line", "decision_counter", "dossier", "dossier_document", "nominee", "event"}

    def sign() -> None:
        world.engine.tasks.complete(task.id, "lanhdao", {"signed": True})

    assert_nothing_left(world, wire, sign, wrote)

    assert len(wire.captured) == 2  # the second decision had its number when the fault struck
    assert version(world, second) == was
    sign()
    assert world.decision(second).number == number_one + 1
    assert wire.captured[1] == world.decision(second).symbol
