"""The inbox: my tasks and my groups' tasks to claim, with their due time, the working time left and its colour;
filters, sort and pages; one click to claim. Unit scoping as in the API (web/api/tasks.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, render_template, request, url_for

from engine import clock
from engine.identity import Actor
from engine.inbox import InboxQuery
from engine.tasks import TaskView
from web import i18n
from web.auth import cross_unit_groups, unit_scope
from web.pages.guard import page
from web.pages.task_access import Calendars, engine
from web.pages.worktime import TimeLeft, time_left

#: Tasks per page.
PER_PAGE = 20
#: The most tasks read to offer the process and step filters' choices.
CHOICES_FROM = 500
SCOPES = ("all", "mine", "claimable")
SORTS = ("due", "created", "name")

i18n.TEXTS.update(
    {
        "inbox.title": ("Việc cần xử lý", "Inbox"),
        "inbox.scope.all": ("Tất cả", "All"),
        "inbox.scope.mine": ("Việc của tôi", "Mine"),
        "inbox.scope.claimable": ("Chờ nhận", "To claim"),
        "inbox.process": ("Quy trình", "Process"),
        "inbox.step": ("Bước", "Step"),
        "inbox.code": ("Mã hồ sơ", "Dossier code"),
        "inbox.due_after": ("Hạn từ ngày", "Due from"),
        "inbox.due_before": ("Hạn đến ngày", "Due until"),
        "inbox.overdue_only": ("Chỉ việc quá hạn", "Overdue only"),
        "inbox.sort": ("Sắp xếp theo", "Sort by"),
        "inbox.sort.due": ("Hạn xử lý", "Due time"),
        "inbox.sort.created": ("Ngày nhận", "Received"),
        "inbox.sort.name": ("Tên bước", "Step name"),
        "inbox.order.asc": ("Tăng dần", "Ascending"),
        "inbox.order.desc": ("Giảm dần", "Descending"),
        "inbox.any": ("— Tất cả —", "— Any —"),
        "inbox.filter": ("Lọc", "Filter"),
        "inbox.reset": ("Bỏ lọc", "Clear"),
        "inbox.due": ("Hạn xử lý", "Due"),
        "inbox.left": ("Thời gian còn lại", "Time left"),
        "inbox.who": ("Người xử lý", "Assignee"),
        "inbox.received": ("Nhận lúc", "Received"),
        "inbox.me": ("Tôi", "Me"),
        "inbox.empty": ("Không có việc nào.", "Nothing to do here."),
        "inbox.count": ("{total} việc · trang {page}/{pages}", "{total} tasks · page {page} of {pages}"),
        "inbox.count_more": ("Hơn {count} việc · trang {page}", "More than {count} tasks · page {page}"),
        "inbox.prev": ("‹ Trang trước", "‹ Previous"),
        "inbox.next": ("Trang sau ›", "Next ›"),
        "inbox.bad_date": ("Ngày không hợp lệ (dd/mm/yyyy).", "Not a valid date (dd/mm/yyyy)."),
        "inbox.notifications": ("Thông báo", "Notifications"),
    }
)

blp = Blueprint("inbox", __name__)


@dataclass(frozen=True)
class Row:
    task: TaskView
    process: str
    left: TimeLeft
    may_claim: bool


@dataclass(frozen=True)
class Filters:
    """The inbox's query string, checked: what to ask the engine and what to show back in the form (dates
    dd/mm/yyyy, local)."""

    scope: str = "all"
    process: str = ""
    step: str = ""
    code: str = ""
    due_after: str = ""
    due_before: str = ""
    overdue: bool = False
    sort: str = "due"
    order: str = "asc"
    page: int = 1

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this view with ``changes``, defaults left out."""
        values, defaults = {**asdict(self), **changes}, asdict(Filters())
        values["overdue"] = "1" if values["overdue"] else ""
        return {k: v for k, v in values.items() if v not in ("", None) and v != defaults[k]}


def _day(text: str) -> date:
    """dd/mm/yyyy or YYYY-MM-DD (a date input) → date; ValueError if neither."""
    if "/" in text:
        day, month, year = (int(p) for p in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), i18n.ZONE)


def read_filters(args: Any) -> tuple[Filters, dict[str, str]]:
    """The filters from the query string, each bad value replaced by its default (with a message)."""
    problems: dict[str, str] = {}
    dates: dict[str, str] = {}
    for name in ("due_after", "due_before"):
        raw = (args.get(name) or "").strip()
        try:
            dates[name] = _day(raw).strftime("%d/%m/%Y") if raw else ""
        except ValueError:
            problems[name], dates[name] = i18n.gettext("inbox.bad_date"), ""
    try:
        number = max(int(args.get("page", 1)), 1)
    except ValueError:
        number = 1
    found = Filters(
        scope=args.get("scope") if args.get("scope") in SCOPES else "all",
        process=(args.get("process") or "").strip(),
        step=(args.get("step") or "").strip(),
        code=(args.get("code") or "").strip(),
        overdue=args.get("overdue") in ("1", "on", "true"),
        sort=args.get("sort") if args.get("sort") in SORTS else "due",
        order="desc" if args.get("order") == "desc" else "asc",
        page=number,
        **dates,
    )
    return found, problems


def query_for(me: Actor, filters: Filters, per_page: int | None = None) -> InboxQuery:
    """The engine's inbox query: the filters, and the unit scope the API applies to the same person."""
    after = _local_midnight(_day(filters.due_after)) if filters.due_after else None
    before = None
    if filters.due_before:  # the whole day: due before the next midnight
        before = _local_midnight(_day(filters.due_before) + timedelta(days=1))
    return InboxQuery(
        scope=filters.scope,
        process_key=filters.process or None,
        element_id=filters.step or None,
        business_key=filters.code or None,
        due_after=after,
        due_before=before,
        overdue=filters.overdue,
        sort=filters.sort,
        descending=filters.order == "desc",
        page=filters.page,
        per_page=per_page or PER_PAGE,
        units=unit_scope(me),
        cross_unit_groups=cross_unit_groups(me),
    )


@blp.get("/inbox")
@page()
def index(me: Actor) -> Any:
    """The inbox page (400 when a date filter cannot be read; the rest of the page still shows)."""
    eng = engine()
    filters, problems = read_filters(request.args)
    found = eng.tasks.inbox(me.username, query_for(me, filters))
    names: dict[str, str] = {}
    for definition in eng.repository.definitions():  # newest version first: its name is the one shown
        names.setdefault(definition.key, definition.name or definition.key)
    calendars, now = Calendars(eng), clock.now()
    rows = [
        Row(
            task,
            names.get(task.process_key, task.process_key),
            time_left(calendars.of(task), task.due_at, now),
            task.assignee is None and eng.access.may_work(me, task),
        )
        for task in found.items
    ]
    everything = eng.tasks.inbox(me.username, query_for(me, Filters(), per_page=CHOICES_FROM)).items
    processes = sorted({(t.process_key, names.get(t.process_key, t.process_key)) for t in everything})
    steps = sorted({(t.element_id, t.name or t.element_id) for t in everything}, key=lambda s: s[1])
    pages = max((found.total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template(
        "inbox.html",
        rows=rows,
        total=found.total if found.total_exact else None,
        counted=found.total - 1,
        pages=pages,
        filters=filters,
        problems=problems,
        processes=processes,
        steps=steps,
        scopes=SCOPES,
        sorts=SORTS,
        page_url=lambda **changes: url_for("inbox.index", **filters.args(**changes)),
        here=request.full_path.rstrip("?"),
    ), (400 if problems else 200)
