"""What the supervisor dashboard shows, built once for the page and for its Excel and PDF exports.

The filters come from the query string (:class:`Query`), the numbers from the engine's reports and the award
shares from the dossier records. Everything lands in :class:`Table` rows of :class:`Cell` values — the value
for the workbook, the text for the page and the PDF, the drill-down link for the page — so the three show
the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import url_for

from engine import Engine, clock
from engine.errors import PermissionDenied
from engine.identity import Actor
from engine.reports import PERIODS, Pending, Rate
from handlers import award_reports
from web import i18n
from web.auth import sees_all_units
from web.pages import names
from web.pages.dashboard_texts import TEXTS
from web.services import domain

#: How close a due time must be for open work to count as due soon (wall time, as the reports take it).
SOON = timedelta(days=1)
LEVELS = ("step", "dossier")
RATE_GROUPS = ("unit", "step", "person", "process", "none")
#: A dossier has no single step or person: its rates group by unit or procedure only.
DOSSIER_GROUPS = ("unit", "process", "none")
PENDING_GROUPS = ("unit", "step", "person")
ROMAN = ("I", "II", "III", "IV")


class BadQuery(Exception):
    """Query-string parameters the dashboard cannot use: field -> what it wants."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {hint}" for name, hint in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Lang:
    """Texts in one language, whatever the request's (the exports are always Vietnamese)."""

    code: str = "vi"

    def __call__(self, key: str, **values: Any) -> str:
        pair = TEXTS.get(key) or i18n.TEXTS.get(key)
        text = key if pair is None else pair[i18n.LANGUAGES.index(self.code)]
        return text.format(**values) if values else text

    def percent(self, share: float | None) -> str:
        if share is None:
            return "—"
        text = f"{share * 100:.1f} %"
        return text.replace(".", ",") if self.code == "vi" else text


# -- the filters ---------------------------------------------------------------------------------------


def parse_day(text: str) -> date:
    """dd/mm/yyyy (as people write it) or yyyy-mm-dd (as forms may send it)."""
    text = text.strip()
    if "/" in text:
        return datetime.strptime(text, "%d/%m/%Y").date()
    return date.fromisoformat(text)


@dataclass(frozen=True)
class Query:
    """The dashboard's filters: a date range, the period, steps or dossiers, the grouping, a unit."""

    start: date
    end: date
    period: str = "month"
    level: str = "step"
    group_by: str = "none"
    unit: str | None = None

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links and the export buttons)."""
        found = {
            "from": i18n.format_date(self.start),
            "to": i18n.format_date(self.end),
            "period": self.period,
            "level": self.level,
            "group_by": self.group_by,
        }
        return {**found, "unit": self.unit} if self.unit else found

    @classmethod
    def parse(cls, args: Mapping[str, str], today: date, tr: Lang) -> Query:
        """The filters of a request; the range defaults to ``today``'s year. Raises :class:`BadQuery`."""
        problems: dict[str, str] = {}
        days = {}
        for name, default in (("from", date(today.year, 1, 1)), ("to", date(today.year, 12, 31))):
            try:
                days[name] = parse_day(args[name]) if args.get(name) else default
            except ValueError:
                problems[name], days[name] = tr("dash.date_hint"), default
        choices = {"period": (PERIODS, "month"), "level": (LEVELS, "step"), "group_by": (RATE_GROUPS, "none")}
        picked = {name: args.get(name) or default for name, (_, default) in choices.items()}
        for name, (allowed, _) in choices.items():
            if picked[name] not in allowed:
                problems[name] = tr("dash.one_of", values=", ".join(allowed))
        if days["from"] > days["to"]:
            problems["to"] = tr("dash.range_order")
        if picked["level"] == "dossier" and picked["group_by"] not in DOSSIER_GROUPS and "group_by" not in problems:
            problems["group_by"] = tr("dash.dossier_groups")
        if problems:
            raise BadQuery(problems)
        unit = (args.get("unit") or "").strip() or None
        return cls(days["from"], days["to"], picked["period"], picked["level"], picked["group_by"], unit)


