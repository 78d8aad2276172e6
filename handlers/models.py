"""The dossier records the handlers keep for reports, look-ups and documents (the workflow blob is not queried).

Everything an officer or a supervisor asks about a dossier lives here in plain indexed columns: its code,
award type, unit, received / due dates, status 1–10, nominees (gender, leadership post), papers (metadata
only: the bytes are in the file store), council results and the decision with its number. Rows are written
by handlers through the engine's open session, so they commit together with the workflow step.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, IntPK

Json = dict[str, Any]


class VersionedRules:
    """The columns of a rule version loaded from a YAML file: immutable once stored (see :mod:`handlers.rulesets`)."""

    id: Mapped[IntPK]
    version: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    content: Mapped[Json] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(255))
    loaded_at: Mapped[datetime]


class RuleSet(VersionedRules, Base):
    """One version of the award catalogue and its rules, in force from ``effective_from``."""

    __tablename__ = "rule_set"


class Dossier(Base):
    """A hồ sơ: what was asked for, by whom, under which rules, and where it stands (status 1–10)."""

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_status_due", "status", "due_at"),
        Index("ix_dossier_award_received", "award_type", "received_at"),
    )

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    instance_id: Mapped[int | None] = mapped_column(index=True)
    award_type: Mapped[str] = mapped_column(String(20))
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))
    rule_version: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(100), index=True)
    unit_name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    achievement_year: Mapped[int]
    channel: Mapped[str] = mapped_column(String(20), default="truc_tiep")
    applicant: Mapped[Json] = mapped_column(JSON, default=dict)
    #: 1 Mới đăng ký … 10 Đã trả kết quả (domain.md)
    status: Mapped[int] = mapped_column(default=1)
    status_at: Mapped[datetime]
    submitted_at: Mapped[datetime]
    received_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    appraiser: Mapped[str | None] = mapped_column(String(100))
    supplement_requested_at: Mapped[datetime | None]
    supplement_returned_at: Mapped[datetime | None]
    #: the applicant's deadline for the supplement (the rule set's ``supplement_within`` from the request)
    supplement_due_at: Mapped[datetime | None]
    #: what the one supplement request asked for: [{"code", "name"}]
    supplement_items: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    rework_count: Mapped[int] = mapped_column(default=0)
    #: awarded | not_awarded | refused | withdrawn
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    #: truoc_han | dung_han | qua_han, from the SLA when the dossier finishes
    classification: Mapped[str | None] = mapped_column(String(20))
    finished_at: Mapped[datetime | None]
    nominees: Mapped[list[Nominee]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Nominee.seq", lazy="selectin"
    )
    papers: Mapped[list[Paper]] = relationship(cascade="all, delete-orphan", order_by="Paper.id", lazy="selectin")


class StatusChange(Base):
    """Every status a dossier passed through, when and by whom (the national status history)."""

    __tablename__ = "dossier_status_change"

    id: Mapped[IntPK]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    status: Mapped[int]
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class Nominee(Base):
    """A person, collective or household proposed in a dossier, with what reports count (gender, leader)."""

    __tablename__ = "nominee"
    __table_args__ = (UniqueConstraint("dossier_id", "seq"),)

    id: Mapped[IntPK]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    #: individual | collective | household
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    #: nam | nu for individuals; None for collectives
    gender: Mapped[str | None] = mapped_column(String(10))
    position: Mapped[str | None] = mapped_column(String(255))
    is_leader: Mapped[bool] = mapped_column(default=False)
    unit: Mapped[str | None] = mapped_column(String(255))
    #: titles, initiatives, member counts, freeze flags: what the eligibility rules read
    facts: Mapped[Json] = mapped_column(JSON, default=dict)
    #: proposed | eligible | excluded | passed | failed | awarded
    state: Mapped[str] = mapped_column(String(20), default="proposed")
    reason: Mapped[str | None] = mapped_column(Text)
    bonus_vnd: Mapped[int | None]
    dossier: Mapped[Dossier] = relationship(back_populates="nominees")


class Paper(Base):
    """An uploaded paper of a dossier: metadata here, bytes in the file store under ``storage_key``."""

    __tablename__ = "paper"

    id: Mapped[IntPK]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: True when delivered with the supplement (after the request)
    supplement: Mapped[bool] = mapped_column(default=False)
    uploaded_at: Mapped[datetime]


class CrossCheck(Base):
    """A line agency's concurrence (hiệp y) on a dossier's nominees."""

    __tablename__ = "cross_check"
    __table_args__ = (UniqueConstraint("dossier_id", "agency"),)

    id: Mapped[IntPK]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(40))
    #: dong_y | khong_dong_y
    answer: Mapped[str] = mapped_column(String(20))
    objections: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime]
    answered_by: Mapped[str] = mapped_column(String(100))


class CouncilSession(Base):
    """One sitting of the council on a dossier; a missed quorum means another round."""

    __tablename__ = "council_session"
    __table_args__ = (UniqueConstraint("dossier_id", "round"),)

    id: Mapped[IntPK]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    council: Mapped[str] = mapped_column(String(40))
    session_date: Mapped[date | None] = mapped_column(Date)
    members_total: Mapped[int]
    present: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the secretary's record as entered: approving ballots per nominee id, absentees' written approvals
    ballots: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    written_votes: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    quorum: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[str] = mapped_column(String(20))
    quota: Mapped[int | None]
    quorum_met: Mapped[bool | None]
    chair_order: Mapped[list[int] | None] = mapped_column(JSON)
    convened_at: Mapped[datetime]
    tallied_at: Mapped[datetime | None]
    votes: Mapped[list[CouncilVote]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class CouncilVote(Base):
    """A candidate's count in a session: ballots of those present plus absentees' written votes."""

    __tablename__ = "council_vote"
    __table_args__ = (UniqueConstraint("session_id", "nominee_id"),)

    id: Mapped[IntPK]
    session_id: Mapped[int] = mapped_column(ForeignKey("council_session.id", ondelete="CASCADE"), index=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominee.id", ondelete="CASCADE"))
    ballots: Mapped[int]
    written: Mapped[int]
    total: Mapped[int]
    passed: Mapped[bool]
    rank: Mapped[int | None]
    selected: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)


class DecisionCounter(Base):
    """The last decision number used per issuing body and year (gap-free, duplicate-free)."""

    __tablename__ = "decision_counter"

    issuing_body: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int]


class Decision(Base):
    """A signed Quyết định khen thưởng: number, signer, base salary used, and its awardee lines."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("issuing_body", "year", "number"),)

    id: Mapped[IntPK]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), unique=True)
    issuing_body: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    number: Mapped[int]
    symbol: Mapped[str] = mapped_column(String(60))
    signed_at: Mapped[datetime]
    signed_by: Mapped[str] = mapped_column(String(100))
    base_salary_vnd: Mapped[int]
    total_vnd: Mapped[int]
    lines: Mapped[list[DecisionLine]] = relationship(
        cascade="all, delete-orphan", order_by="DecisionLine.seq", lazy="selectin"
    )


