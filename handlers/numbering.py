"""Decision numbers: sequential per issuing body and year, with no gaps and no duplicates.

One counter row per (issuing body, year) is bumped by a single ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` inside the caller's transaction. The row lock it takes makes a concurrent signer wait until
this transaction ends: if it commits, the other gets the next number; if it rolls back, the number was
never used and the other gets it. So numbers are handed out in commit order without holes.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from handlers.models import DecisionCounter

__all__ = ["allocate", "bonus_amount", "decision_symbol", "peek"]


def allocate(session: Session, issuing_body: str, year: int) -> int:
    """The next decision number of ``issuing_body`` in ``year``; taken for good only if the caller commits."""
    if session.get_bind().dialect.name not in _UPSERTING:
        return _allocate_portably(session, issuing_body, year)
    number: int = session.execute(_BUMP, {"body": issuing_body, "year": year}).scalar_one()
    return number


#: the databases whose upsert :data:`_BUMP` is written in (the same words in both)
_UPSERTING = ("sqlite", "postgresql")
#: The upsert that bumps a counter, as text: SQLAlchemy gives its dialects' ``on_conflict_do_update`` no cache
#: key, so the construct was compiled anew for every new dossier (which takes its code with it): a hundredth of
#: a what-if run. A text statement is compiled once.
_BUMP = text(
    "INSERT INTO decision_counter (issuing_body, year, last_number) VALUES (:body, :year, 1) "
    "ON CONFLICT (issuing_body, year) DO UPDATE SET last_number = decision_counter.last_number + 1 "
    "RETURNING last_number"
)


def _allocate_portably(session: Session, issuing_body: str, year: int) -> int:
    """Other databases: lock the row (SELECT … FOR UPDATE), bump it, or create it."""
    row = session.scalars(
        select(DecisionCounter)
        .where(DecisionCounter.issuing_body == issuing_body, DecisionCounter.year == year)
        .with_for_update()
    ).first()
    if row is None:
        row = DecisionCounter(issuing_body=issuing_body, year=year, last_number=0)
        session.add(row)
    row.last_number += 1
    session.flush()
    return row.last_number


def peek(session: Session, issuing_body: str, year: int) -> int:
    """The last number used (0 if none yet); for display, never for allocating."""
    last = session.scalar(
        select(DecisionCounter.last_number).where(
            DecisionCounter.issuing_body == issuing_body, DecisionCounter.year == year
        )
    )
    return int(last or 0)


def decision_symbol(number: int, symbol: str) -> str:
    """``1234/QĐ-UBND``."""
    return f"{number}/{symbol}"


def bonus_amount(multiple: Decimal, base_salary_vnd: int, rounding_vnd: int = 1) -> int:
    """A cash bonus: ``multiple`` × base salary, rounded up to a multiple of ``rounding_vnd``."""
    if multiple < 0 or base_salary_vnd < 0 or rounding_vnd < 1:
        raise ValueError("bonus multiple, base salary and rounding must be positive")
    exact = multiple * Decimal(base_salary_vnd)
    steps = (exact / Decimal(rounding_vnd)).to_integral_value(rounding=ROUND_CEILING)
    return int(steps) * rounding_vnd