def scope(me: Actor, wanted: str | None, tr: Lang) -> str | None:
    """The unit the figures cover: supervisors and administrators any (None: all), others their own only."""
    if sees_all_units(me):
        return wanted
    if me.unit is None:
        raise PermissionDenied(tr("dash.no_unit"))
    if wanted and wanted != me.unit:
        raise PermissionDenied(tr("dash.other_unit"))
    return me.unit


# -- what the page, the workbook and the PDF show ------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One value: ``kind`` says how the workbook stores it (text, count, rate, moment, day, badge)."""

    value: Any
    text: str
    kind: str = "text"
    href: str | None = None
    badge: str | None = None


@dataclass
class Table:
    """A titled table; ``total`` is its last row, set apart."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None
    empty: str = ""
    #: the title out of the page's context (a sheet or a PDF heading), when it differs
    full_title: str = ""


@dataclass
class Dashboard:
    """Everything one view of the dashboard shows."""

    query: Query
    unit: str | None
    now: datetime
    tiles: list[tuple[str, Cell]]
    pending: list[Table]
    rates: Table
    chart: dict[str, Any]
    late: Table
    awards: Table | None

    def tables(self) -> list[Table]:
        return [*self.pending, self.rates, self.late, *([self.awards] if self.awards else [])]


def text(value: Any) -> Cell:
    return Cell(value, "" if value is None else str(value))


def count(value: int, href: str | None = None) -> Cell:
    return Cell(value, str(value), "count", href)


def moment(value: datetime | None, empty: str = "") -> Cell:
    return Cell(value, i18n.format_datetime(value) if value else empty, "moment")


def day(value: date | datetime | None) -> Cell:
    return Cell(value, i18n.format_date(value), "day")


def drill(**args: str | None) -> str:
    values: dict[str, Any] = {k: v for k, v in args.items() if v is not None}
    return url_for("dashboard.drill", **values)


def period_label(label: str, tr: Lang) -> str:
    """ "2026-03" → "Tháng 03/2026", "2026-Q1" → "Quý I/2026", "2026" → "Năm 2026"."""
    if len(label) == 4:
        return tr("dash.year", year=label)
    year, part = label.split("-")
    if part.startswith("Q"):
        return tr("dash.quarter", roman=ROMAN[int(part[1:]) - 1], quarter=part[1:], year=year)
    return tr("dash.month", month=part, year=year)


def periods_between(start: date, end: date, period: str) -> list[str]:
    """Every period label from ``start`` to ``end`` (the chart shows empty periods too)."""
    labels: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        label = {"month": f"{year}-{month:02d}", "quarter": f"{year}-Q{(month - 1) // 3 + 1}", "year": str(year)}
        if not labels or labels[-1] != label[period]:
            labels.append(label[period])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


class Labels:
    """How groups read: steps, procedures, units and people by name; missing people and units say so."""

    def __init__(self, engine: Engine, tr: Lang) -> None:
        self.engine, self.tr = engine, tr
        self.steps: dict[str, str] = {}

    def learn(self, group_by: str, groups: Iterable[str | None]) -> None:
        if group_by == "step":
            self.steps.update(self.engine.reports.step_names([g for g in groups if g]))

    def __call__(self, group_by: str, group: str | None, *, open_work: bool = False) -> str:
        if group is None:
            if group_by == "unit":
                return self.tr("dash.no_unit_label")
            return self.tr("dash.unclaimed" if open_work else "dash.nobody")
        if group_by == "step":
            return self.steps.get(group, group)
        if group_by == "process":
            return names.process_name(group)
        if group_by == "unit":
            return names.unit_name(group)
        return names.holder_name(group)


# -- building ------------------------------------------------------------------------------------------


def build(engine: Engine, query: Query, unit: str | None, tr: Lang) -> Dashboard:
    """The whole dashboard for ``query`` over ``unit`` (None: every unit)."""
    labels = Labels(engine, tr)
    pending = {g: engine.reports.pending(group_by=g, soon=SOON, unit=unit) for g in PENDING_GROUPS}
    for group_by, found in pending.items():
        labels.learn(group_by, (p.group for p in found))
    rates = engine.reports.on_time(
        query.start, query.end, period=query.period, group_by=query.group_by, level=query.level, unit=unit
    )
    labels.learn(query.group_by, (r.group for r in rates))
    late = engine.reports.late_dossiers(query.start, query.end, unit=unit)
    tables = [pending_table(group_by, found, query.args(), labels, tr) for group_by, found in pending.items()]
    rate_table = rates_table(query, rates, labels, tr)
    return Dashboard(
        query=query,
        unit=unit,
        now=clock.now(),
        tiles=tiles(pending["unit"], rates, query, tr),
        pending=tables,
        rates=rate_table,
        chart=chart(query, rates, tr),
        late=late_table(late, tr),
        awards=awards_table(engine, query, unit, tr),
    )


def tiles(open_work: list[Pending], rates: list[Rate], query: Query, tr: Lang) -> list[tuple[str, Cell]]:
    """The headline numbers: overdue, due soon, within time now; the on-time rate over the range."""
    overdue, soon, within = (sum(getattr(p, name) for p in open_work) for name in ("overdue", "due_soon", "within"))
    done = Rate("", None, *(sum(getattr(r, name) for r in rates) for name in ("early", "on_time", "late")))
    now = {"kind": "pending", **query.args(), "by": "none"}
    return [
        ("overdue", count(overdue, drill(**now, status="overdue"))),
        ("due_soon", count(soon, drill(**now, status="due_soon"))),
        ("within", count(within, drill(**now, status="within"))),
        ("rate", Cell(done.on_time_rate, tr.percent(done.on_time_rate), "rate", drill(**{**now, "kind": "finished"}))),
    ]


def pending_table(group_by: str, found: list[Pending], args: dict[str, str], labels: Labels, tr: Lang) -> Table:
    """Open work now in one grouping: within time, of which due soon, overdue, all; each number a link."""
    table = Table(
        f"pending_{group_by}",
        tr(f"dash.pending.{group_by}"),
        [tr(f"dash.group.{group_by}")] + [tr(f"dash.col.{s}") for s in ("within", "due_soon", "overdue", "open")],
        empty=tr("dash.nothing_open"),
        full_title=f"{tr('dash.now')} — {tr(f'dash.pending.{group_by}').lower()}",
    )
    for p in sorted(found, key=lambda p: (-p.overdue, -p.due_soon, labels(group_by, p.group))):
        numbers = {"within": p.within, "due_soon": p.due_soon, "overdue": p.overdue, "open": p.within + p.overdue}
        link = {"kind": "pending", **args, "by": group_by, "group": p.group}
        table.rows.append(
            [text(labels(group_by, p.group, open_work=True))]
            + [count(n, drill(**link, status=status)) for status, n in numbers.items()]
        )
    if found:
        sums = [sum(row[i].value for row in table.rows) for i in range(1, 5)]
        table.total = [text(tr("dash.total"))] + [
            count(n, drill(**{"kind": "pending", **args, "by": "none", "status": s}))
            for s, n in zip(("within", "due_soon", "overdue", "open"), sums, strict=True)
        ]
    return table


def rates_table(query: Query, rates: list[Rate], labels: Labels, tr: Lang) -> Table:
    """Early, on time, late, finished and the rate per period (and group); each count a link to its work."""
    grouped = query.group_by != "none"
    headers = [tr("dash.col.period")] + ([tr(f"dash.group.{query.group_by}")] if grouped else [])
    table = Table(
        "rates",
        f"{tr('dash.rates')} ({tr(f'dash.level.{query.level}').lower()})",
        headers + [tr(f"dash.col.{c}") for c in ("early", "on_time", "late", "finished", "rate")],
        empty=tr("dash.nothing_finished"),
    )
    base = {"kind": "finished", **query.args(), "by": query.group_by}
    for r in rates:
        link = {**base, "label": r.period, "group": r.group}
        first = [text(period_label(r.period, tr))] + ([text(labels(query.group_by, r.group))] if grouped else [])
        table.rows.append(first + _rate_cells(r, link, tr))
    if rates:
        total = Rate("", None, *(sum(getattr(r, n) for r in rates) for n in ("early", "on_time", "late")))
        first = [text(tr("dash.total"))] + ([text("")] if grouped else [])
        table.total = first + _rate_cells(total, {**base, "by": "none"}, tr)
    return table


def _rate_cells(rate: Rate, link: dict[str, Any], tr: Lang) -> list[Cell]:
    numbers = {"early": rate.early, "on_time": rate.on_time, "late": rate.late, "all": rate.finished}
    cells = [count(n, drill(**link, result=result)) for result, n in numbers.items()]
    return cells + [Cell(rate.on_time_rate, tr.percent(rate.on_time_rate), "rate")]


def chart(query: Query, rates: list[Rate], tr: Lang) -> dict[str, Any]:
    """The chart's data: per period, early + on time and late (stacked bars) and the rate (a line, %)."""
    totals: dict[str, Rate] = {
        label: Rate(label, None) for label in periods_between(query.start, query.end, query.period)
    }
    for r in rates:
        total = totals.setdefault(r.period, Rate(r.period, None))
        total.early, total.on_time, total.late = total.early + r.early, total.on_time + r.on_time, total.late + r.late
    ordered = [totals[k] for k in sorted(totals)]
    return {
        "labels": [period_label(r.period, tr) for r in ordered],
        "ok": [r.early + r.on_time for r in ordered],
        "late": [r.late for r in ordered],
        "rate": [None if r.on_time_rate is None else round(r.on_time_rate * 100, 1) for r in ordered],
        "texts": {key: tr(f"dash.chart.{key}") for key in ("ok", "late", "rate")},
    }


