"""The only source of "now" in awardflow: a real clock in production, a virtual one in tests.

Everything that needs the time (services, timers, SpiffWorkflow's own timer module) asks
``engine.clock.now()``; tests and simulations install a :class:`VirtualClock` and move it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

__all__ = ["Clock", "ClockDatetime", "SystemClock", "VirtualClock", "current", "install", "now", "wall"]


class Clock(Protocol):
    """Anything that can tell the current moment as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to; used by tests, `simulate` and benchmarks."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (aware); the clock may not go backwards."""
        moment = moment.astimezone(UTC)
        with self._lock:
            if moment < self._now:
                raise ValueError("the virtual clock cannot go backwards")
            self._now = moment

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**kwargs)`` and return the new moment."""
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._now = self._now + step
            return self._now


_current: Clock = SystemClock()


def current() -> Clock:
    """The clock in use in this process."""
    return _current


def install(clock: Clock) -> Clock:
    """Make ``clock`` the process's clock; returns the previous one so callers can restore it."""
    global _current
    previous, _current = _current, clock
    return previous


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return _current.now()


def wall() -> datetime:
    """The real wall time, whatever clock is installed: only for handing run dates to a scheduler that keeps
    real time itself (APScheduler's triggers in :mod:`engine.worker`); business time is :func:`now`."""
    return datetime.now(UTC)


class ClockDatetime(datetime):
    """``datetime`` whose ``now()`` reads this module's clock; given to code we don't own (Spiff's timer
    module, BPMN scripts) so that it, too, follows a virtual clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> ClockDatetime:
        moment = _current.now()
        moment = moment.astimezone(tz) if tz is not None else moment.astimezone(UTC).replace(tzinfo=None)
        return cls.combine(moment.date(), moment.time(), moment.tzinfo)

    @classmethod
    def utcnow(cls) -> ClockDatetime:
        return cls.now(UTC).replace(tzinfo=None)
