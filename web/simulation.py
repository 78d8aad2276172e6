"""What a procedure will do before it is deployed: the run behind `awardflow simulate` and the designer's
simulation page.

A workload of dossiers (so many over a period, with the December peak before the 10/12 deadline) runs through the
real engine — BPMN, forms, rules, SLA, timers, the working-day calendar — on a fresh database and the virtual
clock, as the demo does; but here each group has a number of staff, a step waits until one of them is free, and
a step takes the working time people really took (fitted from this system's history) or, with no history, a
share of the shipped procedure's budget for it. Changing a budget in a draft therefore changes what is late,
not how long the work takes. The result is the engine's own reports over the simulated database, plus what only
the run knows: queues per group over time and how busy each group was. The same seed gives the same result.

The engine's clock is one per process, so a run started from a web request goes to a child process of its own
(:func:`run_bounded`): the server's clock never moves, and a run past its time is stopped.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import random
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol

from defusedxml import ElementTree

from engine import Engine, Settings, clock
from engine.calendar import WorkCalendar
from engine.errors import AwardflowError
from engine.reports import RESULTS, HeatParts, percentile
from handlers.domain import Domain
from handlers.storage import ScratchStore
from web.boot import PROCESSES_DIR, bundle_files, prepare
from web.office import VN, WORKERS, Simulation

#: dossiers per month, relative (Jan … Dec): units send most of them before the 10/12 deadline
SEASON = (0.6, 0.4, 0.6, 0.7, 0.8, 0.8, 0.7, 0.6, 0.8, 1.2, 2.0, 2.4)
#: a step's working time as a share of its budget, when no history says better
SHARES = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.3)
HOURS_PER_DAY = 8.0
#: the most people one group may have in a plan, and the most dossiers and days of one run
MAX_STAFF, MAX_DOSSIERS, MAX_DAYS = 200, 20000, 3 * 366


def budgets(files: Mapping[str, bytes]) -> dict[str, float]:
    """Each element's ``budget`` property in working hours, from the BPMN files of a bundle."""
    found: dict[str, float] = {}
    for name, content in files.items():
        if not name.endswith(".bpmn"):
            continue
        for node in ElementTree.fromstring(content).iter():
            for prop in node.findall("./{*}extensionElements/{*}properties/{*}property"):
                if prop.get("name") == "budget" and (value := prop.get("value") or "").endswith("WD"):
                    found.setdefault(str(node.get("id")), float(value.removesuffix("WD")) * HOURS_PER_DAY)
    return found


@dataclass
class Durations:
    """How long a step takes, in working hours: drawn from what people took (``history``: element → hours), else
    a share of the shipped budget."""

    baseline: Mapping[str, float]
    history: Mapping[str, Sequence[float]] = field(default_factory=dict)

    def draw(self, element: str, rng: random.Random) -> float:
        taken = self.history.get(element)
        if taken:
            return float(rng.choice(list(taken)))
        return self.baseline.get(element, HOURS_PER_DAY) * rng.choice(SHARES)


@dataclass
class Job:
    element: str
    group: str
    ready: datetime
    start: datetime
    end: datetime
    hours: float


def seasonal_arrivals(rng: random.Random, start: datetime, until: datetime, count: int) -> list[datetime]:
    """When ``count`` dossiers come in: on working days weighted by :data:`SEASON`, in the working morning."""
    days = [start.date() + timedelta(days=d) for d in range((until - start).days)]
    weights = [SEASON[d.month - 1] for d in days if d.weekday() < 5] or [1.0]
    working = [d for d in days if d.weekday() < 5] or days
    picked = sorted(rng.choices(working, weights, k=count))
    return [datetime.combine(d, time(8), VN) + timedelta(minutes=rng.randint(0, 8 * 60)) for d in picked]


def scratch_settings(workdir: Path) -> Settings:
    """A what-if run's database and files in ``workdir``: thrown away after it, so never synced (db_durable)."""
    return Settings(
        database_url=f"sqlite:///{workdir / 'simulation.sqlite'}", storage_dir=str(workdir / "files"), db_durable=False
    )


def step_end(calendar: WorkCalendar, begin: datetime, hours: float) -> datetime:
    """When a step of ``hours`` working hours begun at ``begin`` is done, to a thousandth of an hour (what a shard
    takes as the earliest end of the steps it asked for must be computed exactly as the staff's own)."""
    return calendar.add(begin, f"{hours:.3f}WH")


class Staffing(Protocol):
    """Who takes a run's steps, and when they are done (:class:`Roster`, or a shard's share of one)."""

    def reached(self, moment: datetime) -> None: ...

    def ask(self, now: datetime, asks: Sequence[tuple[str, str, float]], answer: Callable[[datetime], None]) -> None:
        """Steps (element, group, working hours) ready ``now``: ``answer`` is called with when the last of them is
        done, at the latest by :meth:`settle`."""

    def settle(self, before: datetime | None) -> None:
        """Answer every ask whose steps could be done by ``before`` (all of them with None)."""


