"""marshmallow schemas of the clusters API: a cluster's year, its rules, standings and sheets, and what the head
and the members send."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from web.api.dossier_schemas import PaperRef
from web.api.schemas import Query, calendar_day, moment

UNIT = validate.Length(min=1, max=100)
#: points per criterion, bonus or penalty code ("I.1": 28.5)
SCORES = fields.Dict(
    keys=fields.String(validate=validate.Length(min=1, max=40)),
    values=fields.Raw(),
    required=True,
    validate=validate.Length(max=100),
    metadata={"description": "criterion code → points (a number, or decimal text)"},
)


class YearQuery(Query):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class SheetQuery(Query):
    grader = fields.String(validate=UNIT)
    graded = fields.String(validate=UNIT)


class MemberOut(Schema):
    unit = fields.String()
    name = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    pledge_signed_at = moment(allow_none=True)


class YearOut(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "cum (by area) | khoi (by sector)"})
    year = fields.Integer()
    head = fields.String()
    deputy = fields.String(allow_none=True)
    phase = fields.String()
    phase_name = fields.String()
    rules_version = fields.String(allow_none=True)
    scoring_opens_at = moment(allow_none=True)
    self_score_due = moment(allow_none=True)
    cross_grade_due = moment(allow_none=True)
    proposal_due = moment(allow_none=True)
    members = fields.List(fields.Nested(MemberOut))
    open_steps = fields.List(fields.String(), metadata={"description": "the head's ready steps (element ids)"})
    instance_id = fields.Integer(allow_none=True)


class CriterionOut(Schema):
    code = fields.String()
    name = fields.String()
    group = fields.String()
    max = fields.Decimal(as_string=True)
    evidence = fields.Boolean()
    key = fields.Boolean()


class ItemOut(Schema):
    code = fields.String()
    name = fields.String()
    max = fields.Decimal(as_string=True)


class RulesOut(Schema):
    version = fields.String()
    name = fields.String()
    effective_from = fields.Date()
    groups = fields.Dict(keys=fields.String(), values=fields.String())
    criteria = fields.List(fields.Nested(CriterionOut))
    bonus = fields.List(fields.Nested(ItemOut))
    penalty = fields.List(fields.Nested(ItemOut))
    cross_mode = fields.String()
    tolerance = fields.Decimal(as_string=True)
    tie_breaks = fields.List(fields.String())
    flags = fields.Integer()
    certificates = fields.Integer()


class StandingOut(Schema):
    unit = fields.String()
    name = fields.String()
    self_total = fields.Decimal(as_string=True, allow_none=True)
    cross_average = fields.Decimal(as_string=True, allow_none=True)
    gap = fields.Decimal(as_string=True)
    beyond_tolerance = fields.Boolean()
    reconciled = fields.Boolean()
    scores = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True))
    total = fields.Decimal(as_string=True, allow_none=True)
    key_total = fields.Decimal(as_string=True, allow_none=True)
    votes = fields.Integer(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    rank = fields.Integer(allow_none=True)
    proposal = fields.String(allow_none=True)
    dossier_code = fields.String(allow_none=True)


class SheetOut(Schema):
    kind = fields.String(metadata={"description": "self | cross | reconciled"})
    grader_unit = fields.String()
    graded_unit = fields.String()
    scores = fields.Dict(keys=fields.String(), values=fields.String())
    evidence = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()))
    note = fields.String(allow_none=True)
    submitted_at = moment()
    submitted_by = fields.String()


class ProgressOut(Schema):
    code = fields.String()
    name = fields.String()
    year = fields.Integer()
    phase = fields.String()
    due = moment(allow_none=True)
    working_days_left = fields.Float(allow_none=True)
    missing = fields.List(fields.String())


class CirculateIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class CloseIn(Schema):
    round = fields.String(
        required=True,
        validate=validate.OneOf(("pledges", "self_scores", "cross_grades")),
        metadata={"description": "which round the head closes"},
    )


class EvidenceRef(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=255))
    filename = fields.String(validate=validate.Length(max=255))
    content_type = fields.String(validate=validate.Length(max=100))
    size = fields.Integer()
    sha256 = fields.String(validate=validate.Length(max=64))


class SelfScoreIn(Schema):
    scores = SCORES
    evidence = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=fields.List(fields.Nested(EvidenceRef), validate=validate.Length(max=20)),
        load_default=dict,
        metadata={"description": "criterion code → the files an upload to /evidence returned"},
    )


class CrossGradeIn(Schema):
    graded = fields.String(required=True, validate=UNIT)
    scores = SCORES


class ReconciledIn(Schema):
    unit = fields.String(required=True, validate=UNIT)
    scores = SCORES
    note = fields.String(validate=validate.Length(max=2000))


class ReconcileIn(Schema):
    reconciled = fields.List(fields.Nested(ReconciledIn), required=True, validate=validate.Length(max=50))


class BallotIn(Schema):
    unit = fields.String(required=True, validate=UNIT)
    approve = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))


class MeetingIn(Schema):
    held_on = calendar_day(required=True)
    present = fields.List(fields.String(validate=UNIT), required=True, validate=validate.Length(max=50))
    ballots = fields.List(fields.Nested(BallotIn), required=True, validate=validate.Length(max=50))


class ProposalIn(Schema):
    flags = fields.List(fields.String(validate=UNIT), load_default=list, validate=validate.Length(max=20))
    certificates = fields.List(fields.String(validate=UNIT), load_default=list, validate=validate.Length(max=50))
    papers = fields.List(fields.Nested(PaperRef), required=True, validate=validate.Length(max=20))


class ProposalOut(Schema):
    dossiers = fields.List(fields.String())


class EvidenceUploadIn(Schema):
    file = Upload(required=True)


class RuleVersionOut(Schema):
    version = fields.String()
    name = fields.String()
    effective_from = fields.Date()
    loaded_at = moment()
    published_by = fields.String(allow_none=True, metadata={"description": "None: shipped with the product"})


class RulesIn(Schema):
    rules = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "a scoring rule document, as processes/clusters/rules/*.yaml (dates as text)"},
    )


class PublishedOut(Schema):
    version = fields.String()
