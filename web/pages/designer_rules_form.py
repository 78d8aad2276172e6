"""The rule-set editor's form, both ways: which fields of a draft a designer edits (and how they are shown), and
the draft a posted form makes. A field is named by its place in the document (``award_types.CSTD_TINH.limit``),
so a refusal of the catalogue's parser marks the very input it is about.

The form carries the whole draft (hidden, as JSON) and the edited fields over it: a draft started from the version
in force, or from an uploaded YAML file, keeps what the form does not show (councils, the ISO steps, the office).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.errors import InvalidInput
from handlers.catalogue import RULE_PARAMS
from handlers.ruleset_labels import split
from web.pages import posted_json

__all__ = [
    "AwardFields",
    "FormInvalid",
    "RuleField",
    "RuleLine",
    "apply",
    "awards_of",
    "dmy",
    "draft_json",
    "iso_day",
]

#: the form's own fields, not places in the document
CONTROL = frozenset({"csrf_token", "action", "draft", "op"})
#: the prefixes of the form's own fields that edit the draft's structure (``designer_rules_ops``)
CONTROL_PREFIXES = ("new_award.", "add_rule.")
#: a rule's parameters the form edits, with the kind of input: a number, a title or a scope chosen by name
RULE_INPUTS = {"title": "titles", "count": "number", "min_scope": "scopes", "min": "number", "max": "number"}
WORKING_DAYS = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*$")
#: the longest text one field may hold
MAX_FIELD = 500


class FormInvalid(InvalidInput):
    """A refused form, with the draft as typed (its acceptable fields in place) to show again."""

    def __init__(self, message: str, fields: dict[str, list[str]], content: dict[str, Any]) -> None:
        super().__init__(message, fields)
        self.content = content


@dataclass(frozen=True)
class RuleField:
    """One editable parameter of an eligibility rule."""

    path: str
    param: str
    value: str
    choices: str


@dataclass(frozen=True)
class RuleLine:
    """One eligibility rule of an award type, with the parameters the form edits."""

    path: str
    kind: str
    recipient: str
    note: str
    inputs: list[RuleField] = field(default_factory=list)


@dataclass(frozen=True)
class AwardFields:
    """What the form shows of one award type."""

    code: str
    name: str
    recipients: tuple[str, ...]
    issuing_body: str
    vote: Mapping[str, str] | None
    limit: str
    supplement_within: str
    supplement_policy: str
    papers: tuple[str, ...]
    bonus: Mapping[str, str]
    rules: list[RuleLine]


def awards_of(content: Mapping[str, Any]) -> list[AwardFields]:
    """The award types of a draft as the form shows them."""
    found = []
    for code, award in (content.get("award_types") or {}).items():
        if not isinstance(award, Mapping):
            continue
        vote, eligibility = award.get("vote"), award.get("eligibility")
        found.append(
            AwardFields(
                code=str(code),
                name=str(award.get("name") or code),
                recipients=tuple(str(kind) for kind in award.get("recipients") or ()),
                issuing_body=str(award.get("issuing_body") or ""),
                vote={k: str(vote.get(k, "")) for k in ("threshold", "quorum")} if isinstance(vote, Mapping) else None,
                limit=_days(award.get("limit")),
                supplement_within=_days(award.get("supplement_within")),
                supplement_policy=str(award.get("supplement_policy") or ""),
                papers=tuple(str(p) for p in award.get("required_papers") or ()),
                bonus={str(k): str(v) for k, v in (award.get("bonus_multiple") or {}).items()},
                rules=_rules(f"award_types.{code}", eligibility if isinstance(eligibility, Mapping) else {}),
            )
        )
    return found


def _rules(path: str, eligibility: Mapping[str, Any]) -> list[RuleLine]:
    lines = []
    for recipient, rules in eligibility.items():
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, Mapping):
                continue
            where = f"{path}.eligibility.{recipient}[{i}]"
            inputs = [
                RuleField(f"{where}.{param}", param, str(rule[param]), RULE_INPUTS[param])
                for param in RULE_PARAMS.get(str(rule.get("rule")), ())
                if param in RULE_INPUTS and param in rule
            ]
            lines.append(RuleLine(where, str(rule.get("rule")), str(recipient), str(rule.get("label") or ""), inputs))
    return lines


def _days(value: Any) -> str:
    """ "20WD" -> "20" (the form says "ngày làm việc" beside it); empty for none."""
    return "" if value is None else str(value).removesuffix("WD")


def apply(form: MultiDict[str, str]) -> dict[str, Any]:
    """The draft a posted form makes: its hidden document with every edited field put in place.

    InvalidInput naming the field for a draft that is not a JSON document, a date not written dd/mm/yyyy, a
    field too long, or a field the form does not have (nothing of the form is used then).
    """
    content = _draft(form.get("draft", ""))
    editable = _editable(content)
    problems: dict[str, list[str]] = {}
    for key in form:
        values = form.getlist(key)
        if key in CONTROL:
            continue
        if any(len(v) > MAX_FIELD for v in values):
            problems[key] = [f"dài quá {MAX_FIELD} ký tự"]
        elif key.startswith(CONTROL_PREFIXES):
            continue
        elif key not in editable:
            problems[key] = ["biểu mẫu không có trường này"]
        else:
            try:
                _put(content, key, editable[key](values))
            except ValueError as exc:
                problems[key] = [str(exc)]
    if problems:
        raise FormInvalid("biểu mẫu có trường không hợp lệ", problems, content)
    return content


def _draft(text: str) -> dict[str, Any]:
    unreadable = "bản nháp không đọc được; hãy mở lại trang soạn thảo"
    content = posted_json.read(text, "draft", unreadable)
    if not isinstance(content, dict):
        raise InvalidInput("bản nháp hỏng", {"draft": [unreadable]})
    return content


#: how the posted values of one field become the value the document stores
Reader = Callable[[list[str]], Any]


def _editable(content: Mapping[str, Any]) -> dict[str, Reader]:
    """Every field name the form may post for this draft -> how its values become the document's value."""
    found: dict[str, Reader] = {"version": _text, "name": _text, "effective_from": _day}
    for award in awards_of(content):
        path = f"award_types.{award.code}"
        found[f"{path}.limit"] = _working_days
        found[f"{path}.supplement_within"] = _optional_days
        found[f"{path}.supplement_policy"] = _text
        found[f"{path}.required_papers"] = _papers
        if award.vote is not None:
            found[f"{path}.vote.threshold"] = found[f"{path}.vote.quorum"] = _text
        for kind in award.bonus:
            found[f"{path}.bonus_multiple.{kind}"] = _text
        for line in award.rules:
            for one in line.inputs:
                found[one.path] = _number if one.choices == "number" else _text
    return found


