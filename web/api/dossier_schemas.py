"""marshmallow schemas of the dossier API (submit, list, summary, papers, documents) and the public look-up."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from handlers.dossiers import ACHIEVEMENT_YEARS
from web.api.schemas import Paging, moment

KINDS = ("individual", "collective", "household")


class NomineeIn(Schema):
    kind = fields.String(load_default="individual", validate=validate.OneOf(KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    gender = fields.String(allow_none=True, validate=validate.OneOf(("nam", "nu")))
    position = fields.String(allow_none=True, validate=validate.Length(max=255))
    is_leader = fields.Boolean(load_default=False)
    unit = fields.String(allow_none=True, validate=validate.Length(max=255))
    facts = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "titles, initiatives, member counts … what the eligibility rules read"},
    )


class PaperRef(Schema):
    code = fields.String(required=True, metadata={"description": "paper kind, e.g. TO_TRINH"})
    key = fields.String(metadata={"description": "the key an earlier upload returned"})
    file = fields.String(metadata={"description": "multipart only: the file name of one of the `files` parts"})
    filename = fields.String()


class SubmitSchema(Schema):
    """A dossier as the desk receives it. As multipart: this object (JSON text) in the part ``dossier``,
    the papers' files in parts ``files`` (each named in ``papers`` by ``file``)."""

    award_type = fields.String(required=True, metadata={"description": "a code of the rule set in force"})
    unit = fields.String(required=True, validate=validate.Length(min=1, max=100))
    unit_name = fields.String(validate=validate.Length(max=255))
    title = fields.String(validate=validate.Length(max=500))
    achievement_year = fields.Integer(
        validate=validate.Range(min=ACHIEVEMENT_YEARS[0], max=ACHIEVEMENT_YEARS[-1])
    )
    applicant = fields.Dict(keys=fields.String())
    nominees = fields.List(fields.Nested(NomineeIn), required=True, validate=validate.Length(min=1, max=200))
    papers = fields.List(fields.Nested(PaperRef), load_default=list)
    accept = fields.Boolean(
        load_default=False,
        metadata={"description": "the desk checked it complete at the counter: receive it now (receipt)"},
    )


class SubmitFilesSchema(Schema):
    files = fields.List(Upload(), metadata={"description": "the papers' files (multipart)"})
    dossier = fields.String(metadata={"description": "multipart: the SubmitSchema object as JSON text"})


class DossierQuery(Paging):
    status = fields.Integer(validate=validate.Range(min=1, max=10))
    award_type = fields.String()
    unit = fields.String(metadata={"description": "the proposing unit"})
    code = fields.String(metadata={"description": "part of the dossier code"})


class NomineeOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    gender = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    is_leader = fields.Boolean()
    unit = fields.String(allow_none=True)
    state = fields.String()
    reason = fields.String(allow_none=True)


class PaperOut(Schema):
    id = fields.Integer()
    code = fields.String()
    filename = fields.String()
    size = fields.Integer()
    supplement = fields.Boolean()


class DocumentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    format = fields.String()
    filename = fields.String()
    size = fields.Integer()
    created_at = moment()
    created_by = fields.String()


class TaskRef(Schema):
    id = fields.String()
    element_id = fields.String()
    name = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    due_at = moment(allow_none=True)


class DossierSchema(Schema):
    code = fields.String()
    award_type = fields.String()
    award_name = fields.String()
    rule_version = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    title = fields.String()
    achievement_year = fields.Integer()
    status = fields.Integer(metadata={"description": "1 Mới đăng ký … 10 Đã trả kết quả"})
    status_name = fields.String()
    status_at = moment()
    submitted_at = moment()
    received_at = moment(allow_none=True)
    due_at = moment(allow_none=True, metadata={"description": "the appointment (hẹn trả kết quả)"})
    appointment = fields.String(allow_none=True, metadata={"description": "dd/mm/yyyy"})
    outcome = fields.String(allow_none=True)
    outcome_reason = fields.String(allow_none=True)
    classification = fields.String(allow_none=True, metadata={"description": "truoc_han | dung_han | qua_han"})
    supplement_requested_at = moment(allow_none=True)
    supplement_items = fields.List(fields.Dict())
    instance_id = fields.Integer(allow_none=True)
    nominees = fields.List(fields.Nested(NomineeOut))
    papers = fields.List(fields.Nested(PaperOut))
    documents = fields.List(fields.Nested(DocumentOut))
    tasks = fields.List(fields.Nested(TaskRef), metadata={"description": "ready tasks"})


class DossierRow(Schema):
    code = fields.String()
    award_type = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    status = fields.Integer()
    status_name = fields.String()
    submitted_at = moment()
    received_at = moment(allow_none=True)
    due_at = moment(allow_none=True)
    classification = fields.String(allow_none=True)
    nominees = fields.Integer(metadata={"description": "how many"})


class DossierPageSchema(Schema):
    items = fields.List(fields.Nested(DossierRow))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class PaperUploadSchema(Schema):
    code = fields.String(required=True, metadata={"description": "paper kind, e.g. BAO_CAO_THANH_TICH"})
    file = Upload(required=True)


class UploadedSchema(Schema):
    code = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    key = fields.String(metadata={"description": "name it in a submission or the supplement"})
    sha256 = fields.String()


class SupplementSchema(Schema):
    papers = fields.List(fields.Nested(PaperRef), required=True)


class WithdrawSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ApologySchema(Schema):
    new_due = moment(required=True, metadata={"description": "the new appointment (local time if no offset)"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ApologyResultSchema(Schema):
    due_at = fields.String()
    appointment = fields.String()
    documents = fields.List(fields.Dict())


class PublicStatusSchema(Schema):
    code = fields.String()
    status = fields.Integer()
    status_name = fields.String()
    appointment = fields.String(allow_none=True, metadata={"description": "dd/mm/yyyy; none once it ended"})
    to_bring = fields.List(
        fields.String(),
        metadata={"description": "while waiting for papers (status 5): the papers to bring, by name"},
    )
    asked_on = fields.String(
        allow_none=True, metadata={"description": "while waiting for papers: the day they were asked for, dd/mm/yyyy"}
    )
    on_return = fields.String(
        allow_none=True,
        metadata={
            "description": "while waiting for papers: how the time limit goes on when they come — start (it counts "
            "from the day the dossier is complete), resume (the time left counts on), restart (the whole limit again)"
        },
    )
    days_on_return = fields.Float(
        allow_none=True,
        metadata={"description": "while waiting for papers: the working days from their return to the result"},
    )