@dataclass
class Roster:
    """The staff of a run: ``staff`` people per group, each taking the work that reached the group first (one
    step at a time), and every step they took on (the queues and utilisation are computed from them)."""

    start: datetime
    calendar: WorkCalendar
    staff: dict[str, list[datetime]]
    jobs: list[Job] = field(default_factory=list)

    @classmethod
    def of(cls, start: datetime, calendar: WorkCalendar, staff: Mapping[str, int]) -> Roster:
        return cls(start, calendar, {group: [start] * max(1, n) for group, n in staff.items()})

    def reached(self, moment: datetime) -> None:
        """The run's clock is at ``moment``: here nothing waits for that (see the shards' roster)."""

    def ask(self, now: datetime, asks: Sequence[tuple[str, str, float]], answer: Callable[[datetime], None]) -> None:
        answer(self.take(now, asks))

    def settle(self, before: datetime | None) -> None:
        """Every ask was answered at once."""

    def take(self, now: datetime, asks: Sequence[tuple[str, str, float]]) -> datetime:
        """Steps (element, group, working hours) ready ``now``, each given to the group's person free first;
        when the last of them is done."""
        done = []
        for element, group, hours in asks:
            people = self.staff.setdefault(group, [self.start])
            first = min(range(len(people)), key=people.__getitem__)
            begin = max(now, people[first])
            end = step_end(self.calendar, begin, hours)
            people[first] = end
            self.jobs.append(Job(element, group, now, begin, end, hours))
            done.append(end)
        return max(done)

    def queues(self, until: datetime, every: timedelta = timedelta(days=7)) -> dict[str, list[tuple[str, int]]]:
        """Steps waiting for a free person, per group, sampled every seven days from the first day at 09:00."""
        by_group: dict[str, list[Job]] = {}
        for job in self.jobs:
            if job.ready < job.start:  # only work that waited can be in a queue
                by_group.setdefault(job.group, []).append(job)
        found: dict[str, list[tuple[str, int]]] = {}
        for group in sorted({j.group for j in self.jobs}):
            moment, waited = datetime.combine(self.start.date(), time(9), VN), by_group.get(group, [])
            while moment <= until:
                waiting = sum(1 for j in waited if j.ready <= moment < j.start)
                found.setdefault(group, []).append((moment.date().isoformat(), waiting))
                moment += every
        return found

    def utilisation(self, until: datetime) -> dict[str, float]:
        """Share of the staff's working time spent on steps, per group."""
        available = self.calendar.between(self.start, until).total_seconds() / 3600
        return {
            group: round(sum(j.hours for j in self.jobs if j.group == group) / (available * len(people)), 3)
            for group, people in sorted(self.staff.items())
            if available and any(j.group == group for j in self.jobs)
        }


class StaffedSimulation(Simulation):
    """The demo's dossiers, worked by the ``roster``'s people over ``start`` … ``until`` with the seasonal
    arrivals (or the ``planned`` ones: a shard's share of a run's)."""

    def __init__(
        self,
        domain: Domain,
        rng: random.Random,
        start: datetime,
        until: datetime,
        roster: Staffing,
        durations: Durations,
        planned: Sequence[datetime] | None = None,
    ) -> None:
        super().__init__(domain, rng, until)
        self.start = start
        self.virtual = clock.VirtualClock(start - timedelta(days=1))
        self.roster = roster
        self.durations = durations
        self.planned = planned

    def arrivals(self, count: int) -> list[datetime]:
        if self.planned is not None:
            return list(self.planned)
        return seasonal_arrivals(self.rng, self.start, self.until, count)

    def reached(self, moment: datetime) -> None:
        self.roster.reached(moment)

    def settle(self, before: datetime | None) -> None:
        self.roster.settle(before)

    def pace(self, code: str, budget: str) -> None:
        ready = self.ready(code)
        if not ready:
            self.after(budget, code)  # a timer or a message is next: the engine decides when
            return
        asks = [
            (t.element_id, (t.candidate_groups or ["desk"])[0], self.durations.draw(t.element_id, self.rng))
            for t in ready
        ]
        seq = self.reserve()  # the work's place among events at the same moment is the ask's, not the answer's
        self.roster.ask(clock.now(), asks, lambda end: self.at(end, code, "work", seq))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


