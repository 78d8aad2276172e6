"""The cluster pages' tests' world: the area cluster ``cum-huyen`` of 8 units in 2026, an officer per member unit
(``truongcum`` for the head unit), and steps that bring the year to a phase through the cluster service, so a
test works the pages of one phase."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from engine import clock
from engine.identity import Actor
from handlers.domain import Domain
from tests.web.dossier_world import PDF

CLUSTER, YEAR, HEAD = "cum-huyen", 2026, "ubnd-tp"
BASE = f"/cum-khoi/{CLUSTER}/{YEAR}"
UNITS = ("ubnd-tp", "ubnd-hl", "ubnd-tm", "ubnd-pd", "ubnd-bs", "ubnd-dh", "ubnd-tx", "ubnd-vl")
CODES = ("I.1", "I.2", "I.3", "II.1", "II.2", "III.1", "III.2")
EVIDENCE = ("I.1", "I.2", "II.2")
#: what each unit achieved as its graders see it (totals 90, 90, 85, 82, 80, 78, 75, 75)
TRUE = {
    "ubnd-hl": (29, 14, 8, 8, 8, 15, 8),
    "ubnd-tp": (28, 14, 9, 9, 9, 13, 8),
    "ubnd-pd": (26, 13, 9, 8, 8, 13, 8),
    "ubnd-bs": (25, 12, 9, 8, 8, 12, 8),
    "ubnd-dh": (25, 12, 8, 8, 8, 11, 8),
    "ubnd-tx": (24, 12, 8, 8, 7, 11, 8),
    "ubnd-tm": (23, 10, 8, 8, 7, 11, 8),
    "ubnd-vl": (23, 11, 8, 7, 7, 11, 8),
}
#: ubnd-vl gives itself 86 where the graders see 75: the one gap beyond the tolerance of 5
SELF = {**TRUE, "ubnd-vl": (27, 14, 9, 9, 9, 11, 7)}
BALLOTS = {
    "ubnd-hl": 8,
    "ubnd-tp": 8,
    "ubnd-pd": 7,
    "ubnd-bs": 7,
    "ubnd-dh": 5,
    "ubnd-tx": 4,
    "ubnd-tm": 3,
    "ubnd-vl": 3,
}


def officer(unit: str) -> str:
    return "truongcum" if unit == HEAD else f"tdkt-{unit}"


def sheet(points: tuple[int, ...]) -> dict[str, Any]:
    return dict(zip(CODES, points, strict=True))


def people(world: Domain) -> None:
    """The officers of the member units (the head's with both groups), and the shipped clusters."""
    world.engine.identity.ensure_user("truongcum", groups=["cluster_head", "cluster_member"], unit=HEAD)
    for unit in UNITS[1:]:
        world.engine.identity.ensure_user(officer(unit), groups=["cluster_member"], unit=unit)
    world.clusters.load_shipped()


def who(world: Domain, unit: str) -> Actor:
    return world.engine.identity.actor(officer(unit))


def to_pledge(world: Domain) -> None:
    head = who(world, HEAD)
    world.clusters.open_year(head, CLUSTER, YEAR)
    world.clusters.circulate_pledge(head, CLUSTER, YEAR, "Giao ước thi đua năm 2026")


def to_scoring(world: Domain, vclock: clock.VirtualClock) -> None:
    """Every member signed; the clock at Monday 02/11/2026 08:00, the self-scoring round open."""
    to_pledge(world)
    for unit in UNITS:
        world.clusters.sign_pledge(who(world, unit), CLUSTER, YEAR)
    world.clusters.close_pledges(who(world, HEAD), CLUSTER, YEAR)
    vclock.set(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    world.engine.timers.fire_due()


def self_score(world: Domain, unit: str) -> None:
    actor = who(world, unit)
    files = {
        c: [world.clusters.upload_evidence(actor, CLUSTER, YEAR, f"minh-chung-{c}.pdf", PDF + c.encode())]
        for c in EVIDENCE
    }
    world.clusters.submit_self_score(actor, CLUSTER, YEAR, sheet(SELF[unit]), files)


def to_cross_grading(world: Domain, vclock: clock.VirtualClock, *, skip: str = "") -> None:
    to_scoring(world, vclock)
    for unit in UNITS:
        if unit != skip:
            self_score(world, unit)
    # a week on; with a unit left out, Monday 23/11, past the self-scores' deadline (20/11)
    vclock.set(datetime(2026, 11, 23 if skip else 9, 1, 0, tzinfo=UTC))
    world.clusters.close_self_scores(who(world, HEAD), CLUSTER, YEAR)


def cross_grade_all(world: Domain, *, skip: str = "") -> None:
    for grader in UNITS:
        if grader == skip:
            continue
        for graded in world.clusters.to_grade(who(world, grader), CLUSTER, YEAR):
            world.clusters.submit_cross_grade(who(world, grader), CLUSTER, YEAR, graded, sheet(TRUE[graded]))


def to_reconcile(world: Domain, vclock: clock.VirtualClock) -> None:
    to_cross_grading(world, vclock)
    cross_grade_all(world)
    world.clusters.close_cross_grades(who(world, HEAD), CLUSTER, YEAR)


def hold_meeting(world: Domain) -> None:
    world.clusters.record_meeting(
        who(world, HEAD), CLUSTER, YEAR, held_on=date(2026, 12, 3), present=list(UNITS), ballots=BALLOTS
    )


def to_meeting(world: Domain, vclock: clock.VirtualClock) -> None:
    """The head has reconciled ubnd-vl at what its graders saw: the meeting is next."""
    to_reconcile(world, vclock)
    entry = {"unit": "ubnd-vl", "scores": sheet(TRUE["ubnd-vl"]), "note": ""}
    world.clusters.reconcile(who(world, HEAD), CLUSTER, YEAR, [entry])
