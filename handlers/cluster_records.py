"""A cluster year's records as the service, the procedure's handlers and the pages read them: lookups by code
and year, the members on a day, who has not acted yet, and each unit's scores as its sheets give them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import NotFound
from handlers import cluster_data, cluster_scoring
from handlers.cluster_rules import ClusterRules
from handlers.models import Cluster, ClusterResult, ClusterSheet, ClusterYear
from handlers.timefmt import local_day

__all__ = [
    "Scored",
    "cluster_by_code",
    "members_on",
    "not_acted",
    "results_of",
    "rules_of",
    "scored_members",
    "scored_unit",
    "sheets_of",
    "year_of",
    "years_in",
]


@dataclass(frozen=True)
class Scored:
    """A unit's scores as the sheets give them (see :func:`scored_unit`)."""

    self_total: Decimal | None
    cross_average: Decimal | None
    gap: Decimal
    reconciled: bool
    scores: dict[str, Decimal]
    total: Decimal | None
    key_total: Decimal | None


def scored_unit(rules: ClusterRules, sheets: Sequence[ClusterSheet], unit: str) -> Scored:
    """A unit's self-score, cross-grades' average, gap and final points: the head's reconciled sheet where there
    is one, else the weighted combination (nothing without a self-score)."""

    def points(sheet: ClusterSheet) -> dict[str, Decimal]:
        return {code: Decimal(v) for code, v in sheet.scores.items()}

    own = next((points(s) for s in sheets if s.kind == "self" and s.graded_unit == unit), None)
    crosses = [points(s) for s in sheets if s.kind == "cross" and s.graded_unit == unit]
    reconciled = next((points(s) for s in sheets if s.kind == "reconciled" and s.graded_unit == unit), None)
    cross_average = (
        (sum((cluster_scoring.total(rules, c) for c in crosses), Decimal(0)) / len(crosses)).quantize(
            cluster_scoring.CENT
        )
        if crosses
        else None
    )
    if own is None:
        return Scored(None, cross_average, Decimal(0), False, {}, None, None)
    final = reconciled if reconciled is not None else cluster_scoring.combine(rules, own, crosses)
    cent = cluster_scoring.CENT
    return Scored(
        cluster_scoring.total(rules, own).quantize(cent),
        cross_average,
        cluster_scoring.gap(rules, own, crosses),
        reconciled is not None,
        final,
        cluster_scoring.total(rules, final).quantize(cent),
        cluster_scoring.key_total(rules, final).quantize(cent),
    )


def cluster_by_code(session: Session, code: str) -> Cluster:
    found = session.scalars(select(Cluster).where(Cluster.code == code)).first()
    if found is None:
        raise NotFound(f"no cluster {code!r}")
    return found


def year_of(session: Session, code: str, year: int, *, lock: bool = False) -> ClusterYear:
    cluster = cluster_by_code(session, code)
    stmt = select(ClusterYear).where(ClusterYear.cluster_id == cluster.id, ClusterYear.year == year)
    found = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if found is None:
        raise NotFound(f"cluster {code!r} has no year {year}")
    return found


def sheets_of(session: Session, row: ClusterYear) -> list[ClusterSheet]:
    """Every score sheet of the year (self, cross, reconciled)."""
    return list(session.scalars(select(ClusterSheet).where(ClusterSheet.cluster_year_id == row.id)))


def years_in(session: Session, year: int) -> list[tuple[ClusterYear, Cluster]]:
    """Every cluster's year ``year``, by the cluster's name."""
    stmt = (
        select(ClusterYear, Cluster)
        .join(Cluster, Cluster.id == ClusterYear.cluster_id)
        .where(ClusterYear.year == year)
        .order_by(Cluster.name)
    )
    return list(session.execute(stmt).tuples())


def rules_of(session: Session, row: ClusterYear) -> ClusterRules:
    if row.rule_set_id is not None:
        return cluster_data.rules_by_id(session, row.rule_set_id)
    return cluster_data.rules_in_force(session, date(row.year, 1, 1))[1]


def scored_members(row: ClusterYear) -> list[str]:
    """The members scored and ranked this year: those in the cluster on the day scoring opens (a unit merged
    away before it is not; one that joined is)."""
    day = local_day(row.scoring_opens_at) if row.scoring_opens_at else date(row.year, 12, 31)
    return members_on(row, day)


def members_on(row: ClusterYear, day: date) -> list[str]:
    return [m.unit for m in row.members if m.valid_from <= day and (m.valid_to is None or day <= m.valid_to)]


def results_of(session: Session, row: ClusterYear) -> list[ClusterResult]:
    return list(
        session.scalars(
            select(ClusterResult).where(ClusterResult.cluster_year_id == row.id).order_by(ClusterResult.rank)
        )
    )


def not_acted(session: Session, row: ClusterYear) -> list[str]:
    """Who has not acted in the current phase: unsigned pledges, missing self-scores or cross-grades."""
    if row.phase == "pledge":
        return [
            m.unit
            for m in row.members
            if m.pledge_signed_at is None and m.unit in members_on(row, local_day(clock.now()))
        ]
    sheets = sheets_of(session, row)
    if row.phase == "self_score":
        done = {s.graded_unit for s in sheets if s.kind == "self"}
        return [u for u in scored_members(row) if u not in done]
    if row.phase == "cross_grade":
        done_pairs = {(s.grader_unit, s.graded_unit) for s in sheets if s.kind == "cross"}
        expected = cluster_scoring.expected_graders(
            rules_of(session, row), scored_members(row), row.head_unit, row.deputy_unit
        )
        late = {g for unit, graders in expected.items() for g in graders if (g, unit) not in done_pairs}
        return [u for u in scored_members(row) if u in late]
    return []