@dataclass
class Part:
    """What one database of a run says (a run has one, or one per shard): counts add up, lists join."""

    steps: dict[str, dict[str, int]] = field(default_factory=dict)
    dossiers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESULTS, 0))
    spans: list[float] = field(default_factory=list)
    heat: HeatParts = field(default_factory=HeatParts)
    names: dict[str, str] = field(default_factory=dict)
    errors: int = 0

    def add(self, other: Part) -> None:
        for element, counts in other.steps.items():
            mine = self.steps.setdefault(element, dict.fromkeys(RESULTS, 0))
            for key in RESULTS:
                mine[key] += counts[key]
        for key in RESULTS:
            self.dossiers[key] += other.dossiers[key]
        self.spans.extend(other.spans)
        self.heat.add(other.heat)
        self.names |= other.names
        self.errors += other.errors


def part(simulation: Simulation) -> Part:
    """The engine's reports over the simulation's database, as of the clock now."""
    engine, found = simulation.engine, Part(errors=simulation.errors)
    first, last = simulation.start.date(), simulation.until.date()
    for rate in engine.reports.on_time(first, last, group_by="step", period="year"):
        counts = found.steps.setdefault(rate.group or "", dict.fromkeys(RESULTS, 0))
        for key in RESULTS:
            counts[key] += getattr(rate, key)
    for rate in engine.reports.on_time(first, last, level="dossier", period="year"):
        for key in RESULTS:
            found.dossiers[key] += getattr(rate, key)
    found.names = engine.reports.step_names(found.steps)
    calendar = simulation.calendar
    found.spans = [
        calendar.between(received, finished).total_seconds() / 3600 / HOURS_PER_DAY
        for received, finished in engine.reports.dossier_spans(first, last)
    ]
    found.heat = engine.reports.heat_parts(first, last)
    return found


def assemble(found: Part, start: datetime, until: datetime, roster: Roster | None) -> dict[str, Any]:
    """The run in numbers: the engine's reports (of its one database, or its shards' added up), and with staff
    the run's queues and utilisation. The demo's run has no staff to queue for: it reports the rest."""
    steps, dossiers = found.steps, found.dossiers
    return {
        "period": [start.date().isoformat(), until.date().isoformat()],
        "as_of": clock.now().isoformat(),  # what "waiting now" means in the heat
        "dossiers": {
            **dossiers,
            "late_share": _share(dossiers["late"], sum(dossiers.values())),
            "working_days_p50": percentile(found.spans, 0.5),
            "working_days_p90": percentile(found.spans, 0.9),
            "errors": found.errors,
        },
        "steps": {
            element: {"name": found.names.get(element, element), **c, "late_share": _share(c["late"], sum(c.values()))}
            for element, c in sorted(steps.items())
        },
        "late_steps": [e for e in sorted(steps, key=lambda e: -steps[e]["late"]) if steps[e]["late"]][:5],
        "heat": {element: heat.to_dict() for element, heat in found.heat.summary().items()},
        "utilisation": roster.utilisation(until) if roster else {},
        "queues": roster.queues(until) if roster else {},
    }


def report(simulation: Simulation) -> dict[str, Any]:
    """The run of one database in numbers (:func:`assemble`)."""
    roster = getattr(simulation, "roster", None)
    staffed = roster if isinstance(roster, Roster) else None
    return assemble(part(simulation), simulation.start, simulation.until, staffed)


def simulate_once(
    *,
    dossiers: int,
    start: date,
    end: date,
    seed: int,
    staff: Mapping[str, int],
    draft: Mapping[str, bytes],
    history: Mapping[str, Sequence[float]],
    workdir: Path,
    show: str | None = None,
    shards: int = 1,
) -> dict[str, Any]:
    """One run on a fresh database in ``workdir``: the shipped processes, then the draft over them; with
    ``show``, the diagram of that process's latest version as the run had it (for the overlays). With
    ``shards`` above one, the dossiers are dealt out to that many processes with one staff
    (:mod:`web.simulation_shards`): another draw of the same workload, the same for a seed and ``shards``."""
    if shards > 1:
        from web.simulation_shards import simulate_sharded  # it builds on this module

        result = simulate_sharded(shards, dossiers, {
            "workdir": workdir,
            "start": datetime.combine(start, time(8), VN),
            "until": datetime.combine(end, time(17), VN),
            "seed": seed, "staff": dict(staff), "draft": dict(draft), "budgets": budgets(bundle_files([PROCESSES_DIR])),
            "history": {element: list(hours) for element, hours in history.items()},
        })  # fmt: skip
        if show is not None:
            scratch = Engine(Settings(database_url=f"sqlite:///{workdir / 'shard-1' / 'simulation.sqlite'}"))
            result["diagram"] = diagram(scratch, show)
            scratch.close()
        return result
    workdir.mkdir(parents=True, exist_ok=True)
    settings = scratch_settings(workdir)
    previous = clock.install(clock.VirtualClock(datetime.combine(start, time(7), VN) - timedelta(days=1)))
    try:
        with contextlib.redirect_stdout(sys.stderr):  # what set-up says is not the result
            domain = prepare(settings, demo=True, store=ScratchStore(workdir / "files"), sign_in=False)
        shipped = bundle_files([PROCESSES_DIR])
        if draft:
            domain.engine.repository.deploy(dict(draft), actor=settings.admin_user, name="draft")
        first = datetime.combine(start, time(8), VN)
        simulation = StaffedSimulation(
            domain,
            random.Random(seed),
            first,
            datetime.combine(end, time(17), VN),
            Roster.of(first, domain.engine.calendar.calendar(), staff),
            Durations(budgets(shipped), history),
        )
        simulation.run(dossiers)
        clock.install(simulation.virtual)  # "waiting now" is at the end of the run
        result = report(simulation)
        if show is not None:
            result["diagram"] = diagram(domain.engine, show)
        return result
    finally:
        clock.install(previous)


