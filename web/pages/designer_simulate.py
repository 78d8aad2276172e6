"""The designer's what-if page: a workload through two plans (a version or an uploaded draft, and people per
group) side by side, before anything is deployed.

The run is :func:`web.simulation.run_bounded` — the same as `awardflow simulate`, on scratch databases in a
child process, stopped after a time limit; the page bounds the workload so that the limit is rarely met. What
comes back is shown as charts (Chart.js) and as the live map's overlays on the simulated diagram.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request

from engine import clock
from engine.errors import DeploymentInvalid, InvalidInput, NotFound
from engine.identity import Actor
from engine.reports import ElementHeat
from engine.repository import DefinitionView
from web import i18n
from web.api.definitions import bundle
from web.office import VN
from web.pages import names
from web.pages.dashboard_data import Lang, parse_day
from web.pages.dashboard_map import overlays_for
from web.pages.designer import DESIGNERS
from web.pages.designer_simulate_texts import JS_TEXTS
from web.pages.guard import page
from web.services import engine as _engine
from web.simulation import Plan, RunRefused, Workload, demo_staff, run_bounded, whole_number

#: the page's bounds: a run of these takes well under its time limit on this machine (about 0.3 s a dossier)
PAGE_DOSSIERS, PAGE_DAYS, PAGE_STAFF, PAGE_SECONDS = 60, 366, 50, 240.0
#: runs at once in one server process (each takes a core): more are asked to come back, not queued
RUNS = threading.BoundedSemaphore(2)
PLANS = ("a", "b")
#: the process whose diagram is shown when the form names none
DEFAULT_SHOWN = "appraisal"

blp = Blueprint("simulation", __name__, url_prefix="/designer/simulate")


@dataclass
class Asked:
    """What the form asked for, and what was wrong with it (field → message naming the field)."""

    workload: Workload | None = None
    plans: dict[str, Plan] = field(default_factory=dict)
    show: str = DEFAULT_SHOWN
    errors: dict[str, str] = field(default_factory=dict)


def _bounded_int(form: dict[str, str], name: str, low: int, high: int, errors: dict[str, str]) -> int:
    number = whole_number(form.get(name) or "", low, high)
    if number is None:
        errors[name] = i18n.gettext("sim.bad_number", field=i18n.gettext(f"sim.{name}"), low=low, high=high)
        return low
    return number


def _period(form: dict[str, str], errors: dict[str, str]) -> tuple[date, date]:
    days: dict[str, date] = {}
    for name in ("from", "to"):
        try:
            days[name] = parse_day(form.get(name) or "")
        except ValueError:
            errors[name] = i18n.gettext("sim.bad_date", field=i18n.gettext(f"sim.{name}"))
    start, end = days.get("from", date.min), days.get("to", date.min)
    if len(days) == 2 and not (start < end and (end - start).days <= PAGE_DAYS):
        errors["to"] = i18n.gettext("sim.bad_period", field=i18n.gettext("sim.to"), days=PAGE_DAYS)
    return start, end


def _source(name: str, errors: dict[str, str]) -> dict[str, bytes]:
    """A plan's draft: the files uploaded for it, else the deployed version it names ("key:version"), else
    nothing (the shipped processes as they are)."""
    label = i18n.gettext("sim.plan", plan=name.upper())
    uploads = [f for f in request.files.getlist(f"draft_{name}") if f.filename]
    try:
        if uploads:
            files = bundle(uploads)
            _engine().repository.validate(files)
            return files
        chosen = request.form.get(f"version_{name}") or ""
        if not chosen:
            return {}
        key, _, version = chosen.partition(":")
        found = _deployed(key, version)
        return {found.resource_name: _engine().repository.xml(key, found.version).encode()}
    except DeploymentInvalid as refused:
        problems = "; ".join(str(p) for p in refused.problems if p.severity == "error")[:400]
        errors[f"draft_{name}"] = i18n.gettext("sim.bad_draft", field=label, problems=problems)
    except InvalidInput as bad:
        errors[f"draft_{name}"] = i18n.gettext("sim.bad_draft", field=label, problems=bad.message)
    except NotFound:
        errors[f"version_{name}"] = i18n.gettext("sim.bad_version", field=label)
    return {}


def _deployed(key: str, version: str) -> DefinitionView:
    found = [d for d in _engine().repository.definitions(key) if version.isdigit() and d.version == int(version)]
    if not found:
        raise NotFound(f"no version {version!r} of {key!r}")
    return found[0]


def parse(form: dict[str, str]) -> Asked:
    """The form, checked field by field: every wrong field is named, nothing runs until all are right."""
    asked = Asked()
    errors = asked.errors
    start, end = _period(form, errors)
    dossiers = _bounded_int(form, "dossiers", 1, PAGE_DOSSIERS, errors)
    seed = _bounded_int(form, "seed", 0, 2**31 - 1, errors)
    shown = form.get("show") or DEFAULT_SHOWN
    if shown not in {key for key, _ in deployed_processes()}:
        errors["show"] = i18n.gettext("sim.bad_show", field=i18n.gettext("sim.show"))
    asked.show = shown
    for name in PLANS if form.get("compare") else PLANS[:1]:
        staff = {}
        for group in demo_staff():
            field_name = f"staff_{name}_{group}"
            number = whole_number(form.get(field_name) or "", 1, PAGE_STAFF)
            if number is None:
                label = f"{i18n.gettext('sim.staff')} — {names.group_name(group)} ({name.upper()})"
                errors[field_name] = i18n.gettext("sim.bad_number", field=label, low=1, high=PAGE_STAFF)
                continue
            staff[group] = number
        asked.plans[name] = Plan(staff, _source(name, errors))
    if not errors:
        history = _engine().reports.step_hours() if form.get("history") else {}
        asked.workload = Workload(dossiers, start, end, seed, history)
    return asked


def deployed_processes() -> list[tuple[str, str]]:
    """Every deployed process key with its title, by title."""
    latest: dict[str, DefinitionView] = {}
    for definition in _engine().repository.definitions():
        latest.setdefault(definition.key, definition)
    return sorted(((k, d.name or k) for k, d in latest.items()), key=lambda item: item[1])


def defaults() -> dict[str, str]:
    """The form as it first opens: the first quarter of the coming peak, the demo's people in both plans."""
    start = date(clock.now().astimezone(VN).year, 9, 1)
    values = {
        "from": start.strftime("%d/%m/%Y"),
        "to": (start + timedelta(days=90)).strftime("%d/%m/%Y"),
        "dossiers": "20",
        "seed": "2026",
        "show": DEFAULT_SHOWN,
        "history": "on",
    }
    for name in PLANS:
        values |= {f"staff_{name}_{group}": str(n) for group, n in demo_staff().items()}
    return values


