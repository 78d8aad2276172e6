"""The cluster service: what a cluster's head, its members, the API and the command line do with an emulation
year (``emulation_year.bpmn``), each action one unit of work with its audit event and its role and unit checks
inside it.

The head's steps are the procedure's user tasks (circulate the pledge, close each round, reconcile, record the
meeting, send the proposal): the service claims and completes them, and the task's ``check`` handler
(:mod:`handlers.clusters`) refuses an answer the cluster's records do not allow. The members' actions (sign the
pledge, self-score with evidence, cross-grade) are rows of the domain's tables, refused outside their round or
after its deadline. The head's proposal enters the award procedure through the desk's own
:meth:`DossierService.receive`, so each is a normal CO_TINH or BK_UBND dossier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine, clock, history
from engine.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from engine.identity import Actor
from engine.models import Event, ProcessInstance
from handlers import cluster_data, cluster_rules, cluster_scoring, papers, rulesets
from handlers.cluster_records import (
    cluster_by_code,
    members_on,
    not_acted,
    results_of,
    rules_of,
    scored_members,
    scored_unit,
    sheets_of,
    year_of,
    years_in,
)
from handlers.cluster_rules import ClusterRules
from handlers.dossier_service import DossierService
from handlers.models import (
    Cluster,
    ClusterMember,
    ClusterResult,
    ClusterRuleSet,
    ClusterSheet,
    ClusterYear,
)
from handlers.storage import Store
from handlers.timefmt import fmt_date, local_day
from handlers.units import Units

__all__ = [
    "HEAD_GROUP",
    "MEMBER_GROUP",
    "PHASES",
    "PROCESS",
    "RULES_PUBLISHED",
    "RULE_PUBLISHERS",
    "ClusterService",
    "MemberView",
    "Progress",
    "RuleVersion",
    "StandingRow",
    "YearView",
    "business_key",
]

PROCESS = "emulation_year"
HEAD_GROUP = "cluster_head"
MEMBER_GROUP = "cluster_member"
#: the year's phases, as the pages name them
PHASES = {
    "planned": "Chưa mở",
    "circulating": "Trưởng cụm gửi giao ước",
    "pledge": "Các thành viên ký giao ước",
    "waiting": "Đang thực hiện giao ước, chờ chấm điểm",
    "self_score": "Các thành viên tự chấm điểm",
    "cross_grade": "Chấm chéo",
    "reconcile": "Trưởng cụm thẩm định điểm chênh lệch",
    "meeting": "Hội nghị cụm bình xét, bỏ phiếu",
    "proposal": "Trưởng cụm gửi đề nghị khen thưởng",
    "sent": "Đã gửi đề nghị",
}
#: who may publish a scoring rule version (besides administrators), and its audit event
RULE_PUBLISHERS = frozenset({"designer"})
RULES_PUBLISHED = "cluster_rules_published"
#: the proposal's two awards: the flag for the leading unit(s), the Chairman's certificate for others
FLAG, CERTIFICATE = "CO_TINH", "BK_UBND"


def business_key(code: str, year: int) -> str:
    """The year's process instance key, ``CUM-cum-huyen-2026``."""
    return f"CUM-{code}-{year}"


@dataclass(frozen=True)
class RuleVersion:
    """A stored scoring rule version; ``published_by`` None when it came with the product."""

    version: str
    name: str
    effective_from: date
    loaded_at: datetime
    published_by: str | None


@dataclass(frozen=True)
class MemberView:
    unit: str
    name: str
    valid_from: date
    valid_to: date | None
    pledge_signed_at: datetime | None