def late_table(late: list[dict[str, Any]], tr: Lang) -> Table:
    """Late dossiers with the step that made them late, its person and the reschedule reason."""
    table = Table(
        "late",
        tr("dash.late"),
        [tr(f"dash.col.{c}") for c in ("code", "unit", "due", "finished_at", "late_step", "person", "reason")],
        empty=tr("dash.nothing_late"),
    )
    for row in late:
        due = datetime.fromisoformat(row["due_at"])
        finished = datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None
        table.rows.append(
            [
                text(row["business_key"]),
                text(names.unit_name(row["unit"])),
                moment(due),
                moment(finished, tr("dash.still_open")),
                text(row["late_step"]),
                text(names.holder_name(row["late_step_person"])),
                Cell(row["reason"], row["reason"] or tr("dash.no_reason")),
            ]
        )
    return table


def awards_table(engine: Engine, query: Query, unit: str | None, tr: Lang) -> Table | None:
    """Awards per type: individuals, those not leaders or managers, women, with shares; None without data."""
    counts = domain().reports.counts(query.start, query.end, unit=unit)
    if not counts:
        return None
    headers = ["award", "awards", "individuals", "non_leaders", "non_leader_share", "women", "women_share"]
    table = Table("awards", tr("dash.awards"), [tr(f"dash.col.{h}") for h in headers])
    base = {"kind": "awards", **query.args()}
    for c in [*counts, award_reports.total(counts)]:
        link = {**base, "award_type": c.award_type}
        row = [
            text(c.name if c.award_type else tr("dash.total")),
            count(c.awards, drill(**link, who="all")),
            count(c.individuals, drill(**link, who="individual")),
            count(c.non_leaders, drill(**link, who="non_leader")),
            Cell(c.non_leader_share, tr.percent(c.non_leader_share), "rate"),
            count(c.women, drill(**link, who="women")),
            Cell(c.women_share, tr.percent(c.women_share), "rate"),
        ]
        if c.award_type:
            table.rows.append(row)
        else:
            table.total = row
    return table
