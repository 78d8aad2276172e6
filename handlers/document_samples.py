"""A sample dossier to preview a document template with: made in memory (never stored), under the rules in force,
so the designer sees the wording with real award names, the office's details and every optional part filled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace

from handlers import templates
from handlers.catalogue import Catalogue
from handlers.models import CouncilSession, CouncilVote, Decision, DecisionLine, Dossier, Paper
from handlers.render import Doc

__all__ = ["sample_doc"]

OFFICER = "Nguyễn Thị Mẫu"
NOMINEE = "Trần Văn Mẫu"
COUNCIL = "Hội đồng Thi đua – Khen thưởng tỉnh"


def sample_dossier(rules: Catalogue, now: datetime) -> Dossier:
    """A dossier of the first award type of ``rules``, received an hour ago, with its papers."""
    award = next(iter(rules.award_types))
    dossier = Dossier(
        code="000.00.15.H01-260302-0001",
        award_type=award,
        unit="so-noi-vu",
        unit_name="Sở Nội vụ",
        achievement_year=now.year - 1,
        title="Thành tích xuất sắc trong công tác năm trước (hồ sơ mẫu)",
        submitted_at=now - timedelta(hours=1),
        received_at=now - timedelta(hours=1),
        supplement_requested_at=now,
        supplement_due_at=now + timedelta(days=10),
    )
    dossier.papers = [
        Paper(code=code, filename=f"{code.lower()}.pdf", content_type="application/pdf", size=1, storage_key="")
        for code in list(rules.papers)[:3]
    ]
    return dossier


def sample_doc(kind: str, rules: Catalogue, now: datetime, source: str) -> Doc:
    """Document ``kind`` of the sample dossier worded by ``source`` (InvalidInput from the template's check)."""
    d = sample_dossier(rules, now)
    later = now + timedelta(days=28)
    makers: dict[str, Callable[[], Doc]] = {
        "receipt": lambda: templates.receipt(d, rules, received_at=now, due_at=later, officer=OFFICER, source=source),
        "supplement_request": lambda: templates.supplement_request(
            d,
            rules,
            missing=[{"name": name} for name in list(rules.papers.values())[:2]],
            note="Bản sao có chứng thực.",
            officer=OFFICER,
            source=source,
        ),
        "refusal": lambda: templates.refusal(
            d, rules, reason="Hồ sơ không thuộc thẩm quyền giải quyết.", officer=OFFICER, source=source
        ),
        "apology": lambda: templates.apology(
            d,
            rules,
            old_due=later,
            new_due=later + timedelta(days=7),
            reason="cần lấy thêm ý kiến hiệp y",
            officer=OFFICER,
            source=source,
        ),
        "minutes": lambda: templates.minutes(
            d, rules, session=sample_session(now), names={1: NOMINEE}, council_name=COUNCIL, source=source
        ),
        "draft_decision": lambda: templates.draft_decision(
            d, rules, lines=[(NOMINEE, "Trường THPT Chuyên", "3.0", 7_020_000)], source=source
        ),
        "decision": lambda: templates.decision(
            d, rules, row=sample_decision(rules, d, now), signer=OFFICER, source=source
        ),
        "control_slip": lambda: templates.control_slip(
            d,
            rules,
            clock_row=SimpleNamespace(received_at=now, due_at=later, classification="trong_han"),
            segments=[_segment(now)],
            source=source,
        ),
    }
    return makers[kind]()


def sample_session(now: datetime) -> CouncilSession:
    """A sitting of nine members, seven present, that selected the sample nominee."""
    vote = CouncilVote(nominee_id=1, ballots=7, written=1, total=8, passed=True, rank=1, selected=True)
    return CouncilSession(
        round=1,
        council="HD_TDKT_TINH",
        session_date=now.date(),
        members_total=9,
        present=[f"tv{i}" for i in range(7)],
        quorum="2/3",
        threshold="80%",
        quota=None,
        votes=[vote],
    )


def sample_decision(rules: Catalogue, d: Dossier, now: datetime) -> Decision:
    """The decision awarding the sample nominee, numbered as its issuing body numbers them."""
    body = rules.award(d.award_type).issuing_body
    line = DecisionLine(
        seq=1, nominee_id=1, name=NOMINEE, unit="Trường THPT Chuyên", multiple="3.0", bonus_vnd=7_020_000
    )
    symbol = f"123/{rules.issuing_bodies[body]['symbol']}"
    return Decision(
        issuing_body=body,
        year=now.year,
        number=123,
        symbol=symbol,
        signed_at=now,
        base_salary_vnd=2_340_000,
        total_vnd=7_020_000,
        lines=[line],
    )


def _segment(now: datetime) -> SimpleNamespace:
    return SimpleNamespace(
        step="Tiếp nhận hồ sơ",
        element_id="receive",
        from_actor="Bộ phận một cửa",
        to_actor="Chuyên viên thẩm định",
        received_at=now,
        budget="0.5WD",
        due_at=now + timedelta(hours=4),
        finished_at=now + timedelta(hours=2),
        classification="truoc_han",
    )
