"""Emulation clusters and blocs: a year's state, rules, standings and sheets; the head's steps (open, circulate the
pledge, close a round, reconcile, record the meeting, send the proposal) and the members' actions (sign, upload
evidence, self-score, cross-grade).

Every change is one call of the domain's cluster service: one transaction with its audit event, the caller's role
and unit checked inside it. Refusals name the field (422), out of phase is 409, not the head or not a member 403.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response
from flask.views import MethodView
from werkzeug.datastructures import FileStorage

from handlers.cluster_service import ClusterService, StandingRow, YearView
from web.api.cluster_schemas import (
    CirculateIn,
    CloseIn,
    CrossGradeIn,
    EvidenceUploadIn,
    MeetingIn,
    ProgressOut,
    ProposalIn,
    ProposalOut,
    PublishedOut,
    ReconcileIn,
    RulesIn,
    RulesOut,
    RuleVersionOut,
    SelfScoreIn,
    SheetOut,
    SheetQuery,
    StandingOut,
    YearOut,
    YearQuery,
)
from web.api.context import actor, domain
from web.api.dossier_schemas import PaperUploadSchema, UploadedSchema
from web.api.dossiers import upload
from web.api.multipart import FORM_AND_FILES, Blueprint

blp = Blueprint(
    "clusters", __name__, url_prefix="/api/clusters", description="Emulation clusters and blocs (cụm, khối thi đua)."
)
ONE = "/<code>/<int:year>"


def _clusters() -> ClusterService:
    return domain().clusters


def _year(view: YearView) -> dict[str, Any]:
    return {**asdict(view), "phase_name": view.phase_name}


def _standings(rows: list[StandingRow]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


@blp.route("")
class Clusters(MethodView):
    @blp.arguments(YearQuery, location="query", error_status_code=400)
    @blp.response(200, YearOut(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Every cluster and bloc of the year, with its head, members and phase."""
        return [_year(v) for v in _clusters().clusters(query["year"])]


@blp.route("/progress")
class Progress(MethodView):
    @blp.arguments(YearQuery, location="query", error_status_code=400)
    @blp.response(200, ProgressOut(many=True))
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Each cluster's phase, the phase's deadline, working days left and the units that have not acted."""
        return _clusters().progress(query["year"])


@blp.route("/rules")
class RuleVersions(MethodView):
    @blp.response(200, RuleVersionOut(many=True))
    def get(self) -> list[Any]:
        """The scoring rule versions, the latest effective date first."""
        return _clusters().rule_versions()

    @blp.arguments(RulesIn)
    @blp.response(201, PublishedOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Publish a new scoring rule version (process designers): immutable once stored, for the years opened
        from its effective date. 422 naming each field of a broken document, a past effective date or a used
        version code."""
        return {"version": _clusters().publish_rules(actor(), body["rules"])}