@dataclass(frozen=True)
class YearView:
    """A cluster's year as the pages show it."""

    code: str
    name: str
    kind: str
    year: int
    head: str
    deputy: str | None
    phase: str
    rules_version: str | None
    scoring_opens_at: datetime | None
    self_score_due: datetime | None
    cross_grade_due: datetime | None
    proposal_due: datetime | None
    members: tuple[MemberView, ...]
    #: the ids of the head's open steps (user tasks) of the procedure
    open_steps: tuple[str, ...]
    instance_id: int | None

    @property
    def phase_name(self) -> str:
        return PHASES.get(self.phase, self.phase)


@dataclass(frozen=True)
class StandingRow:
    """One member in the reconciliation view and the ranking: its self-score, the cross-grades' average, the gap
    and whether it passes the tolerance, the final points per code, the total, and after the meeting its votes,
    rank and proposal."""

    unit: str
    name: str
    self_total: Decimal | None
    cross_average: Decimal | None
    gap: Decimal
    beyond_tolerance: bool
    reconciled: bool
    scores: Mapping[str, Decimal]
    total: Decimal | None
    key_total: Decimal | None
    votes: int | None = None
    passed: bool | None = None
    rank: int | None = None
    proposal: str | None = None
    dossier_code: str | None = None


@dataclass(frozen=True)
class Progress:
    """Where a year stands for the supervisor: the phase, its deadline, working days left, who has not acted."""

    code: str
    name: str
    year: int
    phase: str
    due: datetime | None
    working_days_left: float | None
    missing: tuple[str, ...]


