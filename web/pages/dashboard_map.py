"""The procedure as a live map: the diagram of a deployed version with, on each step, the work waiting there now
(and how much of it is overdue), the share of steps finished late in the dashboard's range and the working time
they used (median, 90th percentile); coloured by severity, each number a link to the dossiers behind it.

The numbers are :meth:`engine.reports.ReportService.heat`'s; the same rows feed the table under the diagram
and the overlays the page's script draws on it, so the two cannot disagree."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree

from engine import Engine
from engine.errors import NotFound
from engine.reports import ElementHeat
from engine.repository import DefinitionView
from web import i18n
from web.boundary import MAX_ID
from web.pages.dashboard_data import Cell, Lang, Query, Table, count, drill, text

#: a step is marked late from this share of late finishes (or any overdue work there now)
LATE_SHARE = 0.2

TEXTS = {
    "map.title": ("Bản đồ quy trình", "Process map"),
    "map.lead": (
        "Trên từng bước: số việc đang chờ (trong đó quá hạn), tỷ lệ hoàn thành trễ hạn và thời gian làm việc đã "
        "dùng (trung vị, 90 %) trong khoảng thời gian đã chọn. Bấm vào một con số để xem các hồ sơ.",
        "On each step: work waiting now (of which overdue), the share finished late and the working time used "
        "(median, 90th percentile) in the chosen range. Click a number to see the dossiers.",
    ),
    "map.process": ("Quy trình", "Procedure"),
    "map.version": ("phiên bản {version}", "version {version}"),
    "map.step": ("Bước xử lý", "Step"),
    "map.waiting": ("Đang chờ", "Waiting"),
    "map.overdue": ("Quá hạn", "Overdue"),
    "map.finished": ("Đã xong", "Finished"),
    "map.late": ("Trễ hạn", "Late"),
    "map.late_share": ("Tỷ lệ trễ", "Late share"),
    "map.median": ("Trung vị (giờ)", "Median (hours)"),
    "map.p90": ("90 % (giờ)", "90th pct (hours)"),
    "map.empty": ("Chưa có việc nào qua các bước của quy trình này.", "No work has passed this procedure's steps."),
    "map.none": ("Chưa có quy trình nào được triển khai.", "No procedure is deployed."),
    "map.open": ("Bản đồ quy trình", "Process map"),
    "map.unknown": ("Không có quy trình hoặc phiên bản này.", "No such procedure or version."),
    "map.show": ("Xem", "Show"),
    "map.hours": ("giờ", "h"),
    "map.no_layout": (
        "Sơ đồ này không có bố cục để vẽ; các con số của từng bước ở bảng dưới đây.",
        "This diagram has no layout to draw; each step's numbers are in the table below.",
    ),
    "map.legend.late": ("Có việc quá hạn hoặc trễ từ 20 %", "Overdue work, or 20 % or more late"),
    "map.legend.warn": ("Có bước trễ hạn", "Some finished late"),
    "map.legend.ok": ("Đúng hạn", "On time"),
}


@dataclass
class ProcessMap:
    """What the map page shows: the procedures to pick from, the diagram, the table and the overlays' data."""

    processes: list[tuple[str, str]]
    key: str | None
    version: int | None
    xml: str
    table: Table
    overlays: dict[str, dict[str, Any]]


def _steps(xml: str) -> dict[str, str]:
    """Every element of the diagram with an id: its name (the id when unnamed), in document order."""
    found: dict[str, str] = {}
    for node in ElementTree.fromstring(xml.encode()).iter():
        ident = node.get("id")
        if ident and not node.tag.endswith(("}BPMNShape", "}BPMNEdge", "}BPMNDiagram", "}BPMNPlane")):
            found.setdefault(ident, node.get("name") or ident)
    return found


def severity(heat: ElementHeat) -> str:
    share = heat.late_share or 0.0
    if heat.overdue or share >= LATE_SHARE:
        return "late"
    return "warn" if heat.late else "ok"


def _hours(value: float | None, tr: Lang) -> str:
    if value is None:
        return "—"
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if tr.code == "vi" else shown


def build_map(engine: Engine, args: dict[str, str], query: Query, unit: str | None, tr: Lang) -> ProcessMap:
    """The map of ``args["process"]`` (default: the first deployed) at ``args["version"]`` (default: latest)."""
    latest: dict[str, DefinitionView] = {}
    for definition in engine.repository.definitions():  # newest first
        latest.setdefault(definition.key, definition)
    processes = sorted(((k, d.name or k) for k, d in latest.items()), key=lambda item: item[1])
    headers = ["step", "waiting", "overdue", "finished", "late_share", "median", "p90"]
    table = Table("map", tr("map.title"), [tr(f"map.{h}") for h in headers], empty=tr("map.empty"))
    key = args.get("process") or (processes[0][0] if processes else None)
    if key is None:
        return ProcessMap([], None, None, "", table, {})
    if key not in latest:
        raise NotFound(f"no process {key!r}")
    version = _version(args.get("version"), latest[key].version)
    xml = engine.repository.xml(key, version)
    heat = engine.reports.heat(query.start, query.end, unit=unit)
    links = {**query.args(), "by": "step", "level": "step"}

    def drills(element: str) -> dict[str, str]:
        return {
            "waiting": drill(kind="pending", **links, group=element, status="open"),
            "overdue": drill(kind="pending", **links, group=element, status="overdue"),
            "late": drill(kind="finished", **links, group=element, result="late"),
            "finished": drill(kind="finished", **links, group=element),
        }

    overlays = overlays_for(xml, heat, tr, drills)
    names = _steps(xml)
    for element, shown in overlays.items():
        found, to = heat[element], shown["links"]
        table.rows.append(
            [
                text(names[element]),
                count(found.waiting, to["waiting"]),
                count(found.overdue, to["overdue"]),
                count(found.finished, to["finished"]),
                Cell(found.late_share, tr.percent(found.late_share), "rate", to["late"]),
                Cell(found.median_hours, _hours(found.median_hours, tr), "rate"),
                Cell(found.p90_hours, _hours(found.p90_hours, tr), "rate"),
            ]
        )
    return ProcessMap(processes, key, version, xml, table, overlays)


def overlays_for(
    xml: str, heat: Mapping[str, ElementHeat], tr: Lang, links: Callable[[str], dict[str, str]] | None = None
) -> dict[str, dict[str, Any]]:
    """What the map's script draws on each element of ``xml`` that has numbers: the numbers, their severity and
    texts, and (on the live map) the links to the dossiers behind them. A simulation's map has no links: its
    dossiers live in a scratch database that is gone."""
    return {
        element: {
            **found.to_dict(),
            "severity": severity(found),
            "late_text": tr.percent(found.late_share),
            "median_text": _hours(found.median_hours, tr),
            "p90_text": _hours(found.p90_hours, tr),
            "links": links(element) if links else {},
        }
        for element in _steps(xml)
        if (found := heat.get(element)) is not None
    }


def _version(wanted: str | None, latest: int) -> int:
    if not wanted:
        return latest
    if not wanted.isdigit() or not 1 <= int(wanted) <= MAX_ID:
        raise NotFound(f"no version {wanted!r}")
    return int(wanted)


i18n.TEXTS.update(TEXTS)
