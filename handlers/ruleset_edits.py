"""The structural edits of a rule-set draft a designer makes in the browser: add or remove an award type, add or
remove an eligibility condition. Pure (no database): each returns the changed draft or refuses, in Vietnamese,
naming the field; the whole draft is still checked by :func:`handlers.catalogue.parse` when previewed or published.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import InvalidInput
from handlers.catalogue import RECIPIENT_KINDS, RULE_PARAMS
from handlers.ruleset_labels import split

__all__ = ["ADDABLE_RULES", "NewAward", "add_award", "add_rule", "remove_award", "remove_rule"]

#: an award type's code: capitals, digits and underscores, as the shipped ones are written
CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
#: the conditions a designer may add, with where each takes its parameters' first values from
ADDABLE_RULES = ("freeze", "has_title", "consecutive_titles", "initiative")
#: where the fields of a new award type are posted
NEW = "new_award"


@dataclass(frozen=True)
class NewAward:
    """What a designer gives for a new award type; the rest (numbers, papers, conditions) is edited after."""

    code: str
    name: str
    issuing_body: str
    recipients: Sequence[str]
    procedure: str
    council: str
    threshold: str
    quorum: str
    papers: Sequence[str]


def add_award(content: Mapping[str, Any], new: NewAward) -> dict[str, Any]:
    """The draft with ``new`` added at the end of its award types; InvalidInput naming each ``new_award.*`` field
    that is missing, unknown to the draft or taken."""
    draft = copy.deepcopy(dict(content))
    awards = draft.setdefault("award_types", {})
    problems = _problems(draft, new)
    if problems:
        raise InvalidInput("chưa thêm được hình thức khen thưởng", problems)
    awards[new.code] = {
        "name": new.name.strip(),
        "recipients": list(new.recipients),
        "issuing_body": new.issuing_body,
        "required_papers": list(new.papers),
        "eligibility": {kind: [{"rule": "freeze"}] for kind in new.recipients},
        "vote": {"council": new.council, "threshold": new.threshold, "quorum": new.quorum} if new.council else None,
        "quota": None,
        "agencies": [],
        "limit": _limit_of(draft, new.procedure),
        "procedure": new.procedure,
        "supplement_policy": "resume",
        "supplement_within": "10WD",
        "bonus_multiple": {kind: "1.0" for kind in new.recipients},
    }
    return draft


def _problems(draft: Mapping[str, Any], new: NewAward) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not CODE.match(new.code):
        problems[f"{NEW}.code"] = ["ghi chữ in hoa, số hoặc gạch dưới, bắt đầu bằng chữ, ví dụ BK_SO"]
    elif new.code in draft["award_types"]:
        problems[f"{NEW}.code"] = [f"đã có hình thức khen thưởng mã {new.code}"]
    if not new.name.strip():
        problems[f"{NEW}.name"] = ["hãy ghi tên hình thức khen thưởng"]
    if new.issuing_body not in (draft.get("issuing_bodies") or {}):
        problems[f"{NEW}.issuing_body"] = ["hãy chọn một cơ quan ban hành trong danh sách"]
    if not new.recipients or any(kind not in RECIPIENT_KINDS for kind in new.recipients):
        problems[f"{NEW}.recipients"] = ["hãy chọn ít nhất một đối tượng: cá nhân, tập thể hoặc hộ gia đình"]
    if new.procedure not in (draft.get("procedures") or {}):
        problems[f"{NEW}.procedure"] = ["hãy chọn một quy trình nội bộ trong danh sách"]
    if new.council and new.council not in (draft.get("councils") or {}):
        problems[f"{NEW}.council"] = ["hãy chọn một hội đồng trong danh sách, hoặc không bỏ phiếu"]
    kinds = (draft.get("papers") or {}).get("kinds") or {}
    if any(paper not in kinds for paper in new.papers):
        problems[f"{NEW}.required_papers"] = ["chỉ chọn giấy tờ có trong danh mục giấy tờ"]
    return problems


def _limit_of(draft: Mapping[str, Any], procedure: str) -> str:
    """The time limit the procedure's step budgets add up to (the catalogue requires them equal)."""
    try:
        steps = draft["procedures"][procedure]["steps"]
        days = sum((Decimal(str(s["budget"]).removesuffix("WD")) for s in steps), Decimal(0))
    except (KeyError, TypeError, InvalidOperation):
        return ""
    return f"{days.normalize():f}WD"


def remove_award(content: Mapping[str, Any], code: str) -> dict[str, Any]:
    """The draft without award type ``code`` (and without it in the public consultation's list); a dossier of that
    type received from the version's effective date is refused. InvalidInput for a code the draft has not."""
    draft = copy.deepcopy(dict(content))
    if code not in (draft.get("award_types") or {}):
        raise InvalidInput("không bỏ được hình thức khen thưởng", {"remove_award": [f"không có hình thức mã {code}"]})
    del draft["award_types"][code]
    consultation = draft.get("consultation")
    if isinstance(consultation, dict) and isinstance(consultation.get("award_types"), list):
        consultation["award_types"] = [c for c in consultation["award_types"] if c != code]
    return draft


def add_rule(content: Mapping[str, Any], code: str, recipient: str, kind: str) -> dict[str, Any]:
    """The draft with a condition of ``kind`` added to award type ``code`` for ``recipient``, its parameters set
    to the first title or scope and a count of 2 (the form edits them next)."""
    draft = copy.deepcopy(dict(content))
    award = (draft.get("award_types") or {}).get(code)
    field = f"award_types.{code}.add_rule"
    if not isinstance(award, dict) or recipient not in (award.get("recipients") or ()):
        raise InvalidInput("chưa thêm được điều kiện", {field: ["hãy chọn một đối tượng của hình thức này"]})
    if kind not in ADDABLE_RULES:
        raise InvalidInput("chưa thêm được điều kiện", {field: ["hãy chọn một loại điều kiện trong danh sách"]})
    defaults = {
        "title": next(iter(draft.get("titles") or {}), None),
        "count": 2,
        "min_scope": next(iter(draft.get("initiative_scopes") or {}), None),
    }
    rule = {"rule": kind, **{param: defaults[param] for param in RULE_PARAMS[kind]}}
    eligibility = award.get("eligibility")
    if not isinstance(eligibility, dict):
        eligibility = award["eligibility"] = {}
    eligibility.setdefault(recipient, []).append(rule)
    return draft


def remove_rule(content: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The draft without the condition at ``path`` (``award_types.X.eligibility.individual[1]``)."""
    draft = copy.deepcopy(dict(content))
    parts = split(path)
    refused = InvalidInput("không bỏ được điều kiện", {"remove_rule": ["không có điều kiện này trong bản nháp"]})
    if len(parts) != 5 or parts[0] != "award_types" or parts[2] != "eligibility" or not isinstance(parts[4], int):
        raise refused
    rules = _at(draft, parts[:4])
    if not isinstance(rules, list) or not 0 <= parts[4] < len(rules):
        raise refused
    del rules[parts[4]]
    return draft


def _at(node: Any, parts: Sequence[str | int]) -> Any:
    """The value at ``parts`` of a draft, or None wherever the draft (carried by the page) is not shaped so."""
    for part in parts:
        node = node.get(part) if isinstance(node, dict) else None
    return node