def _text(values: list[str]) -> str:
    return values[-1].strip()


def _day(values: list[str]) -> str:
    return iso_day(values[-1])


def _working_days(values: list[str]) -> str:
    found = WORKING_DAYS.match(values[-1])
    if found is None:
        raise ValueError("ghi số ngày làm việc, ví dụ 20")
    return f"{found.group(1).replace(',', '.')}WD"


def _optional_days(values: list[str]) -> str | None:
    return None if not values[-1].strip() else _working_days(values)


def _papers(values: list[str]) -> list[str]:
    return [v for v in values if v]


def _number(values: list[str]) -> int | str:
    text = values[-1].strip()
    return int(text) if text.isdigit() else text


def _put(content: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, for None, remove) the leaf at ``path``; the path is one the form offered, so it exists."""
    parts = split(path)
    node: Any = content
    for part in parts[:-1]:
        node = node[part]
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def iso_day(text: str) -> str:
    """dd/mm/yyyy -> YYYY-MM-DD; ValueError in Vietnamese otherwise."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date().isoformat()
    except ValueError:
        raise ValueError("ghi ngày theo dạng dd/mm/yyyy, ví dụ 01/01/2027") from None


def dmy(value: Any) -> str:
    """A document's date (YYYY-MM-DD) as the form shows it."""
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def draft_json(content: Mapping[str, Any]) -> str:
    """The hidden field that carries the whole draft from page to page."""
    return json.dumps(copy.deepcopy(dict(content)), ensure_ascii=False)
