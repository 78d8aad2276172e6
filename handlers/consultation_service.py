"""The public side of consultation: the lists open for comment, a citizen's comment (one transaction that stores
it and starts its handling process), the comment's receipt look-up, and what the council and the appraiser read.

Abuse is bounded here, by the rule set in force, with nothing outside the database: comments per sender's
address (a keyed hash, never the address) per hour and per proposal per day, the text's length, no markup, the
attachment's size and real type; the web layer adds the signed arithmetic challenge whose nonce is stored once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Engine, clock, history
from engine.errors import Conflict, InvalidInput, NotFound, RateLimited
from engine.models import ProcessInstance
from handlers import papers, records, rulesets
from handlers.catalogue import Consultation as Rules
from handlers.models import Consultation, Dossier, Nominee, PublicComment
from handlers.storage import Store

__all__ = ["COMMENT_KINDS", "CommentForm", "ConsultationService", "Published", "unresolved_objections"]

#: what a citizen says about a proposal: support, an objection (phản ánh), or something else
COMMENT_KINDS = {"ung_ho": "Ủng hộ", "phan_anh": "Phản ánh, không đồng ý", "khac": "Ý kiến khác"}
#: markup or script in a comment's text is refused, not escaped and kept
MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|javascript\s*:|&#", re.IGNORECASE)
SHORT_TEXT = 255


@dataclass(frozen=True)
class Published:
    """A proposal open for comment, as the public page shows it: no personal data beyond name and unit."""

    code: str
    award_name: str
    unit_name: str
    nominees: tuple[tuple[int, str, str], ...]
    ends_at: datetime
    contact_required: bool


@dataclass(frozen=True)
class CommentForm:
    """A comment as the public form sent it; ``address_hash`` and ``nonce`` come from the web layer."""

    code: str
    nominee_id: int | None
    kind: str
    author_name: str
    contact: str
    text: str
    address_hash: str
    nonce: str
    attachment: tuple[str, bytes] | None = None


def unresolved_objections(session: Session, dossier_id: int) -> int:
    """Objections about the dossier the appraiser has not handled yet (they hold the council's vote)."""
    found = session.scalar(
        select(func.count())
        .select_from(PublicComment)
        .where(
            PublicComment.dossier_id == dossier_id,
            PublicComment.kind == "phan_anh",
            PublicComment.state != "handled",
        )
    )
    return int(found or 0)


class ConsultationService:
    """Public consultation over the engine and the file store (attachments)."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store

    def published(self, code: str | None = None) -> list[Published]:
        """The proposals open for comment now (or the one named by ``code``), soonest end first."""
        now = clock.now()
        with self.engine.db.reading() as session:
            stmt = (
                select(Consultation, Dossier)
                .join(Dossier, Dossier.id == Consultation.dossier_id)
                .where(Consultation.closed_at.is_(None), Consultation.ends_at > now, Dossier.outcome.is_(None))
                .order_by(Consultation.ends_at, Dossier.code)
            )
            if code is not None:
                stmt = stmt.where(func.upper(Dossier.code) == code.strip().upper())
            return [self._published(session, row, dossier) for row, dossier in session.execute(stmt).tuples()]

    def comment(self, form: CommentForm) -> str:
        """Store a citizen's comment and start its handling; returns the receipt code. InvalidInput naming the
        field, Conflict when the list is not open for comment, RateLimited past the rule set's bounds."""
        with self.engine.db.transaction() as session:
            dossier = session.scalars(select(Dossier).where(func.upper(Dossier.code) == form.code.upper())).first()
            row = session.scalar(select(Consultation).where(Consultation.dossier_id == dossier.id)) if dossier else None
            if dossier is None or row is None:
                raise NotFound(f"no proposal {form.code!r} was published for comment")
            if row.closed_at is not None or row.ends_at <= clock.now() or dossier.outcome is not None:
                raise Conflict("Danh sách này đã hết thời gian lấy ý kiến.")
            rules = rulesets.by_id(session, dossier.rule_set_id).consultation
            assert rules is not None  # a consultation row exists only where the rule set asks for one
            self._check(session, form, dossier, rules)
            self._limit(session, form, dossier, rules)
            receipt = f"GY-{secrets.token_hex(5).upper()}"
            comment = PublicComment(
                receipt=receipt,
                dossier_id=dossier.id,
                nominee_id=form.nominee_id,
                kind=form.kind,
                author_name=form.author_name.strip() or None,
                contact=form.contact.strip() or None,
                text=form.text.strip(),
                address_hash=form.address_hash,
                nonce=form.nonce,
                received_at=clock.now(),
                state="received",
            )
            if form.attachment is not None:
                self._attach(comment, form.attachment, rules)
            session.add(comment)
            session.flush()
            started = self.engine.runtime.start(
                "public_comment",
                business_key=receipt,  # the dossier's own instance keeps the dossier code to itself
                data={"comment": {"receipt": receipt}, "appraiser": dossier.appraiser},
                actor=self.engine.settings.admin_user,
                unit=self._unit(session, dossier),
            )
            comment.instance_id = started.id
            history.record(
                session,
                self.engine.settings.admin_user,
                "public_comment_received",
                instance=session.get(ProcessInstance, started.id),
                details={"receipt": receipt, "dossier": dossier.code, "kind": form.kind},
            )
            return receipt

    def receipt(self, code: str) -> dict[str, Any]:
        """A comment by its receipt code (the citizen's look-up, the appraiser's task): what was sent about which
        proposal, and how it was handled. NotFound for an unknown code."""
        with self.engine.db.reading() as session:
            row = session.scalar(select(PublicComment).where(PublicComment.receipt == code.strip().upper()))
            if row is None:
                raise NotFound(f"no comment {code.strip()!r}")
            dossier = session.get(Dossier, row.dossier_id)
            assert dossier is not None
            return {**_described(row, {n.id: n.name for n in dossier.nominees}), "code": dossier.code}

    def of_dossier(self, code: str) -> list[dict[str, Any]]:
        """Every comment on a dossier with its handling, oldest first (the council's page and the appraiser's)."""
        with self.engine.db.reading() as session:
            dossier = records.by_code(session, code)
            return comments_of(session, dossier)

    def attachment(self, row: Dossier, receipt: str) -> tuple[PublicComment, bytes]:
        """The file a citizen attached to a comment on ``row`` (a dossier the caller already reaches)."""
        with self.engine.db.reading() as session:
            found = session.scalar(select(PublicComment).where(PublicComment.receipt == receipt.upper()))
            if found is None or found.dossier_id != row.id or found.attachment_key is None:
                raise NotFound(f"no attachment of comment {receipt!r} on dossier {row.code}")
        return found, self.store.get(found.attachment_key)

    # -- helpers ----------------------------------------------------------------------------------
    def _published(self, session: Session, row: Consultation, dossier: Dossier) -> Published:
        rules = rulesets.by_id(session, dossier.rule_set_id)
        award = rules.award_types.get(dossier.award_type)
        nominees = tuple((n.id, n.name, n.unit or "") for n in dossier.nominees if n.state in ("eligible", "passed"))
        return Published(
            dossier.code,
            award.name if award else dossier.award_type,
            dossier.unit_name,
            nominees,
            row.ends_at,
            bool(rules.consultation and rules.consultation.contact_required),
        )

    @staticmethod
    def _check(session: Session, form: CommentForm, dossier: Dossier, rules: Rules) -> None:
        problems: dict[str, list[str]] = {}
        text = form.text.strip()
        if not text:
            problems["text"] = ["Xin nhập nội dung góp ý."]
        elif len(text) > rules.max_text:
            problems["text"] = [f"Nội dung dài quá {rules.max_text} ký tự."]
        elif MARKUP.search(text):
            problems["text"] = ["Nội dung không được chứa mã HTML hay mã lệnh."]
        if form.kind not in COMMENT_KINDS:
            problems["kind"] = ["Xin chọn loại ý kiến."]
        for field, value in (("author_name", form.author_name), ("contact", form.contact)):
            if len(value.strip()) > SHORT_TEXT:
                problems[field] = [f"Dài quá {SHORT_TEXT} ký tự."]
            elif rules.contact_required and not value.strip():
                problems[field] = ["Bắt buộc: xin ghi họ tên và cách liên hệ (điện thoại hoặc thư điện tử)."]
            elif MARKUP.search(value):
                problems[field] = ["Không được chứa mã HTML hay mã lệnh."]
        if form.nominee_id is not None:
            nominee = session.get(Nominee, form.nominee_id)
            if nominee is None or nominee.dossier_id != dossier.id:
                problems["nominee"] = ["Người được đề nghị không có trong danh sách này."]
        if session.scalar(select(PublicComment.id).where(PublicComment.nonce == form.nonce)) is not None:
            problems["answer"] = ["Câu hỏi kiểm tra này đã được dùng; xin tải lại trang."]
        if problems:
            raise InvalidInput(next(iter(problems.values()))[0], problems)

    @staticmethod
    def _limit(session: Session, form: CommentForm, dossier: Dossier, rules: Rules) -> None:
        now = clock.now()
        by_sender = session.scalar(
            select(func.count())
            .select_from(PublicComment)
            .where(
                PublicComment.address_hash == form.address_hash, PublicComment.received_at > now - timedelta(hours=1)
            )
        )
        if int(by_sender or 0) >= rules.per_address_per_hour:
            raise RateLimited(f"Mỗi địa chỉ chỉ gửi được {rules.per_address_per_hour} ý kiến trong một giờ.")
        on_proposal = session.scalar(
            select(func.count())
            .select_from(PublicComment)
            .where(PublicComment.dossier_id == dossier.id, PublicComment.received_at > now - timedelta(days=1))
        )
        if int(on_proposal or 0) >= rules.per_proposal_per_day:
            raise RateLimited("Danh sách này đã nhận đủ số ý kiến tối đa trong ngày; xin gửi lại vào ngày mai.")

    def _attach(self, comment: PublicComment, attachment: tuple[str, bytes], rules: Rules) -> None:
        filename, data = attachment
        kind = papers.sniff(data)
        if len(data) > rules.max_attachment_bytes:
            message = f"Tệp đính kèm lớn quá {rules.max_attachment_bytes // 1024} KB."
            raise InvalidInput(message, {"attachment": [message]})
        if kind not in rules.attachment_types:
            message = "Tệp đính kèm phải là PDF, JPEG hoặc PNG."
            raise InvalidInput(message, {"attachment": [message]})
        stored = self.store.put(data, papers.SUFFIXES.get(kind, ""))
        comment.attachment_name = papers.base_name(filename)[:SHORT_TEXT]
        comment.attachment_type, comment.attachment_size, comment.attachment_key = kind, len(data), stored.key

    @staticmethod
    def _unit(session: Session, dossier: Dossier) -> str | None:
        instance = session.get(ProcessInstance, dossier.instance_id) if dossier.instance_id else None
        return instance.unit if instance else None


def comments_of(session: Session, dossier: Dossier) -> list[dict[str, Any]]:
    """A dossier's comments as officers read them: who (name only), about whom, what, and how it was handled."""
    names = {n.id: n.name for n in dossier.nominees}
    rows = session.scalars(
        select(PublicComment).where(PublicComment.dossier_id == dossier.id).order_by(PublicComment.received_at)
    )
    return [_described(row, names) for row in rows]


def _described(row: PublicComment, names: dict[int, str]) -> dict[str, Any]:
    return {
        "comment": row,
        "kind_name": COMMENT_KINDS.get(row.kind, row.kind),
        "nominee_name": names.get(row.nominee_id) if row.nominee_id else None,
        "status_name": _state_name(row),
    }


def _state_name(row: PublicComment) -> str:
    if row.state != "handled":
        return "Đang xác minh"
    verdict = "có cơ sở" if row.substantiated else "không có cơ sở"
    return f"Đã xử lý: {verdict}" + (", làm thay đổi đề nghị" if row.changes_proposal else "")