class ClusterService:
    """Emulation clusters and blocs over the engine, the file store and the desk's dossier service."""

    def __init__(self, engine: Engine, store: Store, dossiers: DossierService, units: Units) -> None:
        self.engine = engine
        self.store = store
        self.dossiers = dossiers
        self.units = units

    # -- data ---------------------------------------------------------------------------------
    def load_shipped(self) -> int:
        """Load the shipped clusters, years and scoring rules missing from the database (at boot)."""
        with self.engine.db.transaction() as session:
            return cluster_data.ensure_shipped(session)

    def rule_versions(self) -> list[RuleVersion]:
        """Every scoring rule version, the latest effective date first, and who published it from the API."""
        with self.engine.db.reading() as session:
            rows = list(session.scalars(select(ClusterRuleSet).order_by(ClusterRuleSet.effective_from.desc())))
            published = session.execute(select(Event.after, Event.actor).where(Event.action == RULES_PUBLISHED))
            by = {str((after or {}).get("version")): actor for after, actor in published}
            return [RuleVersion(r.version, r.name, r.effective_from, r.loaded_at, by.get(r.version)) for r in rows]

    def publish_rules(self, caller: Actor, content: dict[str, Any]) -> str:
        """A new scoring rule version (the grid, weights, tolerance, tie-breaks … of ``processes/clusters/rules``),
        immutable once stored, for the years opened from its effective date; returns its version. PermissionDenied
        unless a process designer or an administrator; InvalidInput naming each field for a broken document, an
        effective date in the past or not after the version in force, or a version code already used."""
        with self.engine.db.transaction() as session:
            if not (caller.is_admin or caller.groups & RULE_PUBLISHERS):
                raise PermissionDenied("Chỉ người thiết kế quy trình được công bố bộ tiêu chí chấm điểm cụm, khối")
            rules = cluster_rules.parse(content, "bản nháp")
            today = local_day(clock.now())
            problems = rulesets.new_version_problems(
                session, ClusterRuleSet, rules.version, rules.effective_from, today
            )
            if problems:
                told = "; ".join(f"{field}: {' '.join(said)}" for field, said in problems.items())
                raise InvalidInput(f"Bộ tiêu chí chưa công bố được — {told}", problems)
            row = cluster_data.load_rules(session, content, f"{caller.username}: {rules.version}")
            after = {"version": row.version, "effective_from": row.effective_from.isoformat()}
            history.record(session, caller.username, RULES_PUBLISHED, after=after)
            return row.version

    def rules(self, code: str, year: int) -> ClusterRules:
        """The scoring rules of the year (those it runs under once opened, else those in force on 1 January)."""
        with self.engine.db.reading() as session:
            return rules_of(session, year_of(session, code, year))

    # -- reads --------------------------------------------------------------------------------
    def clusters(self, year: int) -> list[YearView]:
        """Every cluster and bloc with a year ``year``, by name."""
        with self.engine.db.reading() as session:
            return [self._view(session, row, cluster) for row, cluster in years_in(session, year)]

    def mine(self, caller: Actor, year: int) -> YearView:
        """The cluster or bloc the caller's unit belongs to in ``year`` (today's membership when the year is
        under way); NotFound for a unit in none."""
        with self.engine.db.reading() as session:
            day = min(local_day(clock.now()), date(year, 12, 31))
            for row, cluster in years_in(session, year):
                if caller.unit in members_on(row, max(day, date(year, 1, 1))):
                    return self._view(session, row, cluster)
        raise NotFound(f"unit {caller.unit!r} is in no emulation cluster or bloc in {year}")

    def year(self, code: str, year: int) -> YearView:
        """One cluster's year; NotFound for a cluster or a year the data does not have."""
        with self.engine.db.reading() as session:
            row = year_of(session, code, year)
            return self._view(session, row, session.get_one(Cluster, row.cluster_id))

    def history(self, code: str) -> list[tuple[YearView, list[StandingRow]]]:
        """Every year of the cluster, latest first, with its ranking (empty before the meeting)."""
        with self.engine.db.reading() as session:
            cluster = cluster_by_code(session, code)
            years = session.scalars(
                select(ClusterYear).where(ClusterYear.cluster_id == cluster.id).order_by(ClusterYear.year.desc())
            )
            return [(self._view(session, y, cluster), self._standings(session, y)) for y in years]

    def standings(self, code: str, year: int) -> list[StandingRow]:
        """The members' scores, gaps and (after the meeting) ranking, in rank order once ranked."""
        with self.engine.db.reading() as session:
            return self._standings(session, year_of(session, code, year))

    def sheets(
        self, code: str, year: int, *, grader: str | None = None, graded: str | None = None
    ) -> list[ClusterSheet]:
        """The score sheets of the year, filtered by who graded or who was graded."""
        with self.engine.db.reading() as session:
            row = year_of(session, code, year)
            stmt = select(ClusterSheet).where(ClusterSheet.cluster_year_id == row.id)
            if grader:
                stmt = stmt.where(ClusterSheet.grader_unit == grader)
            if graded:
                stmt = stmt.where(ClusterSheet.graded_unit == graded)
            return list(session.scalars(stmt.order_by(ClusterSheet.kind, ClusterSheet.graded_unit)))

    def evidence_file(
        self, caller: Actor, code: str, year: int, unit: str, criterion: str, index: int
    ) -> tuple[dict[str, Any], bytes]:
        """One evidence file of a unit's self-score and its bytes, for the cluster's members (they grade it) and
        those who reach every unit (supervisors); NotFound otherwise, not told apart from a missing file."""
        with self.engine.db.reading() as session:
            row = year_of(session, code, year)
            member = caller.unit in {m.unit for m in row.members}
            sheet = session.scalars(
                select(ClusterSheet).where(
                    ClusterSheet.cluster_year_id == row.id,
                    ClusterSheet.kind == "self",
                    ClusterSheet.graded_unit == unit,
                )
            ).first()
        files = (sheet.evidence if sheet is not None else {}).get(criterion) or []
        if not (member or self.engine.access.reaches_all(caller)) or not 0 <= index < len(files):
            raise NotFound(f"no evidence {index} of {unit} for {criterion}")
        return files[index], self.store.get(str(files[index]["key"]))

    def to_grade(self, caller: Actor, code: str, year: int) -> list[str]:
        """The units the caller's unit must cross-grade this year (none of them itself)."""
        with self.engine.db.reading() as session:
            row = year_of(session, code, year)
            expected = cluster_scoring.expected_graders(
                rules_of(session, row), scored_members(row), row.head_unit, row.deputy_unit
            )
            return [unit for unit, graders in expected.items() if caller.unit in graders]

    def progress(self, year: int) -> list[Progress]:
        """Every cluster's year: phase, the phase's deadline, working days left and who has not acted yet."""
        out = []
        with self.engine.db.reading() as session:
            for row, cluster in years_in(session, year):
                due = self._due(row)
                left = None
                if due is not None:
                    cal = self.engine.sla.calendar_for(session, None, row.head_unit)
                    left = round(cal.between(clock.now(), due) / cal.day_length, 1) if clock.now() < due else 0.0
                missing = tuple(self.units.name(u) for u in not_acted(session, row))
                out.append(Progress(cluster.code, cluster.name, row.year, row.phase, due, left, missing))
        return out

    def _due(self, row: ClusterYear) -> datetime | None:
        """The current phase's deadline: the rules' date for scoring and the proposal, else the head's open step's
        due time (its working-time budget, e.g. the pledge)."""
        if row.phase == "self_score":
            return row.self_score_due
        if row.phase == "cross_grade":
            return row.cross_grade_due
        if row.phase in ("reconcile", "meeting", "proposal"):
            return row.proposal_due
        steps = self.engine.tasks.for_instance(row.instance_id) if row.instance_id is not None else []
        return min((t.due_at for t in steps if t.state == "ready" and t.due_at is not None), default=None)

    def require_head(self, caller: Actor, code: str, year: int) -> None:
        """PermissionDenied unless the caller is the year's head (before an upload for the proposal)."""
        with self.engine.db.reading() as session:
            _require_head(caller, year_of(session, code, year))

    # -- the head's steps ---------------------------------------------------------------------
    def open_year(self, caller: Actor, code: str, year: int) -> YearView:
        """The head opens the year: the procedure starts (the rules in force on the day are fixed for the year).
        PermissionDenied for anyone but the year's head; InvalidState once opened."""
        with self.engine.db.transaction() as session:
            row = year_of(session, code, year, lock=True)
            _require_head(caller, row)
            if row.instance_id is not None:
                raise InvalidState(f"Năm thi đua {year} của cụm, khối này đã được mở")
            started = self.engine.runtime.start(
                PROCESS,
                business_key=business_key(code, year),
                data={"cluster_key": business_key(code, year)},
                actor=caller.username,
                unit=row.head_unit,
            )
            row.instance_id = started.id
            _audit(session, caller, row, "cluster_year_opened")
            return self._view(session, row, session.get_one(Cluster, row.cluster_id))

    def circulate_pledge(self, caller: Actor, code: str, year: int, note: str = "") -> None:
        """The head circulates the pledge and the scoring grid to the members (they may sign from now on)."""
        self._head_step(caller, code, year, "circulate_pledge", {"note": note})

    def close_pledges(self, caller: Actor, code: str, year: int) -> None:
        """The head closes the pledge once every member has signed (refused naming who has not)."""
        self._head_step(caller, code, year, "close_pledges", {})

    def close_self_scores(self, caller: Actor, code: str, year: int) -> None:
        """The head closes self-scoring: every member submitted, or the deadline passed."""
        self._head_step(caller, code, year, "close_self_scores", {})

    def close_cross_grades(self, caller: Actor, code: str, year: int) -> None:
        """The head closes cross-grading: every sheet is in, or the deadline passed."""
        self._head_step(caller, code, year, "close_cross_grades", {})

    def reconcile(self, caller: Actor, code: str, year: int, entries: Sequence[Mapping[str, Any]]) -> None:
        """The head's reconciled points for each unit whose gap passes the tolerance: ``[{unit, scores, note}]``;
        refused unless every such unit is reconciled within the grid's bounds."""
        self._head_step(caller, code, year, "reconcile", {"reconciled": [dict(e) for e in entries]})

    def record_meeting(
        self,
        caller: Actor,
        code: str,
        year: int,
        *,
        held_on: date,
        present: Sequence[str],
        ballots: Mapping[str, int],
    ) -> list[StandingRow]:
        """The cluster meeting's secret ballot: who came (member units) and the approving ballots per candidate
        unit, tallied as the council's (quorum and threshold over ALL members) and ranked with the tie-breaks.
        Without the quorum the meeting is held again (the step stays open)."""
        data = {
            "held_on": held_on.isoformat(),
            "present": list(present),
            "ballots": [{"unit": unit, "approve": int(n)} for unit, n in ballots.items()],
        }
        self._head_step(caller, code, year, "record_meeting", data)
        return self.standings(code, year)

    def send_proposal(
        self,
        caller: Actor,
        code: str,
        year: int,
        *,
        flags: Sequence[str],
        certificates: Sequence[str],
        listed_papers: Sequence[Mapping[str, Any]],
    ) -> list[str]:
        """The head sends the proposal to the provincial desk before the deadline: one CO_TINH dossier for the
        flag unit(s), one BK_UBND dossier for the certificate units, received through the desk's own intake
        with the cluster's facts filled in (rank, score). Returns the dossier codes. Refused, nothing changed: a
        flag for a unit that is not among the leading ones, more flags or certificates than the rules allow, a
        unit without the vote's threshold, or after the deadline."""
        with self.engine.db.transaction() as session:
            row = year_of(session, code, year, lock=True)
            _require_head(caller, row)
            _require_phase(row, "proposal")
            _before(row.proposal_due, "proposal", "Đã quá hạn gửi đề nghị khen thưởng của cụm, khối")
            rules = rules_of(session, row)
            results = {r.unit: r for r in results_of(session, row)}
            _check_proposal(rules, results, list(flags), list(certificates), self.units)
            cluster = session.get_one(Cluster, row.cluster_id)
            uploaded = self.dossiers.listed_papers(listed_papers)
            # delivered to the provincial desk's intake: the system account starts the dossier there on the
            # head's behalf (the head's own unit does not reach the desk's); this action's audit names the head
            desk = self.engine.identity.actor(self.engine.settings.admin_user)
            codes: list[str] = []
            for award, units in ((FLAG, list(flags)), (CERTIFICATE, list(certificates))):
                if not units:
                    continue
                submission = self.dossiers.submission_of(self._proposal(cluster, row, award, units, results), uploaded)
                dossier = self.dossiers.receive(desk, submission, office=cluster_data.province().desk_unit)
                for unit in units:
                    results[unit].proposal, results[unit].dossier_code = award, dossier
                codes.append(dossier)
            row.proposal_sent_at, row.proposal_sent_by = clock.now(), caller.username
            _audit(
                session,
                caller,
                row,
                "cluster_proposal_sent",
                details={"flags": list(flags), "certificates": list(certificates)},
                after={"dossiers": codes},
            )
            self._complete(session, caller, row, "send_proposal", {"dossiers": codes})
            return codes

    # -- the members' actions -----------------------------------------------------------------
    def sign_pledge(self, caller: Actor, code: str, year: int) -> None:
        """A member signs the year's pledge for its unit (once; only while the pledge circulates)."""
        with self.engine.db.transaction() as session:
            row = year_of(session, code, year, lock=True)
            _require_phase(row, "pledge")
            member = _require_member(caller, row, local_day(clock.now()))
            if member.pledge_signed_at is not None:
                raise InvalidState("Đơn vị đã ký giao ước thi đua năm nay")
            member.pledge_signed_at, member.pledge_signed_by = clock.now(), caller.username
            _audit(session, caller, row, "cluster_pledge_signed", details={"unit": member.unit})

    def upload_evidence(self, caller: Actor, code: str, year: int, filename: str, data: bytes) -> dict[str, Any]:
        """One evidence file of the caller's unit, checked against the paper limits of the award rules in force
        and stored; its metadata goes into the self-score's ``evidence``."""
        with self.engine.db.reading() as session:
            row = year_of(session, code, year)
            _require_member(caller, row, local_day(clock.now()))
        return papers.evidence(self.store, self.dossiers.catalogue(), filename, data)

    def submit_self_score(
        self,
        caller: Actor,
        code: str,
        year: int,
        scores: Mapping[str, Any],
        evidence: Mapping[str, Sequence[Mapping[str, Any]]],
    ) -> None:
        """A member's self-score with evidence for the criteria that need it; sent again before the deadline it
        replaces the earlier one. Refused, naming the field: a score out of its criterion's bounds, missing
        evidence, a file that was not uploaded, after the deadline."""
        with self.engine.db.transaction() as session:
            row = year_of(session, code, year, lock=True)
            _require_phase(row, "self_score")
            member = _require_member(caller, row, local_day(clock.now()))
            _before(row.self_score_due, "scores", "Đã quá hạn nộp bảng tự chấm điểm")
            rules = rules_of(session, row)
            files = self._evidence(evidence)
            checked = cluster_scoring.check_sheet(rules, scores, files)
            self._save_sheet(session, caller, row, "self", member.unit, member.unit, checked, files)

    def submit_cross_grade(self, caller: Actor, code: str, year: int, graded: str, scores: Mapping[str, Any]) -> None:
        """The caller's unit grades another member (as the rules' mode says); never itself, within the bounds,
        before the deadline."""
        with self.engine.db.transaction() as session:
            row = year_of(session, code, year, lock=True)
            _require_phase(row, "cross_grade")
            member = _require_member(caller, row, local_day(clock.now()))
            if graded == member.unit:
                message = "Đơn vị không được tự chấm chéo cho chính mình"
                raise InvalidInput(message, {"graded": [message]})
            rules = rules_of(session, row)
            expected = cluster_scoring.expected_graders(rules, scored_members(row), row.head_unit, row.deputy_unit)
            if member.unit not in expected.get(graded, []):
                message = f"Đơn vị không chấm chéo {self.units.name(graded)} theo quy tắc của cụm, khối"
                raise InvalidInput(message, {"graded": [message]})
            _before(row.cross_grade_due, "scores", "Đã quá hạn nộp bảng chấm chéo")
            checked = cluster_scoring.check_sheet(rules, scores)
            self._save_sheet(session, caller, row, "cross", member.unit, graded, checked, {})

    # -- helpers --------------------------------------------------------------------------------
    def _head_step(self, caller: Actor, code: str, year: int, element_id: str, data: dict[str, Any]) -> None:
        with self.engine.db.transaction() as session:
            row = year_of(session, code, year, lock=True)
            _require_head(caller, row)
            self._complete(session, caller, row, element_id, data)

    def _complete(
        self, session: Session, caller: Actor, row: ClusterYear, element_id: str, data: dict[str, Any]
    ) -> None:
        """Claim and complete the head's open step (the task's check and the handlers after it run inside)."""
        task = None
        if row.instance_id is not None:
            task = next(
                (
                    t
                    for t in self.engine.tasks.for_instance(row.instance_id)
                    if t.state == "ready" and t.element_id == element_id
                ),
                None,
            )
        if task is None:
            raise InvalidState(f"Bước này chưa mở hoặc đã xong: {PHASES.get(row.phase, row.phase)}")
        if task.assignee != caller.username:
            self.engine.tasks.claim(task.id, caller.username)
        self.engine.tasks.complete(task.id, caller.username, data)

    def _evidence(self, evidence: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        """Evidence files named by the keys an upload returned; each must exist in the store."""
        out: dict[str, list[dict[str, Any]]] = {}
        for criterion, files in evidence.items():
            for i, item in enumerate(files):
                if not papers.uploaded(self.store, str(item.get("key") or "")):
                    message = "Tệp minh chứng chưa được tải lên"
                    raise InvalidInput(message, {f"evidence.{criterion}[{i}]": [message]})
                out.setdefault(str(criterion), []).append(
                    {k: item[k] for k in ("key", "filename", "content_type", "size", "sha256") if k in item}
                )
        return out

    @staticmethod
    def _save_sheet(
        session: Session,
        caller: Actor,
        row: ClusterYear,
        kind: str,
        grader: str,
        graded: str,
        scores: Mapping[str, Decimal],
        evidence: dict[str, list[dict[str, Any]]],
    ) -> None:
        sheet = session.scalars(
            select(ClusterSheet).where(
                ClusterSheet.cluster_year_id == row.id,
                ClusterSheet.kind == kind,
                ClusterSheet.grader_unit == grader,
                ClusterSheet.graded_unit == graded,
            )
        ).first()
        before = dict(sheet.scores) if sheet is not None else None
        if sheet is None:
            sheet = ClusterSheet(cluster_year_id=row.id, kind=kind, grader_unit=grader, graded_unit=graded)
            session.add(sheet)
        sheet.scores = {code: f"{v:f}" for code, v in scores.items()}
        sheet.evidence = evidence
        sheet.submitted_at, sheet.submitted_by = clock.now(), caller.username
        _audit(
            session,
            caller,
            row,
            f"cluster_{kind}_score_submitted",
            before=before,
            after=dict(sheet.scores),
            details={"grader": grader, "graded": graded},
        )

    def _proposal(
        self, cluster: Cluster, row: ClusterYear, award: str, units: list[str], results: Mapping[str, ClusterResult]
    ) -> dict[str, Any]:
        """A dossier's submission from the cluster's records: nothing typed again."""
        what = "Cờ thi đua cấp tỉnh" if award == FLAG else "Bằng khen của Chủ tịch UBND tỉnh"
        return {
            "award_type": award,
            "unit": row.head_unit,
            "unit_name": self.units.name(row.head_unit),
            "title": f"{cluster.name} đề nghị tặng {what} năm {row.year}",
            "achievement_year": row.year,
            "nominees": [
                {
                    "kind": "collective",
                    "name": self.units.name(unit),
                    "cluster": cluster.code,
                    "cluster_rank": results[unit].rank,
                    "cluster_score": results[unit].total,
                    "cluster_votes": results[unit].votes,
                }
                for unit in units
            ],
        }

    def _view(self, session: Session, row: ClusterYear, cluster: Cluster) -> YearView:
        steps: tuple[str, ...] = ()
        if row.instance_id is not None:
            steps = tuple(t.element_id for t in self.engine.tasks.for_instance(row.instance_id) if t.state == "ready")
        found = session.get(ClusterRuleSet, row.rule_set_id) if row.rule_set_id is not None else None
        rules_version = found.version if found else None
        return YearView(
            cluster.code,
            cluster.name,
            cluster.kind,
            row.year,
            row.head_unit,
            row.deputy_unit,
            row.phase,
            rules_version,
            row.scoring_opens_at,
            row.self_score_due,
            row.cross_grade_due,
            row.proposal_due,
            tuple(
                MemberView(m.unit, self.units.name(m.unit), m.valid_from, m.valid_to, m.pledge_signed_at)
                for m in row.members
            ),
            steps,
            row.instance_id,
        )

    def _standings(self, session: Session, row: ClusterYear) -> list[StandingRow]:
        rules = rules_of(session, row)
        sheets = sheets_of(session, row)
        results = {r.unit: r for r in results_of(session, row)}
        out = []
        for unit in scored_members(row):
            s = scored_unit(rules, sheets, unit)
            r = results.get(unit)
            out.append(
                StandingRow(
                    unit,
                    self.units.name(unit),
                    s.self_total,
                    s.cross_average,
                    s.gap,
                    s.gap > rules.tolerance,
                    s.reconciled,
                    s.scores,
                    s.total,
                    s.key_total,
                    r.votes if r else None,
                    r.passed if r else None,
                    r.rank if r else None,
                    r.proposal if r else None,
                    r.dossier_code if r else None,
                )
            )
        return sorted(out, key=lambda x: (x.rank is None, x.rank or 0, x.name))


def _audit(
    session: Session,
    caller: Actor,
    row: ClusterYear,
    action: str,
    *,
    details: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The action's audit event, in its transaction, on the year's procedure instance."""
    instance = session.get(ProcessInstance, row.instance_id) if row.instance_id is not None else None
    cluster = session.get_one(Cluster, row.cluster_id)
    facts = {"cluster": cluster.code, "year": row.year, **(details or {})}
    history.record(session, caller.username, action, instance=instance, before=before, after=after, details=facts)


def _require_head(caller: Actor, row: ClusterYear) -> None:
    if HEAD_GROUP not in caller.groups or caller.unit != row.head_unit:
        raise PermissionDenied("Chỉ trưởng cụm, khối thi đua của năm này được thực hiện bước này")


def _require_member(caller: Actor, row: ClusterYear, day: date) -> ClusterMember:
    member = next(
        (
            m
            for m in row.members
            if m.unit == caller.unit and m.valid_from <= day and (m.valid_to is None or day <= m.valid_to)
        ),
        None,
    )
    if member is None or not caller.groups & {MEMBER_GROUP, HEAD_GROUP}:
        raise PermissionDenied("Đơn vị của người dùng không phải thành viên của cụm, khối thi đua trong năm này")
    return member


def _require_phase(row: ClusterYear, phase: str) -> None:
    if row.phase != phase:
        raise InvalidState(f"Chưa đến hoặc đã qua bước này: cụm, khối đang ở bước «{PHASES.get(row.phase, row.phase)}»")


def _before(due: datetime | None, field: str, message: str) -> None:
    """Late submission is refused, naming the field and the deadline (dd/mm/yyyy)."""
    if due is not None and clock.now() > due:
        text = f"{message} (hạn {fmt_date(due)})"
        raise InvalidInput(text, {field: [text]})


def _check_proposal(
    rules: ClusterRules, results: Mapping[str, ClusterResult], flags: list[str], certificates: list[str], units: Units
) -> None:
    problems: dict[str, list[str]] = {}
    if len(flags) > rules.flags:
        problems["flags"] = [f"Mỗi cụm, khối được đề nghị tối đa {rules.flags} Cờ thi đua"]
    if len(certificates) > rules.certificates:
        problems["certificates"] = [f"Mỗi cụm, khối được đề nghị tối đa {rules.certificates} Bằng khen"]
    if set(flags) & set(certificates) or len(set(flags)) != len(flags) or len(set(certificates)) != len(certificates):
        problems.setdefault("certificates", []).append("Mỗi đơn vị chỉ được đề nghị một hình thức")
    for field, listed in (("flags", flags), ("certificates", certificates)):
        for unit in listed:
            found = results.get(unit)
            if found is None:
                problems.setdefault(field, []).append(f"{units.name(unit)} không có kết quả bình xét của cụm, khối")
            elif not found.passed:
                problems.setdefault(field, []).append(
                    f"{units.name(unit)} chưa đạt tỷ lệ phiếu bầu cần thiết ({found.votes} phiếu)"
                )
            elif field == "flags" and found.rank > rules.flags:
                problems.setdefault(field, []).append(
                    f"Cờ thi đua chỉ dành cho đơn vị dẫn đầu cụm, khối; {units.name(unit)} xếp thứ {found.rank}"
                )
    if problems:
        raise InvalidInput("Đề nghị khen thưởng của cụm, khối chưa hợp lệ", problems)
