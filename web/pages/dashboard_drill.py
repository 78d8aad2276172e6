"""The lists behind the dashboard's numbers: open work by state, finished work by result, awardees.

A drill-down link carries the dashboard's filters (so "back" returns to the same view) plus what the number
counted: ``kind`` (pending, finished, awards), ``by`` and ``group`` (the grouping and its value; no ``group``
means the rows without one), then ``status``, ``label`` and ``result``, or ``award_type`` and ``who``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from engine import Engine, clock
from engine.errors import InvalidInput
from engine.reports import GROUPS, RESULTS, STATUSES, Item, period_range
from handlers.award_reports import WHO
from web import i18n
from web.pages import names
from web.pages.dashboard_data import (
    BadQuery,
    Cell,
    Labels,
    Lang,
    Query,
    Table,
    day,
    moment,
    period_label,
    text,
)
from web.services import domain

KINDS = ("pending", "finished", "awards")


@dataclass
class Drill:
    """One drill-down list: what it is and the table (the page links back to the dashboard view it came from)."""

    title: str
    details: list[str]
    table: Table


def _choice(args: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str, tr: Lang) -> str:
    """The parameter's value; refused naming the value (the allowed ones are codes a person never sees)."""
    value = args.get(name) or default
    if value not in allowed:
        raise BadQuery({name: tr("drill.unusable", value=value)})
    return value


def build_drill(engine: Engine, args: Mapping[str, str], query: Query, unit: str | None, tr: Lang) -> Drill:
    """The list behind one number. Raises :class:`BadQuery` for parameters it cannot use."""
    kind = _choice(args, "kind", KINDS, "", tr)
    if kind == "awards":
        return _awards(engine, args, query, unit, tr)
    by = _choice(args, "by", GROUPS, "none", tr)
    group = args.get("group")
    labels = Labels(engine, tr)
    labels.learn(by, [group])
    details = [f"{tr(f'dash.group.{by}')}: {labels(by, group, open_work=kind == 'pending')}"] if by != "none" else []
    if kind == "pending":
        status = _choice(args, "status", STATUSES, "open", tr)
        items = engine.reports.pending_items(group_by=by, group=group, status=status, unit=unit)
        details.append(tr("dash.as_of", moment=i18n.format_datetime(clock.now())))
        return Drill(tr(f"drill.status.{status}"), details, _items_table(items, "step", tr, finished=False))
    result = _choice(args, "result", (*RESULTS, "all"), "all", tr)
    start, end = query.start, query.end
    if args.get("label"):
        try:
            first, last = period_range(args["label"])
        except InvalidInput:
            raise BadQuery({"label": "2026-03, 2026-Q1, 2026"}) from None
        start, end = max(start, first), min(end, last)
        details.insert(0, period_label(args["label"], tr))
    else:
        details.insert(0, _range(query.start, query.end))
    items = []
    if start <= end:
        items = engine.reports.finished_items(
            start,
            end,
            group_by=by,
            group=group,
            level=query.level,
            result=None if result == "all" else result,
            unit=unit,
        )
    title = f"{tr(f'drill.result.{result}')} ({tr(f'drill.of.{query.level}')})"
    return Drill(title, details, _items_table(items, query.level, tr))


def _range(start: date, end: date) -> str:
    return f"{i18n.format_date(start)} – {i18n.format_date(end)}"


def _badge(item: Item, tr: Lang) -> Cell:
    code = "due_soon" if item.due_soon else item.classification or ""
    return Cell(code, tr(f"sla.{code}") if code else "", "badge", badge=code or None)


def _items_table(items: list[Item], level: str, tr: Lang, *, finished: bool = True) -> Table:
    """Steps: dossier, unit, step, who, due, finished (if done), result, the task; dossiers: no step, no task."""
    if level == "dossier":
        headers = ["dash.col.code", "dash.col.unit", "drill.col.process", "dash.col.due"]
    else:
        headers = ["dash.col.code", "dash.col.unit", "drill.col.step", "drill.col.holder", "drill.col.due"]
    headers += ["dash.col.finished_at"] if finished else []
    headers += ["drill.col.result"] + ([] if level == "dossier" else ["drill.col.open"])
    table = Table("items", "", [tr(h) for h in headers], empty=tr("drill.empty"))
    for item in items:
        row = [text(item.business_key), text(names.unit_name(item.unit))]
        if level == "dossier":
            row.append(text(names.process_name(item.process_key)))
        else:
            row += [text(item.step), text(names.holder_name(item.person or item.holder))]
        row += [moment(item.due_at)] + ([moment(item.finished_at)] if finished else []) + [_badge(item, tr)]
        if level != "dossier":
            row.append(Cell(item.task_id, tr("drill.open_task"), href=f"/tasks/{item.task_id}"))
        table.rows.append(row)
    return table


def _awards(engine: Engine, args: Mapping[str, str], query: Query, unit: str | None, tr: Lang) -> Drill:
    who = _choice(args, "who", WHO, "all", tr)
    award_type = args.get("award_type") or None
    found = domain().reports.awardees(query.start, query.end, unit=unit, award_type=award_type, who=who)
    headers = ["code", "unit"] + [f"drill.col.{h}" for h in ("nominee", "gender", "position")]
    headers += ["dash.col.award", "drill.col.decision", "drill.col.signed"]
    table = Table("awardees", "", [tr(h if "." in h else f"dash.col.{h}") for h in headers], empty=tr("drill.empty"))
    for a in found:
        gender = tr(f"drill.gender.{a.gender}") if a.gender in ("nam", "nu") else ""
        table.rows.append(
            [
                text(a.code),
                text(names.unit_name(a.unit)),
                text(a.name),
                text(gender),
                text(a.position),
                text(a.award),
                text(a.decision),
                day(a.signed_at),
            ]
        )
    details = [_range(query.start, query.end)] + ([found[0].award if found else award_type] if award_type else [])
    return Drill(tr(f"drill.who.{who}"), details, table)