@dataclass
class Side:
    """One plan's result as the page shows it: names, not codes; the charts' and the map's data."""

    name: str
    label: str
    dossiers: dict[str, Any]
    steps: list[tuple[str, str, dict[str, Any]]]
    late_steps: list[str]
    utilisation: list[tuple[str, float]]
    charts: dict[str, Any]
    map: dict[str, Any]


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m")


def side(name: str, result: dict[str, Any], tr: Lang) -> Side:
    """What the page shows of one plan's run."""
    steps = [(element, row["name"], row) for element, row in result["steps"].items()]
    utilisation = [(names.group_name(group), share) for group, share in result["utilisation"].items()]
    queues = result["queues"]
    dates = [_day(day) for day, _ in next(iter(queues.values()), [])]
    charts = {
        "steps": {
            "labels": [label for _, label, _ in steps],
            **{k: [_percent(row[k], row) for _, _, row in steps] for k in ("early", "on_time", "late")},
        },
        "dossiers": {k: result["dossiers"][k] for k in ("early", "on_time", "late")},
        "queues": {
            "labels": dates,
            "series": [{"label": names.group_name(g), "data": [n for _, n in rows]} for g, rows in queues.items()],
        },
        "utilisation": {"labels": [g for g, _ in utilisation], "data": [round(u * 100, 1) for _, u in utilisation]},
        "throughput": [result["dossiers"]["working_days_p50"], result["dossiers"]["working_days_p90"]],
    }
    heat = {e: ElementHeat(**{k: v for k, v in row.items() if k != "late_share"}) for e, row in result["heat"].items()}
    diagram = result.get("diagram") or {"xml": "", "key": "", "version": 0}
    texts = {k: tr(f"map.{k}") for k in ("waiting", "overdue", "late", "hours", "no_layout")}
    return Side(
        name,
        tr("sim.plan", plan=name.upper()),
        result["dossiers"],
        steps,
        [result["steps"][e]["name"] for e in result["late_steps"]],
        utilisation,
        charts,
        {"xml": diagram["xml"], "overlays": overlays_for(diagram["xml"], heat, tr), "texts": texts},
    )


def _percent(part: int, row: dict[str, Any]) -> float:
    whole = row["early"] + row["on_time"] + row["late"]
    return round(100 * part / whole, 1) if whole else 0.0


def _render(values: dict[str, str], status: int = 200, **extra: Any) -> Any:
    language = i18n.LANGUAGES.index(i18n.language())
    versions = [d for d in _engine().repository.definitions()]
    return (
        render_template(
            "designer_simulate.html",
            values=values,
            groups=[(g, names.group_name(g)) for g in demo_staff()],
            processes=deployed_processes(),
            versions=versions,
            plans=PLANS,
            limits={"dossiers": PAGE_DOSSIERS, "days": PAGE_DAYS, "seconds": int(_seconds())},
            js_texts={k: pair[language] for k, pair in JS_TEXTS.items()},
            **extra,
        ),
        status,
    )


def _seconds() -> float:
    return float(current_app.config.get("AWARDFLOW_SIMULATION_SECONDS", PAGE_SECONDS))


@blp.get("")
@page(roles=DESIGNERS)
def index(me: Actor) -> Any:
    """The what-if form, filled with the demo's people and the coming peak."""
    return _render(defaults())


@blp.post("")
@page(roles=DESIGNERS)
def run(me: Actor) -> Any:
    """Run the asked plans (bounded in size and time) and show them side by side; a wrong field is a 422
    naming it, and nothing runs."""
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    asked = parse(values)
    if asked.workload is None:
        return _render(values, 422, errors=asked.errors)
    if not RUNS.acquire(blocking=False):
        return _render(values, 429, errors={"run": i18n.gettext("sim.busy_server")})
    try:
        result = run_bounded(asked.workload, asked.plans, seconds=_seconds(), show=asked.show)
    except RunRefused as refused:
        key = "sim.timed_out" if refused.timed_out else "sim.refused"
        message = i18n.gettext(key, field=i18n.gettext("sim.dossiers"), seconds=int(_seconds()))
        return _render(values, 422, errors={"dossiers": message})
    finally:
        RUNS.release()
    tr = Lang(i18n.language())
    sides = [side(name, result[name], tr) for name in asked.plans]
    change = result.get("late_share_change", {})
    return _render(values, sides=sides, change=change, tr=tr)