def diagram(engine: Engine, key: str) -> dict[str, Any]:
    """The diagram of process ``key``'s latest version in a run's database (what the overlays lie on)."""
    version = engine.repository.latest(key).version
    return {"key": key, "version": version, "xml": engine.repository.xml(key, version)}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, float | None]:
    """How much each step's (and the dossiers') late share moved from ``before`` to ``after``."""
    found: dict[str, float | None] = {}
    rows = {"dossiers": (before["dossiers"], after["dossiers"])}
    rows |= {e: (before["steps"].get(e, {}), after["steps"].get(e, {})) for e in {*before["steps"], *after["steps"]}}
    for name, (old, new) in sorted(rows.items()):
        was, now = old.get("late_share"), new.get("late_share")
        found[name] = None if was is None or now is None else round(now - was, 3)
    return found


@dataclass(frozen=True)
class Workload:
    """What arrives: so many dossiers from ``start`` to ``end``, drawn with ``seed``; step times from
    ``history`` (element → working hours taken) where it has them; dealt out to ``shards`` processes (one:
    the run in this process; a run and its seed are the same only with the same number of shards)."""

    dossiers: int
    start: date
    end: date
    seed: int
    history: Mapping[str, Sequence[float]] = field(default_factory=dict)
    shards: int = 1


@dataclass(frozen=True)
class Plan:
    """One side of a comparison: people per group, and the draft files deployed over the shipped processes."""

    staff: Mapping[str, int]
    draft: Mapping[str, bytes] = field(default_factory=dict)


def whole_number(text: str, low: int, high: int) -> int | None:
    """``text`` as a whole number from ``low`` to ``high`` (ASCII digits only: ``"²"`` and 5,000-digit strings
    are not numbers here), else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12) or not low <= int(text) <= high:
        return None
    return int(text)


def demo_staff() -> dict[str, int]:
    """People per group as the demo has them: the default plan."""
    return {group: len(people) for group, people in WORKERS.items()}


def run_plans(workload: Workload, plans: Mapping[str, Plan], workdir: Path, show: str | None = None) -> dict[str, Any]:
    """Each plan on its own scratch database under ``workdir``, the same workload for all; with two plans,
    how the late shares moved from the first to the second (``late_share_change``)."""
    results = {
        name: simulate_once(
            dossiers=workload.dossiers,
            start=workload.start,
            end=workload.end,
            seed=workload.seed,
            staff=plan.staff,
            draft=plan.draft,
            history=workload.history,
            workdir=workdir / name,
            show=show,
            shards=workload.shards,
        )
        for name, plan in plans.items()
    }
    if len(results) == 2:
        before, after = results.values()
        return {**results, "late_share_change": changes(before, after)}
    return results


class RunRefused(AwardflowError):
    """A run that could not finish: past its time (``timed_out``), or refused by the engine."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def _child(workload: Workload, plans: Mapping[str, Plan], show: str | None, answer: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="awardflow-simulation-") as scratch:
        try:
            answer.send(("done", run_plans(workload, plans, Path(scratch), show)))
        except AwardflowError as refused:
            answer.send(("refused", refused.message))


def run_bounded(workload: Workload, plans: Mapping[str, Plan], *, seconds: float, show: str | None = None) -> Any:
    """:func:`run_plans` in a child process (its own clock and scratch files), stopped after ``seconds``.

    Raises :class:`RunRefused` when it ran out of time or the engine refused the plan."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(workload, plans, show, send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise RunRefused(f"the simulation took longer than {seconds:g} s", timed_out=True)
        outcome, value = receive.recv()
    except EOFError:
        raise RunRefused("the simulation stopped without a result") from None
    finally:
        if child.is_alive():
            child.terminate()
        child.join(5)
        receive.close()
    if outcome == "refused":
        raise RunRefused(value)
    return value
