"""The council's count (Biên bản kiểm phiếu), pure: quorum, threshold, quota ranking and ties.

- The council sits only when those present reach the quorum share of ALL its members (e.g. ≥ 2/3).
- A candidate's votes are the approving ballots of those present plus the written votes of absent members.
- A candidate passes with approvals from at least the threshold share of ALL members, not of those present.
- When more pass than the quota, they are ranked by votes; on equal votes women (and collectives whose share
  of women reaches the priority ratio) go first; a tie that still straddles the quota line goes to the
  council chair, whose order is asked for (``needs_chair``) and then applied.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import groupby

from engine.errors import InvalidInput
from handlers.catalogue import format_ratio

__all__ = ["Candidate", "Outcome", "Sitting", "Tally", "count"]


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    women_priority: bool = False


@dataclass(frozen=True)
class Sitting:
    """What the secretary records: who came, the ballot count, absentees' written votes, the chair's order."""

    members: Sequence[str]
    present: Sequence[str]
    ballots: Mapping[int, int]
    written: Mapping[str, Sequence[int]] = field(default_factory=dict)
    chair_order: Sequence[int] | None = None


@dataclass(frozen=True)
class Outcome:
    candidate: Candidate
    ballots: int
    written: int
    passed: bool
    rank: int | None
    selected: bool
    reason: str | None

    @property
    def total(self) -> int:
        return self.ballots + self.written


@dataclass(frozen=True)
class Tally:
    members_total: int
    present: int
    quorum_needed: int
    votes_needed: int
    outcomes: tuple[Outcome, ...]
    #: candidate ids tied across the quota line, waiting for the chair's order
    needs_chair: tuple[int, ...] = ()

    @property
    def quorum_met(self) -> bool:
        return self.present >= self.quorum_needed

    @property
    def selected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.selected]


def at_least(share: Fraction, whole: int) -> int:
    """The smallest count that is at least ``share`` of ``whole`` (2/3 of 9 → 6; 90 % of 9 → 9)."""
    return math.ceil(share * whole)


def count(
    candidates: Sequence[Candidate],
    sitting: Sitting,
    *,
    threshold: Fraction,
    quorum: Fraction,
    quota: int | None = None,
) -> Tally:
    """Tally one sitting; InvalidInput when the record is inconsistent (who voted, how many ballots)."""
    members = list(sitting.members)
    _check(candidates, sitting)
    quorum_needed, votes_needed = at_least(quorum, len(members)), at_least(threshold, len(members))
    present = len(set(sitting.present))
    if present < quorum_needed:
        return Tally(len(members), present, quorum_needed, votes_needed, ())
    written = {c.id: 0 for c in candidates}
    for approvals in sitting.written.values():
        for cid in set(approvals):
            written[cid] += 1
    counted = {c.id: (int(sitting.ballots.get(c.id, 0)), written[c.id]) for c in candidates}

    def total(c: Candidate) -> int:
        return sum(counted[c.id])

    passed = [c for c in candidates if total(c) >= votes_needed]
    ranked = sorted(passed, key=lambda c: (-total(c), not c.women_priority))
    chosen, undecided, order = _apply_quota(ranked, total, quota, sitting.chair_order)
    rank = {c.id: i for i, c in enumerate(order, start=1)}
    outcomes = []
    for c in candidates:
        ballots, wrote = counted[c.id]
        reason = None
        if c not in passed:
            share = format_ratio(Fraction(total(c), len(members)))
            reason = (
                f"Không đạt tỷ lệ phiếu: {total(c)}/{len(members)} thành viên đồng ý ({share}); cần từ "
                f"{format_ratio(threshold)} tổng số thành viên Hội đồng ({votes_needed} phiếu)"
            )
        elif c.id not in chosen and c.id not in undecided:
            reason = f"Đạt tỷ lệ phiếu nhưng ngoài chỉ tiêu {quota} (xếp thứ {rank[c.id]})"
        outcomes.append(Outcome(c, ballots, wrote, c in passed, rank.get(c.id), c.id in chosen, reason))
    return Tally(len(members), present, quorum_needed, votes_needed, tuple(outcomes), tuple(sorted(undecided)))


def _apply_quota(
    ranked: list[Candidate], total: Callable[[Candidate], int], quota: int | None, chair_order: Sequence[int] | None
) -> tuple[set[int], set[int], list[Candidate]]:
    """(selected ids, ids tied across the line awaiting the chair, final order)."""
    if quota is None or len(ranked) <= quota:
        return {c.id for c in ranked}, set(), ranked

    def key(c: Candidate) -> tuple[int, bool]:
        return -total(c), not c.women_priority

    chosen: set[int] = set()
    undecided: set[int] = set()
    order: list[Candidate] = []
    slots = quota
    for _, group_iter in groupby(ranked, key=key):
        group = list(group_iter)
        if 0 < slots < len(group):
            chair = {cid: i for i, cid in enumerate(chair_order or [])}
            if all(c.id in chair for c in group):
                group.sort(key=lambda c: chair[c.id])
                chosen.update(c.id for c in group[:slots])
            else:
                undecided.update(c.id for c in group)
        elif slots >= len(group):
            chosen.update(c.id for c in group)
        slots = max(0, slots - len(group))
        order.extend(group)
    return chosen, undecided, order


def _check(candidates: Sequence[Candidate], sitting: Sitting) -> None:
    """InvalidInput naming the field, in Vietnamese (the secretary reads it), when the record cannot be true."""
    members, present = set(sitting.members), list(sitting.present)
    ids = {c.id: c.name for c in candidates}
    problems: dict[str, list[str]] = {}
    strangers = sorted(set(present) - members)
    if strangers:
        problems.setdefault("present", []).append(f"Không phải thành viên Hội đồng: {', '.join(strangers)}")
    if len(set(present)) != len(present):
        problems.setdefault("present", []).append("Một thành viên được ghi có mặt hai lần")
    for member, approvals in sitting.written.items():
        if member not in members:
            problems.setdefault("written_votes", []).append(f"{member} không phải thành viên Hội đồng")
        elif member in present:
            problems.setdefault("written_votes", []).append(
                f"{member} có mặt tại phiên họp nên bỏ phiếu tại họp, không gửi phiếu bằng văn bản"
            )
        unknown = sorted(set(approvals) - set(ids))
        if unknown:
            problems.setdefault("written_votes", []).append(
                f"{member} đồng ý với đối tượng không có trong hồ sơ: {', '.join(map(str, unknown))}"
            )
    for cid, ballots in sitting.ballots.items():
        if cid not in ids:
            problems.setdefault("ballots", []).append(f"Không có đối tượng số {cid} trong hồ sơ")
        elif not 0 <= int(ballots) <= len(set(present)):
            problems.setdefault("ballots", []).append(
                f"{ids[cid]}: {ballots} phiếu đồng ý tại họp, trong khi chỉ có {len(set(present))} thành viên có mặt"
            )
    if problems:
        raise InvalidInput("Biên bản kiểm phiếu chưa khớp: số phiếu hoặc danh sách thành viên chưa đúng", problems)
