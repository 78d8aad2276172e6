"""What the work pages share: the engine, a task the signed-in person may see (else the 404 page), whether they
may see its dossier, and each task's working calendar."""

from __future__ import annotations

from flask import abort

from engine import Engine
from engine.calendar import WorkCalendar
from engine.errors import NotFound
from engine.identity import Actor
from engine.tasks import TaskView
from web import i18n
from web.auth import require_task_visible, sees_all_units
from web.services import engine

i18n.TEXTS.update({"task.not_found": ("Không tìm thấy công việc này.", "No such task.")})



def visible_task(me: Actor, task_id: str) -> TaskView:
    """The task if ``me`` may see it, as the API decides (unit, assignee, line agency); else the 404 page."""
    try:
        task = engine().tasks.get(task_id)
        require_task_visible(me, task)
    except NotFound:
        abort(404, description=i18n.gettext("task.not_found"))
    return task


def sees_dossier(me: Actor, unit: str | None) -> bool:
    """The dossier (its data, audit trail and slip) is shown to its unit and to the wide roles only."""
    return sees_all_units(me) or unit == me.unit


class Calendars:
    """The working calendar of each task (its ``calendar`` property, else its unit's, else the default),
    looked up once per page."""

    def __init__(self, source: Engine) -> None:
        self.engine = source
        self._found: dict[tuple[str | None, str | None], WorkCalendar] = {}

    def of(self, task: TaskView) -> WorkCalendar:
        key = (task.properties.get("calendar"), task.unit)
        if key not in self._found:
            self._found[key] = self.engine.sla.calendar_of(*key)
        return self._found[key]