@blp.route("/mine")
class Mine(MethodView):
    @blp.arguments(YearQuery, location="query", error_status_code=400)
    @blp.response(200, YearOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The cluster or bloc of my unit in the year (404 for a unit in none)."""
        return _year(_clusters().mine(actor(), query["year"]))


@blp.route("/<code>/history")
class History(MethodView):
    @blp.response(200, YearOut(many=True))
    def get(self, code: str) -> list[dict[str, Any]]:
        """Every year of the cluster, latest first, each with its ranking (``standings``)."""
        return [{**_year(view), "standings": _standings(rows)} for view, rows in _clusters().history(code)]


@blp.route(ONE)
class One(MethodView):
    @blp.response(200, YearOut)
    def get(self, code: str, year: int) -> dict[str, Any]:
        """One cluster's year: head, deputy, members with their dates and pledge, phase and deadlines."""
        return _year(_clusters().year(code, year))


@blp.route(f"{ONE}/rules")
class Rules(MethodView):
    @blp.response(200, RulesOut)
    def get(self, code: str, year: int) -> Any:
        """The scoring grid and rules the year runs under."""
        return _clusters().rules(code, year)


@blp.route(f"{ONE}/standings")
class Standings(MethodView):
    @blp.response(200, StandingOut(many=True))
    def get(self, code: str, year: int) -> list[dict[str, Any]]:
        """Self-scores, cross-grade averages, gaps (beyond the tolerance flagged), final scores; after the
        meeting the votes, ranks and proposals."""
        return _standings(_clusters().standings(code, year))


@blp.route(f"{ONE}/sheets")
class Sheets(MethodView):
    @blp.arguments(SheetQuery, location="query", error_status_code=400)
    @blp.response(200, SheetOut(many=True))
    def get(self, query: dict[str, Any], code: str, year: int) -> list[Any]:
        """The score sheets (self, cross, reconciled), by grading or graded unit."""
        return _clusters().sheets(code, year, **query)


@blp.route(f"{ONE}/open")
class Open(MethodView):
    @blp.response(201, YearOut)
    def post(self, code: str, year: int) -> dict[str, Any]:
        """The head opens the year: the procedure starts under the rules in force today."""
        return _year(_clusters().open_year(actor(), code, year))


@blp.route(f"{ONE}/circulate")
class Circulate(MethodView):
    @blp.arguments(CirculateIn)
    @blp.response(200, YearOut)
    def post(self, body: dict[str, Any], code: str, year: int) -> dict[str, Any]:
        """The head circulates the pledge and the grid; members may sign from now on."""
        _clusters().circulate_pledge(actor(), code, year, body["note"])
        return _year(_clusters().year(code, year))


@blp.route(f"{ONE}/pledge")
class Pledge(MethodView):
    @blp.response(200, YearOut)
    def post(self, code: str, year: int) -> dict[str, Any]:
        """A member signs the pledge for its unit."""
        _clusters().sign_pledge(actor(), code, year)
        return _year(_clusters().year(code, year))


@blp.route(f"{ONE}/close")
class Close(MethodView):
    @blp.arguments(CloseIn)
    @blp.response(200, YearOut)
    def post(self, body: dict[str, Any], code: str, year: int) -> dict[str, Any]:
        """The head closes a round (pledges, self-scores, cross-grades): 422 naming who has not acted, unless
        the round's deadline passed."""
        close = {
            "pledges": _clusters().close_pledges,
            "self_scores": _clusters().close_self_scores,
            "cross_grades": _clusters().close_cross_grades,
        }[body["round"]]
        close(actor(), code, year)
        return _year(_clusters().year(code, year))


@blp.route(f"{ONE}/evidence")
class Evidence(MethodView):
    @blp.arguments(EvidenceUploadIn, location=FORM_AND_FILES)
    @blp.response(201, UploadedSchema)
    def post(self, form: dict[str, Any], code: str, year: int) -> dict[str, Any]:
        """Upload one evidence file of the caller's unit; name its key in the self-score's ``evidence``."""
        part: FileStorage = form["file"]
        return _clusters().upload_evidence(actor(), code, year, part.filename or "minh-chung", part.read())


@blp.route(f"{ONE}/evidence/<unit>/<criterion>/<int:index>")
class EvidenceFile(MethodView):
    @blp.response(200, description="the evidence file (PDF, image or DOCX)")
    def get(self, code: str, year: int, unit: str, criterion: str, index: int) -> Response:
        """Download one evidence file of a unit's self-score (the cluster's members and supervisors)."""
        found, data = _clusters().evidence_file(actor(), code, year, unit, criterion, index)
        response = Response(data, mimetype=str(found.get("content_type") or "application/octet-stream"))
        response.headers["Content-Disposition"] = f'attachment; filename="{found.get("filename") or "minh-chung"}"'
        return response


@blp.route(f"{ONE}/self-score")
class SelfScore(MethodView):
    @blp.arguments(SelfScoreIn)
    @blp.response(200, StandingOut(many=True))
    def post(self, body: dict[str, Any], code: str, year: int) -> list[dict[str, Any]]:
        """A member's self-score with evidence (before the deadline; sent again, it replaces the earlier)."""
        _clusters().submit_self_score(actor(), code, year, body["scores"], body["evidence"])
        return _standings(_clusters().standings(code, year))


@blp.route(f"{ONE}/cross-grades")
class CrossGrades(MethodView):
    @blp.arguments(CrossGradeIn)
    @blp.response(200, StandingOut(many=True))
    def post(self, body: dict[str, Any], code: str, year: int) -> list[dict[str, Any]]:
        """The caller's unit grades another member (never itself)."""
        _clusters().submit_cross_grade(actor(), code, year, body["graded"], body["scores"])
        return _standings(_clusters().standings(code, year))


@blp.route(f"{ONE}/reconcile")
class Reconcile(MethodView):
    @blp.arguments(ReconcileIn)
    @blp.response(200, StandingOut(many=True))
    def post(self, body: dict[str, Any], code: str, year: int) -> list[dict[str, Any]]:
        """The head's reconciled scores for every unit beyond the tolerance."""
        _clusters().reconcile(actor(), code, year, body["reconciled"])
        return _standings(_clusters().standings(code, year))


@blp.route(f"{ONE}/meeting")
class Meeting(MethodView):
    @blp.arguments(MeetingIn)
    @blp.response(200, StandingOut(many=True))
    def post(self, body: dict[str, Any], code: str, year: int) -> list[dict[str, Any]]:
        """The meeting's secret ballot: present units and approvals per unit; tallied and ranked (without the
        quorum nothing is ranked and the meeting is held again)."""
        ballots = {b["unit"]: b["approve"] for b in body["ballots"]}
        rows = _clusters().record_meeting(
            actor(), code, year, held_on=body["held_on"], present=body["present"], ballots=ballots
        )
        return _standings(rows)


@blp.route(f"{ONE}/papers")
class Papers(MethodView):
    @blp.arguments(PaperUploadSchema, location=FORM_AND_FILES)
    @blp.response(201, UploadedSchema)
    def post(self, form: dict[str, Any], code: str, year: int) -> dict[str, Any]:
        """Upload one paper of the proposal (Tờ trình, báo cáo, biên bản họp cụm) before sending it."""
        _clusters().require_head(actor(), code, year)
        part: FileStorage = form["file"]
        return upload(form["code"], part.filename or form["code"], part.read(), "file")


@blp.route(f"{ONE}/proposal")
class Proposal(MethodView):
    @blp.arguments(ProposalIn)
    @blp.response(201, ProposalOut)
    def post(self, body: dict[str, Any], code: str, year: int) -> dict[str, Any]:
        """The head sends the proposal to the provincial desk: a CO_TINH dossier for the flag unit(s), a BK_UBND
        dossier for the certificates, received through the desk's intake. 422 naming the field: a flag for a unit
        not leading, over the rule set's counts, a unit below the vote's threshold, after the deadline."""
        codes = _clusters().send_proposal(
            actor(), code, year, flags=body["flags"], certificates=body["certificates"], listed_papers=body["papers"]
        )
        return {"dossiers": codes}
