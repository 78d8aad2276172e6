"""A what-if run on both cores: the dossiers dealt out to shards, each a process with its own scratch database,
engine and random stream, all worked by one staff.

The engine's work of a step (BPMN, forms, rules, SLA, timers) needs only its own dossier's database, so shards
do it side by side. Who takes a step, and when, depends on everyone's steps before it: the staff stay one
:class:`~web.simulation.Roster` in the parent, which hands out steps in the order of the run's clock across the
shards (``(moment, shard)``): the answer to a shard's ask at a moment waits until every other shard has passed
it, and the shard meanwhile goes on only with its events before the asked steps could end. The result is
therefore the same for a seed and a number of shards, whatever the machine's timing; and the staff are the
plan's, not a copy per shard (a different number of shards is a different random draw).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import random
import sys
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast

from engine import clock
from engine.calendar import WorkCalendar
from engine.errors import AwardflowError
from handlers.storage import ScratchStore
from web.boot import prepare
from web.simulation import (
    Durations,
    Part,
    Roster,
    StaffedSimulation,
    assemble,
    part,
    scratch_settings,
    seasonal_arrivals,
    step_end,
)

#: the most shards one run may have (each a process with its own database)
MAX_SHARDS = 8


class ShardRoster:
    """A shard's side of the shared staff: each step is asked of the parent's roster, which answers in the
    run's time order; the moments the shard reaches are told to it (nothing earlier will come from here).

    A shard does not wait for an answer while it has events before the earliest moment the steps could end
    (:meth:`settle`): the other shards' work of that time goes on meanwhile, and the run is still the same."""

    def __init__(self, line: Connection, calendar: WorkCalendar) -> None:
        self.line, self.calendar = line, calendar
        self.told: datetime | None = None
        self.waiting: deque[tuple[datetime, Callable[[datetime], None]]] = deque()

    def reached(self, moment: datetime) -> None:
        if self.told is None or moment > self.told:  # the same moment again tells the parent nothing new
            self.told = moment
            self.line.send(("at", moment))

    def ask(self, now: datetime, asks: Sequence[tuple[str, str, float]], answer: Callable[[datetime], None]) -> None:
        self.line.send(("take", now, list(asks)))
        # the answer is when the last of them is done (see Roster.take): not before the longest would be, begun now
        earliest = step_end(self.calendar, now, max(hours for _e, _g, hours in asks))
        self.waiting.append((earliest, answer))

    def settle(self, before: datetime | None) -> None:
        # the parent answers a shard's asks in the order they were made, whichever of them may end first
        while self.waiting and (before is None or min(earliest for earliest, _a in self.waiting) <= before):
            _earliest, answer = self.waiting.popleft()
            answer(_recv(self.line))


def _shard(index: int, arrivals: list[datetime], run: dict[str, Any], line: Connection) -> None:
    """One shard's process: its share of the dossiers on its own database; then, at the moment the parent
    names (the latest shard's end), its part of the reports."""
    workdir: Path = run["workdir"] / f"shard-{index + 1}"
    workdir.mkdir(parents=True, exist_ok=True)
    settings = scratch_settings(workdir)
    start, until = run["start"], run["until"]
    clock.install(clock.VirtualClock(start - timedelta(hours=1, days=1)))
    try:
        with contextlib.redirect_stdout(sys.stderr):  # what set-up says is not the result
            domain = prepare(settings, demo=True, store=ScratchStore(workdir / "files"), sign_in=False)
        if run["draft"]:
            domain.engine.repository.deploy(dict(run["draft"]), actor=settings.admin_user, name="draft")
    except AwardflowError as refused:
        line.send(("refused", refused.message))
        return
    line.send(("calendar", domain.engine.calendar.calendar()))
    # What set-up made (modules, mappers, parsed procedures and rules) lives as long as the shard: kept out of
    # the collector's full passes, which walked it a dozen times a run (2.6 s of a shard's 35 s; 1.3 s so).
    gc.collect()
    gc.freeze()
    simulation = StaffedSimulation(
        domain,
        random.Random(f"{run['seed']}/{index}"),
        start,
        until,
        ShardRoster(line, domain.engine.calendar.calendar()),
        Durations(run["budgets"], run["history"]),
        planned=arrivals,
    )
    simulation.run(len(arrivals))
    line.send(("end", simulation.virtual.now()))
    clock.install(clock.VirtualClock(line.recv()))
    line.send(("part", part(simulation)))