class DecisionLine(Base):
    """One awardee of a decision with the bonus paid (a multiple of the base salary)."""

    __tablename__ = "decision_line"

    id: Mapped[IntPK]
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominee.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str | None] = mapped_column(String(255))
    #: the multiple of the base salary, as decimal text ("1.5")
    multiple: Mapped[str] = mapped_column(String(12))
    bonus_vnd: Mapped[int]


class Document(Base):
    """A generated document (receipt, slips, minutes, decision …): metadata here, the file in the store."""

    __tablename__ = "dossier_document"
    __table_args__ = (Index("ix_dossier_document_dossier_kind", "dossier_id", "kind"),)

    id: Mapped[IntPK]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(255))
    #: pdf | docx
    format: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class Consultation(Base):
    """A dossier's proposed list published for public comment (công khai lấy ý kiến) and for how long."""

    __tablename__ = "consultation"

    id: Mapped[IntPK]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), unique=True)
    days: Mapped[int]
    opened_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]


class PublicComment(Base):
    """A citizen's comment on a published proposal, sent without an account, and the appraiser's handling."""

    __tablename__ = "public_comment"
    __table_args__ = (Index("ix_public_comment_address_at", "address_hash", "received_at"),)

    id: Mapped[IntPK]
    #: what the citizen keeps to look the comment up (GY-…)
    receipt: Mapped[str] = mapped_column(String(20), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("nominee.id", ondelete="SET NULL"))
    #: ung_ho (support) | phan_anh (objection) | khac (other)
    kind: Mapped[str] = mapped_column(String(20))
    author_name: Mapped[str | None] = mapped_column(String(255))
    contact: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_size: Mapped[int | None]
    attachment_key: Mapped[str | None] = mapped_column(String(255))
    #: a keyed hash of the sender's address (rate limits without keeping the address itself)
    address_hash: Mapped[str] = mapped_column(String(64))
    #: the answered challenge's nonce: one challenge, one comment
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime]
    instance_id: Mapped[int | None] = mapped_column(index=True)
    #: received | handled
    state: Mapped[str] = mapped_column(String(20), default="received")
    substantiated: Mapped[bool | None]
    changes_proposal: Mapped[bool | None]
    answer: Mapped[str | None] = mapped_column(Text)
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(100))
    #: truoc_han | dung_han | qua_han, the handling step's classification when it closes
    handled_on_time: Mapped[bool | None]


