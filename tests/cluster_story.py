"""An emulation cluster's year as a story to set tests up with: the area cluster ``cum-huyen`` (8 units) in 2026,
driven through the cluster service on a virtual clock to any phase. Shared by the scenario, API and page tests.

The numbers: every grader sees each unit's true scores (``TRUE``); ubnd-hl and ubnd-tp tie on 90 and ubnd-hl has
the higher key criteria (I.1 + I.2: 43 against 42); ubnd-vl scores itself 86 where the others see 75 (a gap of 11,
beyond the tolerance of 5) and the head reconciles it to 76; the meeting's ballots pass the first four units
(7 of 8 needed).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from engine import clock
from engine.identity import Actor
from handlers.cluster_service import ClusterService
from handlers.domain import Domain
from handlers.timefmt import ZONE

CLUSTER, YEAR, HEAD = "cum-huyen", 2026, "ubnd-tp"
UNITS = ["ubnd-tp", "ubnd-hl", "ubnd-tm", "ubnd-pd", "ubnd-bs", "ubnd-dh", "ubnd-tx", "ubnd-vl"]
CODES = ["I.1", "I.2", "I.3", "II.1", "II.2", "III.1", "III.2"]
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
INFLATED = {**TRUE, "ubnd-vl": (27, 14, 9, 9, 9, 11, 7)}
EVIDENCE_CRITERIA = ("I.1", "I.2", "II.2")
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
PDF = b"%PDF-1.4\n% evidence\n"


def sheet(points: tuple[int, ...]) -> dict[str, Any]:
    """Points by criterion code, in the grid's order."""
    return dict(zip(CODES, points, strict=True))


def officer(unit: str) -> str:
    """The user acting for a unit: the head's ``truongcum`` (as in the demo), else ``tdkt-<unit>``."""
    return "truongcum" if unit == HEAD else f"tdkt-{unit}"


class ClusterStory:
    """The cluster's people created and its data loaded; ``to_*`` bring the year to a phase."""

    def __init__(self, domain: Domain, virtual: clock.VirtualClock) -> None:
        self.domain, self.clock = domain, virtual
        identity = domain.engine.identity
        identity.ensure_user("truongcum", groups=["cluster_head", "cluster_member"], unit=HEAD)
        for unit in UNITS[1:]:
            identity.ensure_user(officer(unit), groups=["cluster_member"], unit=unit)
        domain.clusters.load_shipped()

    @property
    def clusters(self) -> ClusterService:
        return self.domain.clusters

    def who(self, unit: str) -> Actor:
        return self.domain.engine.identity.actor(officer(unit))

    def to_scoring(self) -> None:
        """Opened, the pledge circulated and signed by all, the clock at Monday 02/11 08:00 (scoring open)."""
        head = self.who(HEAD)
        self.clusters.open_year(head, CLUSTER, YEAR)
        self.clusters.circulate_pledge(head, CLUSTER, YEAR, "Giao ước thi đua năm 2026")
        for unit in UNITS:
            self.clusters.sign_pledge(self.who(unit), CLUSTER, YEAR)
        self.clusters.close_pledges(head, CLUSTER, YEAR)
        self.clock.set(datetime(YEAR, 11, 2, 8, tzinfo=ZONE))
        self.domain.engine.timers.fire_due()

    def self_score(self, unit: str, points: tuple[int, ...]) -> None:
        """The unit's self-score, with one evidence file for each criterion that needs one."""
        actor = self.who(unit)
        evidence = {
            code: [self.clusters.upload_evidence(actor, CLUSTER, YEAR, f"minh-chung-{code}.pdf", PDF + code.encode())]
            for code in EVIDENCE_CRITERIA
        }
        self.clusters.submit_self_score(actor, CLUSTER, YEAR, sheet(points), evidence)

    def to_cross_grading(self) -> None:
        """Every unit self-scored (ubnd-vl inflated), the round closed."""
        self.to_scoring()
        for unit in UNITS:
            self.self_score(unit, INFLATED[unit])
        self.clusters.close_self_scores(self.who(HEAD), CLUSTER, YEAR)

    def cross_grade_all(self) -> None:
        """Ten days on, every unit grades every other with the true scores."""
        self.clock.advance(days=10)
        for grader in UNITS:
            for graded in self.clusters.to_grade(self.who(grader), CLUSTER, YEAR):
                self.clusters.submit_cross_grade(self.who(grader), CLUSTER, YEAR, graded, sheet(TRUE[graded]))

    def to_reconciling(self) -> None:
        """The cross-grades in and the round closed: ubnd-vl's gap waits for the head."""
        self.to_cross_grading()
        self.cross_grade_all()
        self.clusters.close_cross_grades(self.who(HEAD), CLUSTER, YEAR)

    def reconcile(self) -> None:
        """The head reconciles ubnd-vl: one point more than the graders gave (76)."""
        reconciled = {**sheet(TRUE["ubnd-vl"]), "I.3": 9}
        entry = {"unit": "ubnd-vl", "scores": reconciled, "note": "Đã xác minh minh chứng"}
        self.clusters.reconcile(self.who(HEAD), CLUSTER, YEAR, [entry])

    def meet(self) -> None:
        """The meeting on 03/12 with every member present: ranked, four units passed."""
        self.clusters.record_meeting(
            self.who(HEAD), CLUSTER, YEAR, held_on=date(YEAR, 12, 3), present=UNITS, ballots=BALLOTS
        )

    def to_meeting(self) -> None:
        self.to_reconciling()
        self.reconcile()

    def to_proposal(self) -> None:
        self.to_meeting()
        self.meet()
