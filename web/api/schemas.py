"""marshmallow schemas of every request and response of the JSON API (they also write the OpenAPI document).

Dates go out as ISO 8601 with their offset (stored UTC); a date-time sent without an offset is read in the
users' time zone. Request schemas refuse unknown fields, so a typo is a 422 rather than silently ignored.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from engine.calendar import DEFAULT_ZONE, DURATION_DIGITS, DURATION_PATTERN
from engine.calendar_store import LISTED_YEARS
from engine.inbox import MAX_PAGE, SCOPES, SORTS
from engine.runtime import MAX_ELEMENT_ID, MAX_MAPPING
from engine.timer_preview import TIMER_KINDS
from web import problem_texts
from web.boundary import MAX_ID

LOCAL = ZoneInfo(DEFAULT_ZONE)
#: A working-time duration as engine.calendar.parse_duration reads it (case-insensitive unit spelled out).
#: (no sign of minus: the API computes forward only, and refuses a negative time limit)
DURATION = "^" + DURATION_PATTERN.replace("(WD|WH|WM)", "[Ww][DdHhMm]").replace("[+-]?", "[+]?") + "$"
STATES = ("running", "suspended", "error", "completed", "cancelled")


#: The years a date sent in may fall in. Arithmetic on a date near year 1 or 9999 (a time zone, a due date, the
#: next day) overflows; before 1906 the local zone's offset had seconds (+07:06:40), which an ISO 8601 answer
#: cannot carry; no dossier predates 1970.
YEARS = (1970, 2200)


def in_years(value: date) -> None:
    """A marshmallow validator: ``value`` falls within :data:`YEARS`."""
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValidationError(f"must fall in the years {YEARS[0]} to {YEARS[1]}")


def moment(**kwargs: Any) -> fields.AwareDateTime:
    """A date-time in, ISO 8601 with offset; naive input counts as local (Asia/Ho_Chi_Minh) time."""
    return fields.AwareDateTime(default_timezone=LOCAL, validate=in_years, **kwargs)


def calendar_day(**kwargs: Any) -> fields.Date:
    """A date in (YYYY-MM-DD), within :data:`YEARS`."""
    return fields.Date(validate=in_years, **kwargs)


class Query(Schema):
    """Query strings ignore what they do not know (caches, cache-busters)."""

    class Meta:
        unknown = EXCLUDE


# -- common -------------------------------------------------------------------------------------------------


class ProblemSchema(Schema):
    file = fields.String()
    element_id = fields.String(allow_none=True)
    message = fields.String(metadata={"description": "the engine's English text"})
    severity = fields.String(metadata={"description": "error refuses the bundle; warning is reported only"})
    line = fields.Integer(allow_none=True)
    code = fields.String(metadata={"description": "stable code of the finding, e.g. property.budget"})
    params = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "what it names"})
    text = fields.Function(
        lambda p: problem_texts.localized(p)["text"], metadata={"description": "in the session's language"}
    )
    detail = fields.Function(
        lambda p: problem_texts.localized(p)["detail"],
        metadata={"description": "a library's own words, kept apart from a Vietnamese text"},
    )


class ErrorSchema(Schema):
    error = fields.String(metadata={"description": "the error's kind, e.g. NotFound, InvalidInput, TaskAlreadyClaimed"})
    message = fields.String()
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "field path -> messages"},
    )
    problems = fields.List(fields.Nested(ProblemSchema), metadata={"description": "refused deployments only"})
    code = fields.String(metadata={"description": "a refused expression's reason (timer preview only)"})
    params = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "what it names"})
    text = fields.String(metadata={"description": "the reason in the session's language"})
    detail = fields.String(metadata={"description": "a library's own words, kept apart from the text"})
    key = fields.String(metadata={"description": "VersionConflict only: the process"})
    based_on = fields.Integer(
        allow_none=True, metadata={"description": "VersionConflict only: the version the change was made from"}
    )
    latest = fields.Integer(allow_none=True, metadata={"description": "VersionConflict only: the newest version"})


class HealthSchema(Schema):
    status = fields.String()


class Paging(Query):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class VersionGuard(Schema):
    expected_version = fields.Integer(
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "the instance version the caller saw; 409 if it moved since"},
    )


# -- auth ---------------------------------------------------------------------------------------------------


class CredentialsSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1000))


class UserSchema(Schema):
    username = fields.String()
    groups = fields.List(fields.String())
    roles = fields.List(fields.String())
    unit = fields.String(allow_none=True)
    is_admin = fields.Boolean()


class SignedInSchema(Schema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String(metadata={"description": "send it as X-CSRF-Token on every state-changing call"})


class CsrfSchema(Schema):
    csrf_token = fields.String()


class TokenSchema(Schema):
    token = fields.String()
    token_type = fields.String()
    expires_at = fields.AwareDateTime()


# -- definitions --------------------------------------------------------------------------------------------


class BundleSchema(Schema):
    files = fields.List(
        Upload(), required=True, validate=validate.Length(min=1), metadata={"description": ".bpmn, .dmn, .json"}
    )


class DefinitionQuery(Query):
    key = fields.String()


class DefinitionSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    name = fields.String(allow_none=True)
    deployment_id = fields.Integer()
    resource_name = fields.String()
    deployed_at = fields.AwareDateTime()
    content_hash = fields.String()
    calls = fields.List(fields.String())
    running_instances = fields.Integer()
    finished_instances = fields.Integer()


class DeploymentSchema(Schema):
    deployment_id = fields.Integer(allow_none=True, metadata={"description": "null when nothing changed"})
    definitions = fields.List(fields.Nested(DefinitionSchema))
    unchanged = fields.List(fields.String())
    warnings = fields.List(fields.Nested(ProblemSchema))


class ValidationSchema(Schema):
    valid = fields.Boolean()
    processes = fields.List(fields.String())
    problems = fields.List(fields.Nested(ProblemSchema))


class XmlSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    resource_name = fields.String()
    xml = fields.String()


# -- instances ----------------------------------------------------------------------------------------------


class StartSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=200))
    business_key = fields.String(allow_none=True, validate=validate.Length(max=200))
    data = fields.Dict(keys=fields.String(), load_default=dict)
    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "default: the latest"}
    )
    unit = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "default: yours"})


class IncidentSchema(Schema):
    id = fields.Integer()
    element_id = fields.String(allow_none=True)
    message = fields.String()
    created_at = fields.AwareDateTime()


class InstanceSummarySchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    definition_version = fields.Integer()
    business_key = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    state = fields.String()
    version = fields.Integer()
    started_by = fields.String()
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)


class InstanceSchema(InstanceSummarySchema):
    data = fields.Dict()
    incidents = fields.List(fields.Nested(IncidentSchema))


class InstanceQuery(Paging):
    process_key = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    business_key = fields.String()
    unit = fields.String()


class InstancePageSchema(Schema):
    items = fields.List(fields.Nested(InstanceSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()


class EventSchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor = fields.String()
    action = fields.String()
    task_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    details = fields.Dict(allow_none=True)


class CancelSchema(Schema):
    reason = fields.String(validate=validate.Length(max=2000))


class RetrySchema(Schema):
    data = fields.Dict(keys=fields.String(), metadata={"description": "corrected data merged into the failed task"})


class MigrateSchema(Schema):
    to_version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "default: the latest"}
    )
    mapping = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=MAX_ELEMENT_ID)),
        values=fields.String(validate=validate.Length(min=1, max=MAX_ELEMENT_ID)),
        validate=validate.Length(max=MAX_MAPPING),
        metadata={
            "description": "renamed or moved activities: element id in the instance's version -> element id in "
            "the new version; a current task whose element the new version lacks must be mapped"
        },
    )


# -- tasks --------------------------------------------------------------------------------------------------


class InboxQuerySchema(Paging):
    scope = fields.String(load_default="all", validate=validate.OneOf(SCOPES))
    process_key = fields.String()
    element_id = fields.String()
    business_key = fields.String()
    unit = fields.String()
    due_before = moment()
    due_after = moment()
    overdue = fields.Boolean(load_default=False)
    sort = fields.String(load_default="due", validate=validate.OneOf(tuple(SORTS)))
    descending = fields.Boolean(load_default=False)


class TaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    element_id = fields.String()
    name = fields.String(allow_none=True)
    lane = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    state = fields.String()
    assignee = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    delegation = fields.String(allow_none=True)
    candidate_groups = fields.List(fields.String())
    candidate_users = fields.List(fields.String())
    created_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    budget = fields.String(allow_none=True, metadata={"description": "the step's budget, e.g. 0.5WD"})
    sla_state = fields.String(
        allow_none=True, metadata={"description": "pending, met, violated, not_applicable, aborted"}
    )
    classification = fields.String(
        allow_none=True, metadata={"description": "trong_han, qua_han (open); truoc_han, dung_han, qua_han (done)"}
    )
    properties = fields.Dict(keys=fields.String(), values=fields.String())
    instance_version = fields.Integer(
        allow_none=True, metadata={"description": "send it back as expected_version; null when not loaded"}
    )


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer(metadata={"description": "matches counted; more exist when total_exact is false"})
    total_exact = fields.Boolean()
    page = fields.Integer()
    per_page = fields.Integer()


class FormSchema(Schema):
    task_id = fields.String()
    form = fields.String(allow_none=True)
    schema = fields.Dict(allow_none=True, metadata={"description": "JSON Schema of the form; null if none"})


class AssignSchema(VersionGuard):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=100))


class DelegateSchema(VersionGuard):
    delegate = fields.String(required=True, validate=validate.Length(min=1, max=100))


class TaskDataSchema(VersionGuard):
    data = fields.Dict(keys=fields.String(), load_default=dict)


# -- calendar -----------------------------------------------------------------------------------------------


class CalendarQuery(Query):
    calendar = fields.String(load_default="default")


class DaysQuery(CalendarQuery):
    year = fields.Integer(required=True, validate=validate.Range(min=LISTED_YEARS[0], max=LISTED_YEARS[-1]))
    include_removed = fields.Boolean(load_default=False)


class DueQuery(CalendarQuery):
    start = fields.DateTime(
        required=True, validate=in_years, metadata={"description": "ISO 8601; without offset: calendar time"}
    )
    duration = fields.String(
        required=True,
        validate=[validate.Length(max=40), validate.Regexp(DURATION)],
        metadata={"description": f"e.g. 20WD, 0.5WD, 4WH; at most {DURATION_DIGITS} digits before the point"},
    )


class DayEntrySchema(Schema):
    day = fields.Date()
    kind = fields.String()
    name = fields.String()
    source = fields.String()
    origin = fields.String(metadata={"description": "package or admin"})
    overridden = fields.Boolean()
    entered_by = fields.String(allow_none=True)
    entered_at = fields.AwareDateTime(allow_none=True)
    revision = fields.Integer(allow_none=True)
    removed_by = fields.String(allow_none=True)
    removed_at = fields.AwareDateTime(allow_none=True)


class DueSchema(Schema):
    calendar = fields.String()
    revision = fields.Integer()
    start = fields.AwareDateTime()
    due = fields.AwareDateTime()


class DayArgs(Schema):
    calendar = fields.String(load_default="default", validate=validate.Length(min=1, max=64))
    source = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SwapSchema(DayArgs):
    off = calendar_day(required=True)
    work = calendar_day(required=True)
    name = fields.String(validate=validate.Length(max=200))


class OneDaySchema(DayArgs):
    day = calendar_day(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RevisionSchema(Schema):
    calendar = fields.String()
    revision = fields.Integer()


# -- messages and signals -----------------------------------------------------------------------------------


class CorrelateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    business_key = fields.String(allow_none=True)
    payload = fields.Raw(allow_none=True)
    all = fields.Boolean(load_default=False, metadata={"description": "deliver to every waiting instance"})


class SignalSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    payload = fields.Raw(allow_none=True)


class DeliveredSchema(Schema):
    instances = fields.List(fields.Integer(), metadata={"description": "the instances that received it"})


# -- SLA, reports, notifications -----------------------------------------------------------------------------


class SlipSchema(Schema):
    """The control slip (phiếu kiểm soát quá trình giải quyết hồ sơ)."""

    instance_id = fields.Integer()
    business_key = fields.String(allow_none=True)
    dossier = fields.Dict(allow_none=True, metadata={"description": "the dossier's clock, or null before receipt"})
    steps = fields.List(fields.Dict(), metadata={"description": "one object per hand-over"})


class RescheduleSchema(Schema):
    new_due = moment(required=True, metadata={"description": "the new appointment"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ClockSchema(Schema):
    due_at = fields.AwareDateTime()
    original_due_at = fields.AwareDateTime()
    rescheduled_at = fields.AwareDateTime(allow_none=True)
    reschedule_reason = fields.String(allow_none=True)


class PeriodQuery(Query):
    start = calendar_day(required=True)
    end = calendar_day(required=True)
    period = fields.String(load_default="month", validate=validate.OneOf(("month", "quarter", "year")))
    group_by = fields.String(
        load_default="none", validate=validate.OneOf(("unit", "step", "person", "process", "none"))
    )
    level = fields.String(load_default="step", validate=validate.OneOf(("step", "dossier")))


class RateSchema(Schema):
    period = fields.String()
    group = fields.String(allow_none=True)
    early = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    finished = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)


class PendingQuery(Query):
    group_by = fields.String(
        load_default="unit", validate=validate.OneOf(("unit", "step", "person", "process", "none"))
    )


class PendingSchema(Schema):
    group = fields.String(allow_none=True)
    within = fields.Integer()
    due_soon = fields.Integer()
    overdue = fields.Integer()


class LateQuery(Query):
    start = calendar_day(required=True)
    end = calendar_day(required=True)


class LateDossierSchema(Schema):
    instance_id = fields.Integer()
    business_key = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    due_at = fields.String()
    finished_at = fields.String(allow_none=True)
    late_step = fields.String(allow_none=True)
    late_step_person = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class NotificationSchema(Schema):
    id = fields.Integer()
    created_at = fields.AwareDateTime()
    kind = fields.String()
    message = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    read_at = fields.AwareDateTime(allow_none=True)


# -- the process designer's editor -----------------------------------------------------------------------------

#: The longest script or expression the editor may send to be checked (a BPMN file is bounded at 10 MB).
MAX_SCRIPT = 100_000


class ProcessRefSchema(Schema):
    key = fields.String()
    name = fields.String(allow_none=True)
    version = fields.Integer()


class HandlerParameterSchema(Schema):
    name = fields.String()
    required = fields.Boolean()


class OperatorSchema(Schema):
    name = fields.String(metadata={"description": "the serviceTaskOperator id"})
    doc = fields.String(metadata={"description": "the first paragraph of the handler's documentation"})
    parameters = fields.List(fields.Nested(HandlerParameterSchema))


class DonePageSchema(Schema):
    name = fields.String(metadata={"description": "the value of a user task's page property"})
    label = fields.String(metadata={"description": "its Vietnamese name"})


class DesignerCatalogSchema(Schema):
    processes = fields.List(fields.Nested(ProcessRefSchema), metadata={"description": "latest version per key"})
    decisions = fields.List(fields.String())
    decision_names = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "id → name"})
    forms = fields.List(fields.String())
    operators = fields.List(fields.Nested(OperatorSchema))
    pages = fields.List(fields.Nested(DonePageSchema), metadata={"description": "where a user task may be done"})


class ScriptCheckSchema(Schema):
    source = fields.String(required=True, validate=validate.Length(max=MAX_SCRIPT))
    mode = fields.String(
        load_default="exec",
        validate=validate.OneOf(("exec", "eval")),
        metadata={"description": "exec: a script task's script; eval: a condition or expression"},
    )


class ScriptCheckResultSchema(Schema):
    ok = fields.Boolean()
    message = fields.String(allow_none=True, metadata={"description": "why the sandbox refuses it (English)"})
    code = fields.String(allow_none=True, metadata={"description": "why, as a stable code (engine.script_codes)"})
    text = fields.String(allow_none=True, metadata={"description": "why, in the reader's language"})
    detail = fields.String(metadata={"description": "Python's own words about it, if any"})


class TimerPreviewSchema(Schema):
    expression = fields.String(required=True, validate=validate.Length(min=1, max=MAX_SCRIPT))
    kind = fields.String(load_default="duration", validate=validate.OneOf(TIMER_KINDS))
    start = moment(required=True, metadata={"description": "the example moment the timer is reached"})
    unit = fields.String(
        load_default=None, validate=validate.Length(max=100), metadata={"description": "whose calendar"}
    )


class TimerPreviewResultSchema(Schema):
    value = fields.String(metadata={"description": "what the expression gave"})
    due = fields.AwareDateTime()
    cycles = fields.Integer(allow_none=True)