class DocumentTemplate(Base):
    """One published version of a document's wording (a sandboxed Jinja template), in force from
    ``effective_from`` for dossiers submitted from that day; never changed once published."""

    __tablename__ = "document_template"
    __table_args__ = (UniqueConstraint("kind", "effective_from"),)

    id: Mapped[IntPK]
    kind: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(100))


class ClusterRuleSet(VersionedRules, Base):
    """One version of an emulation cluster's scoring rules (grid, weights, tolerance, tie-breaks, vote, flags),
    in force from ``effective_from``."""

    __tablename__ = "cluster_rule_set"


class Cluster(Base):
    """An emulation cluster (cụm, by area) or bloc (khối, by sector) of the province's units."""

    __tablename__ = "cluster"

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    #: cum (by area) | khoi (by sector)
    kind: Mapped[str] = mapped_column(String(10))
    basis: Mapped[str | None] = mapped_column(String(255))


class ClusterYear(Base):
    """A cluster's year: its rotating head and deputy (data), and the run of its emulation procedure."""

    __tablename__ = "cluster_year"
    __table_args__ = (UniqueConstraint("cluster_id", "year"),)

    id: Mapped[IntPK]
    cluster_id: Mapped[int] = mapped_column(ForeignKey("cluster.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    head_unit: Mapped[str] = mapped_column(String(100))
    deputy_unit: Mapped[str | None] = mapped_column(String(100))
    #: the scoring rules the year runs under (chosen when the head opens it)
    rule_set_id: Mapped[int | None] = mapped_column(ForeignKey("cluster_rule_set.id"))
    instance_id: Mapped[int | None] = mapped_column(index=True)
    #: planned | pledge | self_score | cross_grade | reconcile | meeting | proposal | sent
    phase: Mapped[str] = mapped_column(String(20), default="planned")
    opened_at: Mapped[datetime | None]
    scoring_opens_at: Mapped[datetime | None]
    self_score_due: Mapped[datetime | None]
    cross_grade_due: Mapped[datetime | None]
    proposal_due: Mapped[datetime | None]
    #: the latest meeting as recorded: held_on, present, ballots {unit: approvals}, quorum_met, round
    meeting: Mapped[Json | None] = mapped_column(JSON)
    proposal_sent_at: Mapped[datetime | None]
    proposal_sent_by: Mapped[str | None] = mapped_column(String(100))
    members: Mapped[list[ClusterMember]] = relationship(
        cascade="all, delete-orphan", order_by="ClusterMember.id", lazy="selectin"
    )


class ClusterMember(Base):
    """A unit's membership of a cluster in a year, from/to an effective date (units merge and split), with its
    signature of the year's emulation pledge (giao ước thi đua)."""

    __tablename__ = "cluster_member"
    __table_args__ = (
        UniqueConstraint("cluster_year_id", "unit", "valid_from"),
        Index("ix_cluster_member_unit_year", "unit", "year"),
    )

    id: Mapped[IntPK]
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_year.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    unit: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    pledge_signed_at: Mapped[datetime | None]
    pledge_signed_by: Mapped[str | None] = mapped_column(String(100))


class ClusterSheet(Base):
    """A score sheet: a member's self-score (with evidence), one member's cross-grade of another, or the head's
    reconciled score of a unit whose gap passed the tolerance. Points per criterion code."""

    __tablename__ = "cluster_sheet"
    __table_args__ = (UniqueConstraint("cluster_year_id", "kind", "grader_unit", "graded_unit"),)

    id: Mapped[IntPK]
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_year.id", ondelete="CASCADE"), index=True)
    #: self | cross | reconciled
    kind: Mapped[str] = mapped_column(String(12))
    grader_unit: Mapped[str] = mapped_column(String(100))
    graded_unit: Mapped[str] = mapped_column(String(100))
    #: criterion, bonus or penalty code → points (decimal text, "18.5")
    scores: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: criterion code → [{"key", "filename", "content_type", "size", "sha256"}] (files in the store)
    evidence: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime]
    submitted_by: Mapped[str] = mapped_column(String(100))


class ClusterResult(Base):
    """A member's standing after the cluster meeting: final score, rank, votes and what it was proposed for."""

    __tablename__ = "cluster_result"
    __table_args__ = (UniqueConstraint("cluster_year_id", "unit"),)

    id: Mapped[IntPK]
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_year.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(100))
    #: decimal text, the final total and the sum over the rule set's key criteria
    total: Mapped[str] = mapped_column(String(20))
    key_total: Mapped[str] = mapped_column(String(20))
    votes: Mapped[int]
    passed: Mapped[bool]
    rank: Mapped[int]
    #: CO_TINH | BK_UBND | None, once the head sent the proposal
    proposal: Mapped[str | None] = mapped_column(String(20))
    dossier_code: Mapped[str | None] = mapped_column(String(40))
