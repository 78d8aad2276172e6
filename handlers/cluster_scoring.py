"""A cluster's arithmetic, pure: a score sheet checked against the grid, totals, who grades whom, the gap between
a unit's self-score and its cross-grades, the final score, and the ranking with the rule set's tie-breaks.

Points are exact decimals (a sheet stores them as text); a final score is rounded to hundredths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from engine.errors import InvalidInput
from handlers.cluster_rules import ClusterRules, Item, points

__all__ = ["Standing", "check_sheet", "combine", "expected_graders", "gap", "key_total", "ranking", "total"]

CENT = Decimal("0.01")


def check_sheet(
    rules: ClusterRules, scores: Mapping[str, Any], evidence: Mapping[str, Sequence[Any]] | None = None
) -> dict[str, Decimal]:
    """The sheet's points by code, every criterion given and within its bounds (bonus and penalty items default
    to 0); with ``evidence`` (a self-score), every criterion that needs evidence has at least one file.
    InvalidInput naming each field (``scores.I.1``), in Vietnamese; nothing is kept of a refused sheet."""
    problems: dict[str, list[str]] = {}
    items = rules.items
    out: dict[str, Decimal] = {}
    for code in sorted(set(scores) - set(items)):
        problems[f"scores.{code}"] = [f"Mã {code} không có trong bảng tiêu chí"]
    for code, item in items.items():
        given = scores.get(code)
        if given is None or given == "":
            if isinstance(item, Item):
                out[code] = Decimal(0)
            else:
                problems[f"scores.{code}"] = [f"Chưa chấm tiêu chí {code} ({item.name})"]
            continue
        try:
            value = points(given)
        except ValueError:
            problems[f"scores.{code}"] = [f"Điểm tiêu chí {code} phải là một số"]
            continue
        if not Decimal(0) <= value <= item.max:
            problems[f"scores.{code}"] = [f"Điểm tiêu chí {code} phải từ 0 đến {_text(item.max)} (đã nhập {given})"]
            continue
        out[code] = value
    if evidence is not None:
        for criterion in rules.criteria:
            if criterion.evidence and not evidence.get(criterion.code):
                problems[f"evidence.{criterion.code}"] = [
                    f"Tiêu chí {criterion.code} ({criterion.name}) cần có tài liệu minh chứng"
                ]
    if problems:
        raise InvalidInput("Bảng điểm chưa hợp lệ: " + ", ".join(sorted(problems)), problems)
    return out


def total(rules: ClusterRules, scores: Mapping[str, Decimal]) -> Decimal:
    """Criteria and bonus items add, penalty items subtract."""
    sign = {i.code: i.sign for i in (*rules.bonus, *rules.penalty)}
    return sum((v * sign.get(code, 1) for code, v in scores.items()), Decimal(0))


def key_total(rules: ClusterRules, scores: Mapping[str, Decimal]) -> Decimal:
    """The sum over the key criteria (the first tie-break)."""
    return sum((scores.get(code, Decimal(0)) for code in rules.key_criteria), Decimal(0))


def expected_graders(
    rules: ClusterRules, members: Sequence[str], head: str, deputy: str | None
) -> dict[str, list[str]]:
    """Graded unit → the units that must grade it: every other member, or the head's grading group (head and
    deputy; each of them is graded by the other). Nobody grades itself."""
    group = [u for u in (head, deputy) if u and u in members] if rules.cross_mode == "head_group" else list(members)
    return {unit: [g for g in group if g != unit] for unit in members}


def _average(sheets: Sequence[Mapping[str, Decimal]], code: str) -> Decimal:
    return sum((s.get(code, Decimal(0)) for s in sheets), Decimal(0)) / len(sheets)


def _weighted(weight: Fraction, value: Decimal) -> Decimal:
    return value * weight.numerator / weight.denominator


def combine(
    rules: ClusterRules, own: Mapping[str, Decimal], crosses: Sequence[Mapping[str, Decimal]]
) -> dict[str, Decimal]:
    """The final points per code: the self-score and the cross-grades' average, weighted by the rule set
    (the self-score alone when nobody graded the unit)."""
    if not crosses:
        return {code: v.quantize(CENT, ROUND_HALF_UP) for code, v in own.items()}
    return {
        code: (
            _weighted(rules.self_weight, own.get(code, Decimal(0)))
            + _weighted(rules.cross_weight, _average(crosses, code))
        ).quantize(CENT, ROUND_HALF_UP)
        for code in rules.items
    }


def gap(rules: ClusterRules, own: Mapping[str, Decimal], crosses: Sequence[Mapping[str, Decimal]]) -> Decimal:
    """How far the self-score's total is from the cross-grades' average total (0 with no cross-grade)."""
    if not crosses:
        return Decimal(0)
    average = sum((total(rules, c) for c in crosses), Decimal(0)) / len(crosses)
    return abs(total(rules, own) - average).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Standing:
    """A member's place: its final total, key-criteria total, approving votes and rank (shared only when every
    tie-break leaves them equal)."""

    unit: str
    total: Decimal
    key_total: Decimal
    votes: int
    rank: int = 0


def ranking(rules: ClusterRules, standings: Sequence[Standing]) -> list[Standing]:
    """Highest total first; equal totals are told apart by the rule set's tie-breaks in their order."""

    def key(s: Standing) -> tuple[Decimal | int, ...]:
        ties = {"key_criteria": s.key_total, "votes": Decimal(s.votes)}
        return (-s.total, *(-ties[t] for t in rules.tie_breaks))

    ordered = sorted(standings, key=lambda s: (key(s), s.unit))
    out: list[Standing] = []
    for i, s in enumerate(ordered):
        shared = out[-1].rank if out and key(ordered[i - 1]) == key(s) else i + 1
        out.append(Standing(s.unit, s.total, s.key_total, s.votes, shared))
    return out


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")
