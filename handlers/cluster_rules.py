"""An emulation cluster's scoring rules as typed, checked values (pure: no database, no clock).

A rule set is one YAML document (``processes/clusters/rules/*.yaml``) with a version and an effective date: the
scoring grid (groups of criteria with their maximum points, which need evidence, which are key criteria; bonus
and penalty items), the weights of the self-score and the cross-grades, the cross-grading mode, the
reconciliation tolerance, the tie-breaks, the vote (quorum and threshold over ALL members, as the council's),
the number of flags and certificates a cluster may propose, and the year's deadlines. A document that cannot be
used is refused with every problem listed, each under the path of the field (``grid.groups[0].criteria[1].max``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from handlers.catalogue import CatalogueInvalid, parse_ratio

__all__ = [
    "CROSS_MODES",
    "TIE_BREAKS",
    "ClusterRules",
    "Criterion",
    "Deadlines",
    "Item",
    "as_day",
    "parse",
    "points",
]

#: every member grades every other member, or only the head's grading group (head and deputy) grades
CROSS_MODES = {"all": "Mọi thành viên chấm chéo lẫn nhau", "head_group": "Tổ chấm của trưởng cụm, khối chấm"}
#: what breaks a tie on the total, in the order the rule set lists them
TIE_BREAKS = {"key_criteria": "Điểm các tiêu chí trọng tâm cao hơn", "votes": "Số phiếu bầu cao hơn"}


def as_day(value: Any) -> date | None:
    """A date from YAML (a date, or ISO text once the document went through JSON); None if it is not one."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def points(value: Any) -> Decimal:
    """Points as an exact decimal (18, 18.5, "18,5"); ValueError for anything else (booleans included)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("Không phải là số điểm")
    try:
        found = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError("Không phải là số điểm") from None
    if not found.is_finite():
        raise ValueError("Không phải là số điểm")
    return found


@dataclass(frozen=True)
class Criterion:
    """A criterion of the grid: code, name, its group, the maximum points, evidence required, key criterion."""

    code: str
    name: str
    group: str
    max: Decimal
    evidence: bool = False
    key: bool = False


@dataclass(frozen=True)
class Item:
    """A bonus (adds) or penalty (subtracts) item, from 0 up to ``max`` points."""

    code: str
    name: str
    max: Decimal
    sign: int


@dataclass(frozen=True)
class Deadlines:
    """Day and month of the year's dates: scoring opens, self-scores due, cross-grades due, proposal due."""

    scoring_opens: tuple[int, int]
    self_score: tuple[int, int]
    cross_grade: tuple[int, int]
    proposal: tuple[int, int]

    def on(self, name: str, year: int) -> date:
        day, month = getattr(self, name)
        return date(year, month, day)


@dataclass(frozen=True)
class ClusterRules:
    version: str
    name: str
    effective_from: date
    groups: Mapping[str, str]
    criteria: tuple[Criterion, ...]
    bonus: tuple[Item, ...]
    penalty: tuple[Item, ...]
    self_weight: Fraction
    cross_weight: Fraction
    cross_mode: str
    tolerance: Decimal
    tie_breaks: tuple[str, ...]
    threshold: Fraction
    quorum: Fraction
    flags: int
    certificates: int
    deadlines: Deadlines

    @property
    def items(self) -> dict[str, Criterion | Item]:
        """Every code a score sheet may carry: criteria, bonus and penalty items."""
        found: dict[str, Criterion | Item] = {c.code: c for c in self.criteria}
        found.update({i.code: i for i in (*self.bonus, *self.penalty)})
        return found

    @property
    def key_criteria(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria if c.key)

    @property
    def max_total(self) -> Decimal:
        return sum((c.max for c in self.criteria), Decimal(0)) + sum((b.max for b in self.bonus), Decimal(0))


def parse(content: Mapping[str, Any], source: str) -> ClusterRules:
    """The rules of one YAML document; CatalogueInvalid listing every problem by field path."""
    problems: dict[str, list[str]] = {}

    def bad(where: str, message: str) -> None:
        problems.setdefault(where, []).append(message)

    version = str(content.get("version") or "").strip()
    if not version:
        bad("version", "Thiếu số phiên bản")
    effective = as_day(content.get("effective_from"))
    if effective is None:
        bad("effective_from", "Ngày hiệu lực phải là ngày (YYYY-MM-DD)")
    grid = _section(content, "grid")
    if not grid:
        bad("grid", "Thiếu bảng tiêu chí chấm điểm")
    groups, criteria = _groups(grid.get("groups"), bad)
    bonus = _items(grid.get("bonus"), "grid.bonus", 1, bad)
    penalty = _items(grid.get("penalty"), "grid.penalty", -1, bad)
    codes = [c.code for c in criteria] + [i.code for i in (*bonus, *penalty)]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        bad("grid", f"Mã {code} bị trùng trong bảng tiêu chí")
    weights = _section(content, "weights")
    self_weight = _ratio(weights.get("self", "0"), "weights.self", bad)
    cross_weight = _ratio(weights.get("cross", "1"), "weights.cross", bad)
    if self_weight + cross_weight != 1:
        bad("weights", "Trọng số tự chấm và chấm chéo phải cộng lại bằng 100%")
    mode = str(content.get("cross_grading") or "")
    if mode not in CROSS_MODES:
        bad("cross_grading", f"Cách chấm chéo phải là một trong: {', '.join(CROSS_MODES)}")
    tolerance = _points(content.get("tolerance"), "tolerance", bad)
    ties = tuple(str(t) for t in content.get("tie_breaks") or [])
    for i, tie in enumerate(ties):
        if tie not in TIE_BREAKS:
            bad(f"tie_breaks[{i}]", f"Tiêu chí phân định bằng điểm phải là một trong: {', '.join(TIE_BREAKS)}")
    if "key_criteria" in ties and not any(c.key for c in criteria):
        bad("tie_breaks", "Phân định theo tiêu chí trọng tâm nhưng bảng tiêu chí không có tiêu chí trọng tâm (key)")
    vote = _section(content, "vote")
    threshold = _ratio(vote.get("threshold"), "vote.threshold", bad)
    quorum = _ratio(vote.get("quorum"), "vote.quorum", bad)
    flags = _count(content.get("flags"), "flags", 1, bad)
    certificates = _count(content.get("certificates"), "certificates", 0, bad)
    deadlines = _deadlines(content.get("deadlines"), bad)
    if problems:
        raise CatalogueInvalid(f"{source}: bộ quy tắc chấm điểm cụm, khối chưa hợp lệ", problems)
    assert isinstance(effective, date) and deadlines is not None
    return ClusterRules(
        version=version,
        name=str(content.get("name") or version),
        effective_from=effective,
        groups=groups,
        criteria=tuple(criteria),
        bonus=tuple(bonus),
        penalty=tuple(penalty),
        self_weight=self_weight,
        cross_weight=cross_weight,
        cross_mode=mode,
        tolerance=tolerance,
        tie_breaks=ties,
        threshold=threshold,
        quorum=quorum,
        flags=flags,
        certificates=certificates,
        deadlines=deadlines,
    )


