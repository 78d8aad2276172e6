"""What the cluster pages read beyond the cluster service's views: the meeting as recorded (for the minutes)
and the ranking and the minutes as official documents (national header, for the PDF exports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine import clock
from handlers.cluster_records import year_of
from handlers.cluster_service import ClusterService, StandingRow, YearView
from handlers.render import Doc, Paragraph, Signature, Table
from handlers.timefmt import fmt_date, local_day, long_date

__all__ = ["Meeting", "meeting", "minutes_doc", "points_text", "ranking_doc"]


@dataclass(frozen=True)
class Meeting:
    """The latest cluster meeting: when, who came, the votes needed (of all members) and whether it sat."""

    round: int
    held_on: date
    present: tuple[str, ...]
    quorum_met: bool
    quorum_needed: int
    votes_needed: int


def meeting(service: ClusterService, code: str, year: int) -> Meeting | None:
    """The year's latest meeting, or None before it is recorded."""
    with service.engine.db.reading() as session:
        found = year_of(session, code, year).meeting
    if not found:
        return None
    return Meeting(
        round=int(found.get("round", 1)),
        held_on=date.fromisoformat(str(found["held_on"])),
        present=tuple(found.get("present", ())),
        quorum_met=bool(found.get("quorum_met")),
        quorum_needed=int(found.get("quorum_needed", 0)),
        votes_needed=int(found.get("votes_needed", 0)),
    )


def points_text(value: Decimal | str | None) -> str:
    """Points (a decimal, or a sheet's decimal text) as Vietnamese write them ("12,5", "90"), empty when missing."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _heading(view: YearView) -> tuple[str, ...]:
    return ("ỦY BAN NHÂN DÂN TỈNH", view.name.upper())


def _dateline() -> str:
    return long_date(local_day(clock.now())).capitalize()


def _row(r: StandingRow, middle: Sequence[str], awards: Mapping[str, str]) -> tuple[str, ...]:
    """A document's line of one member: its rank and name, ``middle``, and the award proposed for it."""
    return (str(r.rank or ""), r.name, *middle, awards.get(r.proposal or "", ""))


def _votes(r: StandingRow) -> str:
    return "" if r.votes is None else str(r.votes)


def ranking_doc(
    view: YearView, rows: Sequence[StandingRow], codes: Sequence[str], rules_name: str, awards: Mapping[str, str]
) -> Doc:
    """The ranking with each member's points per criterion, its total, votes and proposal (``awards``: the
    catalogue's names of the proposed awards)."""
    body = tuple(
        _row(r, (*(points_text(r.scores.get(c)) for c in codes), points_text(r.total), _votes(r)), awards) for r in rows
    )
    columns = ("Hạng", "Đơn vị", *codes, "Tổng điểm", "Số phiếu", "Đề nghị")
    return Doc(
        title="BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA",
        subtitle=f"{view.name} — năm {view.year}",
        issuer=_heading(view),
        dateline=_dateline(),
        blocks=(
            Paragraph(f"Quy tắc chấm điểm: {rules_name} (phiên bản {view.rules_version or ''})."),
            Table(columns, body, (1.2, 5, *(1.3 for _ in codes), 1.8, 1.5, 3.5)),
            Signature("TRƯỞNG CỤM, KHỐI", "", "(Ký, ghi rõ họ tên, đóng dấu)"),
        ),
    )


def minutes_doc(
    view: YearView,
    rows: Sequence[StandingRow],
    held: Meeting,
    head_name: str,
    threshold: str,
    awards: Mapping[str, str],
) -> Doc:
    """The meeting's minutes (Biên bản họp bình xét): attendance, the ballot of each unit against the threshold
    of all members, the ranking and the proposals."""
    members = len(view.members)
    body = tuple(_row(r, (points_text(r.total), _votes(r), "Đạt" if r.passed else "Không đạt"), awards) for r in rows)
    return Doc(
        title="BIÊN BẢN HỌP BÌNH XÉT, BỎ PHIẾU THI ĐUA",
        subtitle=f"{view.name} — năm {view.year}, lần họp thứ {held.round}",
        issuer=_heading(view),
        dateline=_dateline(),
        blocks=(
            Paragraph(f"Ngày họp: {fmt_date(held.held_on)}. Chủ trì: {head_name} (trưởng cụm, khối)."),
            Paragraph(
                f"Tổng số đơn vị thành viên: {members}; có mặt: {len(held.present)}; túc số yêu cầu: "
                f"{held.quorum_needed} đơn vị. Tỷ lệ phiếu đồng ý cần đạt: từ {threshold} tổng số thành viên "
                f"({held.votes_needed} phiếu). Bỏ phiếu kín."
            ),
            Table(("Hạng", "Đơn vị", "Tổng điểm", "Số phiếu", "Kết quả", "Đề nghị"), body, (1.2, 5, 2, 1.6, 2, 4)),
            Signature("TRƯỞNG CỤM, KHỐI", "", "(Ký, ghi rõ họ tên, đóng dấu)"),
        ),
    )
