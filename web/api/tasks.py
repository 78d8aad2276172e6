"""Human tasks: the inbox (filtered, paginated, unit-scoped), a task and its form, and what people do with it.

Who may claim, assign or complete, and the unit scope, are the engine's rules, checked inside each command; the
reading views ask the same policy. ``expected_version`` is the instance version the caller saw: a stale one is
a 409.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.inbox import InboxQuery
from engine.tasks import TaskView
from web.api.context import actor, engine, username
from web.api.schemas import (
    AssignSchema,
    DelegateSchema,
    FormSchema,
    InboxQuerySchema,
    TaskDataSchema,
    TaskPageSchema,
    TaskSchema,
    VersionGuard,
)
from web.auth import cross_unit_groups, require_task_visible, unit_scope

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="The inbox and the work on human tasks.")


def visible(task_id: str) -> TaskView:
    """The task if the caller may see it (else NotFound), for the views that only read it."""
    task = engine().tasks.get(task_id)
    require_task_visible(actor(), task)
    return task


def with_version(task: TaskView) -> dict[str, Any]:
    """The task as TaskSchema dumps it (``vars``: a shallow view; the schema copies what it writes out)."""
    version = task.instance_version if task.instance_version is not None else engine().runtime.version(task.instance_id)
    return {**vars(task), "instance_version": version}


@blp.route("")
class Inbox(MethodView):
    @blp.arguments(InboxQuerySchema(), location="query", error_status_code=400)
    @blp.response(200, TaskPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Ready tasks assigned to me and/or claimable through my groups, with the total for paging."""
        caller = actor()
        found = engine().tasks.inbox(
            caller,
            InboxQuery(**query, units=unit_scope(caller), cross_unit_groups=cross_unit_groups(caller)),
        )
        return {
            "items": found.items,
            "total": found.total,
            "total_exact": found.total_exact,
            "page": found.page,
            "per_page": found.per_page,
        }


@blp.route("/<task_id>")
class Task(MethodView):
    @blp.response(200, TaskSchema)
    def get(self, task_id: str) -> dict[str, Any]:
        """One task (any state), with its instance's version for ``expected_version``."""
        return with_version(visible(task_id))


@blp.route("/<task_id>/form")
class Form(MethodView):
    @blp.response(200, FormSchema)
    def get(self, task_id: str) -> dict[str, Any]:
        """The task form's JSON Schema (null when the task has no form)."""
        task = visible(task_id)
        return {"task_id": task.id, "form": task.form, "schema": engine().tasks.form(task_id)}


@blp.route("/<task_id>/claim")
class Claim(MethodView):
    @blp.arguments(VersionGuard(), required=False)
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Take an unassigned task of one of my groups (409 if someone else has it)."""
        claimed = engine().tasks.claim(task_id, username(), expected_version=body.get("expected_version"))
        return with_version(claimed)


@blp.route("/<task_id>/unclaim")
class Unclaim(MethodView):
    @blp.arguments(VersionGuard(), required=False)
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Give my task back to its groups."""
        unclaimed = engine().tasks.unclaim(task_id, username(), expected_version=body.get("expected_version"))
        return with_version(unclaimed)


@blp.route("/<task_id>/assign")
class Assign(MethodView):
    @blp.arguments(AssignSchema())
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Give the task to one of its candidates (a claimed one: only someone above the claimant)."""
        version = body.get("expected_version")
        return with_version(
            engine().tasks.assign(task_id, username(), body["assignee"], expected_version=version)
        )


@blp.route("/<task_id>/delegate")
class Delegate(MethodView):
    @blp.arguments(DelegateSchema())
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Hand my task to someone to work on; it comes back to me when they resolve it."""
        version = body.get("expected_version")
        return with_version(
            engine().tasks.delegate(task_id, username(), body["delegate"], expected_version=version)
        )


@blp.route("/<task_id>/resolve")
class Resolve(MethodView):
    @blp.arguments(TaskDataSchema(), required=False)
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> dict[str, Any]:
        """The delegate gives the task back to its owner, with their data."""
        version = body.get("expected_version")
        return with_version(
            engine().tasks.resolve(task_id, username(), body.get("data"), expected_version=version)
        )


@blp.route("/<task_id>/complete")
class Complete(MethodView):
    @blp.arguments(TaskDataSchema(), required=False)
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Complete the task with its form data (422 naming the fields when the form refuses them)."""
        version = body.get("expected_version")
        return with_version(
            engine().tasks.complete(task_id, username(), body.get("data") or {}, expected_version=version)
        )