def _section(content: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    found = content.get(name)
    return found if isinstance(found, Mapping) else {}


def _groups(listed: Any, bad: Any) -> tuple[dict[str, str], list[Criterion]]:
    groups: dict[str, str] = {}
    criteria: list[Criterion] = []
    if not isinstance(listed, list) or not listed:
        bad("grid.groups", "Bảng tiêu chí cần ít nhất một nhóm tiêu chí")
        return groups, criteria
    for g, group in enumerate(listed):
        where = f"grid.groups[{g}]"
        if not isinstance(group, Mapping) or not group.get("code") or not group.get("name"):
            bad(where, "Mỗi nhóm tiêu chí cần mã (code) và tên (name)")
            continue
        groups[str(group["code"])] = str(group["name"])
        found = group.get("criteria")
        if not isinstance(found, list) or not found:
            bad(f"{where}.criteria", "Nhóm tiêu chí cần ít nhất một tiêu chí")
            continue
        for c, item in enumerate(found):
            top = _entry(item, f"{where}.criteria[{c}]", bad)
            if top is None:
                continue
            criteria.append(
                Criterion(
                    str(item["code"]),
                    str(item["name"]),
                    str(group["code"]),
                    top,
                    bool(item.get("evidence", False)),
                    bool(item.get("key", False)),
                )
            )
    return groups, criteria


def _items(listed: Any, where: str, sign: int, bad: Any) -> list[Item]:
    out: list[Item] = []
    for i, item in enumerate(listed or []):
        top = _entry(item, f"{where}[{i}]", bad)
        if top is not None:
            out.append(Item(str(item["code"]), str(item["name"]), top, sign))
    return out


def _entry(item: Any, spot: str, bad: Any) -> Decimal | None:
    """The maximum points of a criterion or item that has a code and a name (None, and why, when it has not)."""
    if not isinstance(item, Mapping) or not item.get("code") or not item.get("name"):
        bad(spot, "Mỗi tiêu chí, mục cần mã (code) và tên (name)")
        return None
    top = _points(item.get("max"), f"{spot}.max", bad)
    if top <= 0:
        bad(f"{spot}.max", "Điểm tối đa phải lớn hơn 0")
    return top


def _points(value: Any, where: str, bad: Any) -> Decimal:
    try:
        found = points(value)
    except ValueError as problem:
        bad(where, str(problem))
        return Decimal(0)
    if found < 0:
        bad(where, "Không được là số âm")
    return found


def _ratio(value: Any, where: str, bad: Any) -> Fraction:
    try:
        return parse_ratio(value)
    except ValueError:
        bad(where, "Tỷ lệ viết dạng 2/3, 90% hoặc 0.8, trong khoảng từ 0 đến 1")
        return Fraction(0)


def _count(value: Any, where: str, least: int, bad: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        bad(where, f"Phải là số nguyên từ {least} trở lên")
        return least
    return value


def _deadlines(given: Any, bad: Any) -> Deadlines | None:
    if not isinstance(given, Mapping):
        bad("deadlines", "Thiếu các mốc thời gian trong năm (scoring_opens, self_score, cross_grade, proposal)")
        return None
    found: dict[str, tuple[int, int]] = {}
    for name in ("scoring_opens", "self_score", "cross_grade", "proposal"):
        text = str(given.get(name) or "")
        try:
            day, month = (int(part) for part in text.split("/"))
            date(2000, month, day)  # a leap year: 29/02 is a day of some years
        except ValueError:
            bad(f"deadlines.{name}", "Ngày trong năm viết dạng dd/mm, ví dụ 10/12")
            continue
        found[name] = (day, month)
    if len(found) < 4:
        return None
    order = [(m, d) for d, m in found.values()]
    if order != sorted(order):
        bad("deadlines", "Các mốc phải theo thứ tự: mở chấm điểm, hạn tự chấm, hạn chấm chéo, hạn gửi đề nghị")
    return Deadlines(**found)
