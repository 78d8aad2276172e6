"""Eligibility checks computed from a nominee's data, shown to the appraiser, who decides (pure).

Each rule of an award type (``eligibility`` in the catalogue) becomes one :class:`Check` saying what the rule
asks, what the data shows and whether it is met: True, False, or None when the data needed is missing (the
appraiser must look at the papers). The product never rejects on its own: it prepares the appraiser's view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from handlers.catalogue import AwardType, Catalogue, Rule, format_ratio

__all__ = ["Check", "evaluate", "verdict"]

FREEZE_FLAGS = {
    "discipline": "đang trong thời gian bị kỷ luật",
    "under_investigation": "đang bị điều tra, thanh tra, kiểm tra có dấu hiệu vi phạm",
    "open_complaint": "có đơn thư khiếu nại, tố cáo đang được xác minh",
}
KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể", "household": "hộ gia đình"}


@dataclass(frozen=True)
class Check:
    """One rule applied to one nominee."""

    rule: str
    label: str
    passed: bool | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(nominee: Mapping[str, Any], award: AwardType, rules: Catalogue, year: int) -> list[Check]:
    """Every check of ``award`` for ``nominee`` (its facts as submitted) for achievements of ``year``."""
    kind = str(nominee.get("kind", "individual"))
    if kind not in award.recipients:
        allowed = ", ".join(KIND_NAMES.get(k, k) for k in award.recipients)
        detail = f"{award.name} chỉ xét tặng cho {allowed}"
        return [Check("recipient", "Đối tượng được xét tặng", False, detail)]
    return [_RULES[rule.kind](nominee, rule, rules, year) for rule in award.eligibility.get(kind, ())]


def verdict(checks: list[Check]) -> str:
    """dat (all met), khong_dat (one failed) or can_xem_xet (data missing): a suggestion only."""
    if any(c.passed is False for c in checks):
        return "khong_dat"
    if any(c.passed is None for c in checks):
        return "can_xem_xet"
    return "dat"


def _freeze(nominee: Mapping[str, Any], rule: Rule, rules: Catalogue, year: int) -> Check:
    label = "Không thuộc trường hợp tạm hoãn xét khen thưởng"
    found = [text for flag, text in FREEZE_FLAGS.items() if nominee.get(flag)]
    if found:
        return Check("freeze", label, False, "Tạm hoãn: " + "; ".join(found))
    return Check("freeze", label, True, "Không bị kỷ luật, điều tra hay khiếu nại, tố cáo (theo hồ sơ)")


def _titles(nominee: Mapping[str, Any], title: str) -> set[int]:
    return {int(t["year"]) for t in nominee.get("titles") or [] if t.get("title") == title and "year" in t}


def _has_title(nominee: Mapping[str, Any], rule: Rule, rules: Catalogue, year: int) -> Check:
    title = str(rule.params["title"])
    name = rules.titles.get(title, title)
    label = f"Đạt danh hiệu “{name}” năm {year}"
    if year in _titles(nominee, title):
        return Check("has_title", label, True, f"Đã đạt “{name}” năm {year}")
    return Check("has_title", label, False, f"Không có danh hiệu “{name}” năm {year} trong hồ sơ")


def _consecutive_titles(nominee: Mapping[str, Any], rule: Rule, rules: Catalogue, year: int) -> Check:
    title, count = str(rule.params["title"]), int(rule.params["count"])
    name = rules.titles.get(title, title)
    label = f"{count} lần liên tục đạt “{name}” đến năm {year}"
    wanted = list(range(year - count + 1, year + 1))
    have = _titles(nominee, title)
    missing = [y for y in wanted if y not in have]
    if not missing:
        return Check("consecutive_titles", label, True, "Đạt các năm " + ", ".join(map(str, wanted)))
    got = [y for y in wanted if y in have]
    shown = ", ".join(map(str, got)) if got else "không năm nào"
    return Check("consecutive_titles", label, False, f"Đạt: {shown}; thiếu năm " + ", ".join(map(str, missing)))


def _initiative(nominee: Mapping[str, Any], rule: Rule, rules: Catalogue, year: int) -> Check:
    scopes = list(rules.initiative_scopes)
    minimum = str(rule.params["min_scope"])
    label = f"Có sáng kiến, đề tài được công nhận {rules.scope_names.get(minimum, minimum)} trở lên"
    initiatives = nominee.get("initiatives") or []
    good = [i for i in initiatives if i.get("scope") in scopes and scopes.index(i["scope"]) >= scopes.index(minimum)]
    if good:
        best = max(good, key=lambda i: scopes.index(i["scope"]))
        scope = rules.scope_names.get(best["scope"], best["scope"])
        return Check("initiative", label, True, f"“{best.get('name', 'Sáng kiến')}” được công nhận {scope}")
    if initiatives:
        return Check("initiative", label, False, "Sáng kiến trong hồ sơ chưa đạt phạm vi yêu cầu")
    return Check("initiative", label, False, "Hồ sơ không kê khai sáng kiến, đề tài")


def _number(nominee: Mapping[str, Any], field: str) -> int | None:
    value = nominee.get(field)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _ratio(nominee: Mapping[str, Any], rule: Rule, rules: Catalogue, year: int) -> Check:
    part_field, whole_field = str(rule.params["part"]), str(rule.params.get("whole", "members_total"))
    minimum: Fraction = rule.params["min"]
    what = str(rule.params.get("label", part_field))
    label = f"Tỷ lệ {what} từ {format_ratio(minimum)} trở lên"
    part, whole = _number(nominee, part_field), _number(nominee, whole_field)
    if part is None or not whole:
        return Check("ratio", label, None, "Hồ sơ chưa có đủ số liệu để tính tỷ lệ")
    share = Fraction(part, whole)
    detail = f"{part}/{whole} = {format_ratio(share)}"
    return Check("ratio", label, share >= minimum, detail)


def _min_count(nominee: Mapping[str, Any], rule: Rule, rules: Catalogue, year: int) -> Check:
    field, minimum = str(rule.params["field"]), int(rule.params["min"])
    label = f"Có ít nhất {minimum} {rule.params.get('label', field)}"
    value = _number(nominee, field)
    if value is None:
        return Check("min_count", label, None, "Hồ sơ chưa có số liệu")
    return Check("min_count", label, value >= minimum, f"Có {value}")


def _max_value(nominee: Mapping[str, Any], rule: Rule, rules: Catalogue, year: int) -> Check:
    field, maximum = str(rule.params["field"]), int(rule.params["max"])
    label = str(rule.params.get("label", f"{field} không quá {maximum}")).capitalize()
    value = _number(nominee, field)
    if value is None:
        return Check("max_value", label, None, "Hồ sơ chưa có số liệu")
    return Check("max_value", label, value <= maximum, f"Xếp thứ {value}")


_RULES: dict[str, Callable[[Mapping[str, Any], Rule, Catalogue, int], Check]] = {
    "freeze": _freeze,
    "has_title": _has_title,
    "consecutive_titles": _consecutive_titles,
    "initiative": _initiative,
    "ratio": _ratio,
    "min_count": _min_count,
    "max_value": _max_value,
}
