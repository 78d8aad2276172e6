"""The rule-set editor's structural buttons: add or remove an award type, add or remove an eligibility condition.
A button posts ``op`` (``add_award``, ``remove_award:CODE``, ``add_rule:CODE``, ``remove_rule:PATH``) with the
whole form; the edited fields are applied first, then the edit (``handlers.ruleset_edits``), and the editor shows
the draft again with its changes against the version in force. Nothing is stored until the version is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.errors import InvalidInput
from handlers import ruleset_edits as edits

__all__ = ["FIELD_NAMES", "operate"]

#: the Vietnamese names of the structural fields, for a refusal that names one (i18n keys)
FIELD_NAMES = {
    "new_award.code": "rules.new_award.code",
    "new_award.name": "rules.new_award.name",
    "new_award.issuing_body": "rules.new_award.level",
    "new_award.recipients": "rules.new_award.recipients",
    "new_award.procedure": "rules.new_award.procedure",
    "new_award.council": "rules.new_award.council",
    "new_award.required_papers": "rules.new_award.papers",
    "remove_award": "rules.remove_award",
    "remove_rule": "rules.remove_rule",
    "op": "rules.op",
}


def operate(content: Mapping[str, Any], op: str, form: MultiDict[str, str]) -> dict[str, Any]:
    """The draft after the button ``op``; InvalidInput naming the field for an edit it refuses or an unknown op."""
    name, _, target = op.partition(":")
    if name == "add_award":
        return edits.add_award(content, _new_award(form))
    if name == "remove_award":
        return edits.remove_award(content, target)
    if name == "add_rule":
        recipient, kind = form.get(f"add_rule.{target}.recipient", ""), form.get(f"add_rule.{target}.kind", "")
        return edits.add_rule(content, target, recipient, kind)
    if name == "remove_rule":
        return edits.remove_rule(content, target)
    raise InvalidInput("thao tác không hợp lệ", {"op": ["biểu mẫu không có nút này"]})


def _new_award(form: MultiDict[str, str]) -> edits.NewAward:
    def one(key: str) -> str:
        return form.get(f"new_award.{key}", "").strip()

    return edits.NewAward(
        code=one("code"),
        name=one("name"),
        issuing_body=one("issuing_body"),
        recipients=[v for v in form.getlist("new_award.recipients") if v],
        procedure=one("procedure"),
        council=one("council"),
        threshold=one("threshold"),
        quorum=one("quorum"),
        papers=[v for v in form.getlist("new_award.required_papers") if v],
    )