class Broker:
    """The parent's side: the one roster, and where each shard is on the run's clock."""

    def __init__(self, lines: list[Connection], start: datetime, staff: Mapping[str, int]) -> None:
        self.lines, self.start, self.staff = lines, start, staff
        self.roster: Roster | None = None  # made when the first shard says what its working calendar is
        self.at: dict[int, datetime | None] = dict.fromkeys(range(len(lines)))
        self.asks: dict[int, deque[tuple[datetime, list[tuple[str, str, float]]]]] = {
            i: deque() for i in range(len(lines))
        }
        self.ends: dict[int, datetime] = {}

    def run(self) -> dict[int, datetime]:
        """Serve the shards until each has ended its run; returns where each one's clock stopped."""
        while len(self.ends) < len(self.lines):
            running = {self.lines[i]: i for i in range(len(self.lines)) if i not in self.ends}
            for line in wait(list(running)):
                ready = cast(Connection, line)
                self.receive(running[ready], _recv(ready))
            self.grant()
        return self.ends

    def receive(self, shard: int, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "at":
            self.at[shard] = message[1]
        elif kind == "take":
            self.at[shard] = message[1]
            self.asks[shard].append((message[1], message[2]))
        elif kind == "end":
            self.ends[shard] = message[1]
        elif kind == "calendar" and self.roster is None:
            self.roster = Roster.of(self.start, message[1], self.staff)
        elif kind == "calendar":
            pass
        else:
            raise AwardflowError(str(message[1]))

    def grant(self) -> None:
        """Answer the earliest asks while no shard can still ask for an earlier moment."""
        while any(self.asks.values()):  # a shard's asks come in time order: its first is its earliest
            shard, (moment, asks) = min(((i, q[0]) for i, q in self.asks.items() if q), key=lambda a: (a[1][0], a[0]))
            if not all(self._passed(other, moment, shard) for other in range(len(self.lines)) if other != shard):
                return
            self.asks[shard].popleft()
            assert self.roster is not None  # every shard says its calendar before its first ask
            self.lines[shard].send(self.roster.take(moment, asks))

    def _passed(self, other: int, moment: datetime, shard: int) -> bool:
        if other in self.ends:
            return True
        at = self.at[other]
        return at is not None and (at > moment or at == moment and other > shard)


def _recv(line: Connection) -> Any:
    try:
        return line.recv()
    except EOFError:
        raise AwardflowError("a shard of the simulation stopped without a result") from None


def simulate_sharded(shards: int, dossiers: int, run: dict[str, Any]) -> dict[str, Any]:
    """:func:`web.simulation.simulate_once`'s ``run`` (its workdir, start and until moments, seed, staff, draft,
    budgets and history) with the dossiers dealt out to ``shards`` processes in order of arrival (shard ``i``
    gets the ``i``-th, ``i + shards``-th, …); ``workdir/shard-N`` keeps each database."""
    arrivals = seasonal_arrivals(random.Random(run["seed"]), run["start"], run["until"], dossiers)
    found, roster, as_of = run_shards(shards, arrivals, run)
    previous = clock.install(clock.VirtualClock(as_of))
    try:
        return assemble(found, run["start"], run["until"], roster)
    finally:
        clock.install(previous)


def run_shards(shards: int, arrivals: list[datetime], run: dict[str, Any]) -> tuple[Part, Roster | None, datetime]:
    """The shards' processes served to their end: their reports added up as of the latest shard's end (what
    "waiting now" means in the heat), the one roster, and that moment."""
    context = multiprocessing.get_context("spawn")
    lines, children = [], []
    for index in range(shards):
        ours, theirs = context.Pipe()
        child = context.Process(target=_shard, args=(index, arrivals[index::shards], run, theirs))
        child.start()
        theirs.close()
        lines.append(ours)
        children.append(child)
    broker = Broker(lines, run["start"], run["staff"])
    try:
        as_of = max(broker.run().values())
        for line in lines:
            line.send(as_of)
        found = Part()
        for line in lines:
            found.add(_recv(line)[1])
    finally:
        for line in lines:  # a shard still waiting for an answer stops
            line.close()
        for child in children:
            child.join(30)
            if child.is_alive():
                child.terminate()
    return found, broker.roster, as_of
