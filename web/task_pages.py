"""The pages where a user task is done instead of by the generic task form: a step names one with its
``page`` property (``spiffworkflow:property name="page"``), because the data it needs (score sheets by unit and
criterion, a meeting's ballot …) would be raw process data on the task page. The engine only carries the name;
this registry gives it a Vietnamese label (the designer's pick list) and the page's address for the task's
process instance. Deployment refuses a name not registered here (the app hands the names to the engine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from engine import Engine
from engine.tasks import TaskView
from web.services import domain

#: the property of a user task naming the page where it is done
PROPERTY = "page"


@dataclass(frozen=True)
class TaskPage:
    """A page a step may be done on."""

    label: str  # Vietnamese: what the designer picks from and the task page names
    url: Callable[[int], str | None]  # its address for a process instance; None: it shows no such instance
    overview: str | None = None  # the registered page linked beside it (the whole of what the step belongs to)


@dataclass(frozen=True)
class PageWork:
    """Where one task is done, and the overview page beside it (if any), by label and address."""

    label: str
    url: str
    overview: tuple[str, str] | None


#: name → page; the names a process may use in its ``page`` properties
PAGES: dict[str, TaskPage] = {}


def register(name: str, page: TaskPage) -> None:
    PAGES[name] = page


def install(engine: Engine) -> None:
    """Let deployment check the ``page`` properties against this registry (the engine knows no pages)."""
    engine.repository.pages = PAGES


def catalog() -> list[dict[str, str]]:
    """The registered pages by label, for the designer's properties panel."""
    return [{"name": name, "label": page.label} for name, page in sorted(PAGES.items(), key=lambda p: p[1].label)]


def work_of(task: TaskView) -> PageWork | None:
    """The page where ``task`` is done; None for a task done by its form (or whose page shows no such instance)."""
    page = PAGES.get(task.properties.get(PROPERTY) or "")
    url = page.url(task.instance_id) if page else None
    if page is None or url is None:
        return None
    overview = PAGES.get(page.overview or "")
    overview_url = overview.url(task.instance_id) if overview else None
    return PageWork(page.label, url, (overview.label, overview_url) if overview and overview_url else None)


def _cluster_page(endpoint: str) -> Callable[[int], str | None]:
    """The address of a cluster's page for the year whose emulation procedure the instance is."""

    def url(instance_id: int) -> str | None:
        found = domain().clusters.year_of_instance(instance_id)
        return url_for(endpoint, code=found[0], year=found[1]) if found else None

    return url


register("cluster.year", TaskPage("Năm thi đua của cụm, khối", _cluster_page("cluster_pages.year_page")))
register(
    "cluster.reconcile",
    TaskPage("Thẩm định điểm chênh lệch của cụm, khối", _cluster_page("cluster_results.reconcile"), "cluster.year"),
)
register(
    "cluster.meeting",
    TaskPage("Ghi kết quả hội nghị bình xét, bỏ phiếu", _cluster_page("cluster_meeting.meeting"), "cluster.year"),
)
register(
    "cluster.proposal",
    TaskPage("Gửi đề nghị khen thưởng của cụm, khối", _cluster_page("cluster_proposal.proposal"), "cluster.year"),
)
