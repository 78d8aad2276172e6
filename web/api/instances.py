"""Process instances: start, read (data, incidents, audit trail), list, and the administrator's levers.

The levers (suspend, resume, cancel, retry, migrate) check the caller's unit inside the engine's command; the
reading views ask the same policy first."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.models import Event, ProcessInstance
from engine.runtime import InstanceView
from web.api.context import actor, engine
from web.api.schemas import (
    CancelSchema,
    EventSchema,
    InstancePageSchema,
    InstanceQuery,
    InstanceSchema,
    MigrateSchema,
    RetrySchema,
    StartSchema,
)
from web.auth import require_unit, unit_scope

blp = Blueprint("instances", __name__, url_prefix="/api/instances", description="Running and finished processes.")


def visible(instance_id: int) -> ProcessInstance:
    """The instance row if the caller's units reach it; NotFound otherwise."""
    row = engine().runtime.find(instance_id)
    require_unit(actor(), row.unit, f"process instance {instance_id}")
    return row


def _units(requested: str | None) -> tuple[str | None, ...] | None:
    """The units to list: the caller's scope, narrowed by the ``unit`` filter."""
    scope = unit_scope(actor())
    if scope is None:
        return None if requested is None else (requested,)
    return scope if requested is None or requested in scope else ()


def summary(row: ProcessInstance) -> dict[str, Any]:
    return {
        "id": row.id,
        "process_key": row.process_key,
        "definition_version": row.definition.version,
        "business_key": row.business_key,
        "unit": row.unit,
        "state": row.state,
        "version": row.version,
        "started_by": row.started_by,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
    }


@blp.route("")
class Instances(MethodView):
    @blp.arguments(InstanceQuery(), location="query", error_status_code=400)
    @blp.response(200, InstancePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Instances of the caller's unit (every unit for supervisors and administrators), newest first."""
        page, per_page = query["page"], query["per_page"]
        rows = engine().runtime.list(
            process_key=query.get("process_key"),
            state=query.get("state"),
            business_key=query.get("business_key"),
            units=_units(query.get("unit")),
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        return {"items": [summary(r) for r in rows], "page": page, "per_page": per_page}

    @blp.arguments(StartSchema())
    @blp.response(201, InstanceSchema)
    def post(self, start: dict[str, Any]) -> InstanceView:
        """Start the latest (or given) version of ``key``; it belongs to the caller's unit unless told."""
        return engine().runtime.start(
            start["key"],
            business_key=start.get("business_key"),
            data=start["data"],
            actor=actor().username,
            version=start.get("version"),
            unit=start.get("unit"),
        )


@blp.route("/<int:instance_id>")
class Instance(MethodView):
    @blp.response(200, InstanceSchema)
    def get(self, instance_id: int) -> InstanceView:
        """One instance with its process data and open incidents."""
        visible(instance_id)
        return engine().runtime.get(instance_id)


@blp.route("/<int:instance_id>/history")
class History(MethodView):
    @blp.response(200, EventSchema(many=True))
    def get(self, instance_id: int) -> list[Event]:
        """The audit trail of one instance, oldest first."""
        visible(instance_id)
        return engine().history.for_instance(instance_id)


@blp.route("/<int:instance_id>/suspend")
class Suspend(MethodView):
    @blp.response(200, InstanceSchema)
    def post(self, instance_id: int) -> InstanceView:
        """Stop the instance from moving: no task completes, no timer fires."""
        return engine().runtime.suspend(instance_id, actor=actor().username)


@blp.route("/<int:instance_id>/resume")
class Resume(MethodView):
    @blp.response(200, InstanceSchema)
    def post(self, instance_id: int) -> InstanceView:
        """Let a suspended instance move again."""
        return engine().runtime.resume(instance_id, actor=actor().username)


@blp.route("/<int:instance_id>/cancel")
class Cancel(MethodView):
    @blp.arguments(CancelSchema(), required=False)
    @blp.response(200, InstanceSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> InstanceView:
        """End the instance for good, with a reason for the audit trail."""
        return engine().runtime.cancel(instance_id, actor=actor().username, reason=body.get("reason"))


@blp.route("/<int:instance_id>/retry")
class Retry(MethodView):
    @blp.arguments(RetrySchema(), required=False)
    @blp.response(200, InstanceSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> InstanceView:
        """Run the failed step again, with corrected data merged in."""
        return engine().runtime.retry(instance_id, actor=actor().username, data=body.get("data"))


@blp.route("/<int:instance_id>/migrate")
class Migrate(MethodView):
    @blp.arguments(MigrateSchema(), required=False)
    @blp.response(200, InstanceSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> InstanceView:
        """Move the instance to a newer version of its process (default: the latest), mapping renamed or moved
        activities; 409 naming each current task without a counterpart there."""
        return engine().runtime.migrate(
            instance_id, actor=actor().username, to_version=body.get("to_version"), mapping=body.get("mapping")
        )
