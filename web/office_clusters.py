"""The demo's emulation cluster year: the area cluster's year of the demo's end date, driven through the real
cluster service on a virtual clock up to where it stands on that day, so its head and members find their pages
filled.

The year is a schedule of dated steps, done in time order until the end date: opened and the pledge circulated
and signed in early March; from the scoring opening (01/11) self-scores with evidence files, cross-grades (every
grader sees a unit's true points; one unit, chosen by the seed, scores itself full marks and the head reconciles
that gap), and the meeting on 03/12. The proposal is left to the head. The other clusters and blocs stay planned.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from engine import clock
from engine.identity import Actor
from handlers.cluster_rules import ClusterRules
from handlers.domain import Domain
from web.boot import DEMO_USERS
from web.office import PDF, VN

CLUSTER = "cum-huyen"
#: the meeting's day (day, month): after the cross-grading deadline (30/11), before the proposal's (10/12)
MEETING = (3, 12)
#: the demo people acting for the cluster's member units, by unit
OFFICERS = {unit: name for name, _display, groups, unit in DEMO_USERS if "cluster_member" in groups}
#: the units whose demo officer may act as the cluster's head
HEADS = {unit for _name, _display, groups, unit in DEMO_USERS if "cluster_head" in groups}

Step = tuple[datetime, Callable[[], None]]


class ClusterYear:
    """The area cluster's year of ``until``, with points, days and ballots drawn from ``rng``."""

    def __init__(self, domain: Domain, rng: random.Random, until: datetime) -> None:
        self.domain, self.rng, self.until = domain, rng, until
        self.clusters = domain.clusters
        self.calendar = domain.engine.calendar.calendar()
        self.year = until.astimezone(VN).year
        self.virtual = clock.VirtualClock(datetime(self.year, 1, 1, tzinfo=VN))

    def run(self) -> str:
        """Drive the year up to ``until`` (the engine clock is left as it was); returns what was done, said in
        one line. A year already opened, or one the cluster data does not have, is left alone."""
        known = {view.code: view for view in self.clusters.clusters(self.year)}
        if CLUSTER not in known:
            return f"cluster {CLUSTER}: no year {self.year} in the cluster data"
        if known[CLUSTER].phase != "planned":
            return f"cluster {CLUSTER} {self.year}: already opened, left as it is"
        view = known[CLUSTER]
        head, units = view.head, [m.unit for m in view.members]
        if head not in HEADS or any(unit not in OFFICERS for unit in units):
            return f"cluster {CLUSTER} {self.year}: the demo has no officer for its head or a member; left as it is"
        previous = clock.install(self.virtual)
        try:
            if self.play(self.pledges(head, units)):  # the grid is known once the year is opened
                self.play(self.scoring(head, units))
        finally:
            clock.install(previous)
        return f"cluster {CLUSTER} {self.year}: {self.clusters.year(CLUSTER, self.year).phase_name}"

    def play(self, steps: list[Step]) -> bool:
        """Do the steps in time order up to ``until``; True when every one was done."""
        for moment, step in sorted(steps, key=lambda s: s[0]):
            if moment > self.until:
                return False
            self.virtual.set(moment)
            step()
        return True

    # -- the schedule -------------------------------------------------------------------------------
    def day(self, month: int, day: int, working_days: float) -> datetime:
        """A moment ``working_days`` of working time after 08:00 on day/month of the year."""
        return self.calendar.add(datetime(self.year, month, day, 8, tzinfo=VN), f"{working_days:.3f}WD")

    def pledges(self, head: str, units: list[str]) -> list[Step]:
        """Early March: opened and the pledge circulated, each member signing within a week, the round closed."""
        steps: list[Step] = [(self.day(3, 1, 0.1), lambda: self.open(head))]
        steps += [(self.day(3, 1, 1 + self.rng.uniform(0, 5)), self.act(unit, self.sign)) for unit in units]
        steps.append((self.day(3, 1, 7), lambda: self.clusters.close_pledges(self.who(head), CLUSTER, self.year)))
        return steps

    def scoring(self, head: str, units: list[str]) -> list[Step]:
        """From the scoring opening: self-scores, cross-grades, the reconciled gap and the meeting."""
        rules = self.clusters.rules(CLUSTER, self.year)
        true = {unit: self.points(rules, 0.6, 0.9) for unit in units}
        inflated = self.rng.choice([u for u in units if u != head])
        true[inflated] = self.points(rules, 0.6, 0.75)  # full marks claimed: a gap far beyond the tolerance
        claimed = {**true, inflated: {c.code: int(c.max) for c in rules.criteria}}
        first = rules.criteria[0].code
        fixed = {**true[inflated], first: true[inflated][first] + 1}
        reconciled = [{"unit": inflated, "scores": fixed, "note": "Đã đối chiếu minh chứng với kết quả chấm chéo"}]
        head_steps: list[tuple[float, Callable[..., Any], tuple[Any, ...]]] = [
            (11, self.clusters.close_self_scores, ()),
            (18, self.clusters.close_cross_grades, ()),
            (19, self.clusters.reconcile, (reconciled,)),
        ]
        steps: list[Step] = [(datetime(self.year, 11, 1, 0, 0, 1, tzinfo=VN), self.fire_timers)]
        steps += [
            (self.day(11, 1, self.rng.uniform(0.2, 9)), self.act(u, self.self_score, rules, claimed[u])) for u in units
        ]
        steps += [(self.day(11, 1, 11.2 + self.rng.uniform(0, 6)), self.act(u, self.cross_grade, true)) for u in units]
        steps += [(self.day(11, 1, wd), self.act(head, self.as_head, call, args)) for wd, call, args in head_steps]
        steps.append((self.day(MEETING[1], MEETING[0], 0.05), self.act(head, self.meet, units, rules)))
        return steps

    def points(self, rules: ClusterRules, low: float, high: float) -> dict[str, int]:
        """A sheet of whole points, each criterion between ``low`` and ``high`` of its maximum."""
        return {c.code: round(float(c.max) * self.rng.uniform(low, high)) for c in rules.criteria}

    # -- the people's actions -----------------------------------------------------------------------
    def who(self, unit: str) -> Actor:
        return self.domain.engine.identity.actor(OFFICERS[unit])

    def act(self, unit: str, action: Callable[..., None], *args: Any) -> Callable[[], None]:
        """The unit's officer doing ``action`` when its moment comes."""
        return lambda: action(unit, *args)

    def open(self, head: str) -> None:
        self.clusters.open_year(self.who(head), CLUSTER, self.year)
        self.clusters.circulate_pledge(self.who(head), CLUSTER, self.year, f"Giao ước thi đua năm {self.year}")

    def sign(self, unit: str) -> None:
        self.clusters.sign_pledge(self.who(unit), CLUSTER, self.year)

    def fire_timers(self) -> None:
        """The scoring opening's timer (01/11 00:00) fires as the server's timer loop would."""
        self.domain.engine.timers.fire_due()

    def as_head(self, head: str, call: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """A head's command of the year: closing a round, reconciling."""
        call(self.who(head), CLUSTER, self.year, *args)

    def self_score(self, unit: str, rules: ClusterRules, points: dict[str, int]) -> None:
        """The unit's self-score, with a small PDF as evidence for each criterion that needs one."""
        actor = self.who(unit)
        evidence = {
            c.code: [
                self.clusters.upload_evidence(
                    actor, CLUSTER, self.year, f"minh-chung-{c.code}.pdf", PDF + c.code.encode()
                )
            ]
            for c in rules.criteria
            if c.evidence
        }
        self.clusters.submit_self_score(actor, CLUSTER, self.year, points, evidence)

    def cross_grade(self, unit: str, true: dict[str, dict[str, int]]) -> None:
        """The unit grades every unit it must with their true points."""
        actor = self.who(unit)
        for graded in self.clusters.to_grade(actor, CLUSTER, self.year):
            self.clusters.submit_cross_grade(actor, CLUSTER, self.year, graded, true[graded])

    def meet(self, head: str, units: list[str], rules: ClusterRules) -> None:
        """Every member present; the units ranked first by the reconciled standings win enough ballots to pass
        (as many as the flags and certificates, plus one), the others fall short."""
        needed = math.ceil(rules.threshold * len(units))
        ranked = [
            row.unit for row in sorted(self.clusters.standings(CLUSTER, self.year), key=lambda r: -(r.total or 0))
        ]
        passing = rules.flags + rules.certificates + 1
        ballots = {
            unit: self.rng.randint(needed, len(units)) if i < passing else self.rng.randint(len(units) // 4, needed - 1)
            for i, unit in enumerate(ranked)
        }
        held_on = date(self.year, MEETING[1], MEETING[0])
        self.clusters.record_meeting(
            self.who(head), CLUSTER, self.year, held_on=held_on, present=units, ballots=ballots
        )
