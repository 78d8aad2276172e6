"""The council count: quorum and threshold over the whole membership, written votes, quota ranking."""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.errors import InvalidInput
from handlers.tally import Candidate, Sitting, at_least, count

MEMBERS = [f"TV{i:02d}" for i in range(1, 10)]  # 9 members
TWO_THIRDS, NINETY, EIGHTY = Fraction(2, 3), Fraction(9, 10), Fraction(4, 5)
AN, BINH, CHI, DUNG = (
    Candidate(1, "An", women_priority=False),
    Candidate(2, "Bình", women_priority=True),
    Candidate(3, "Chi", women_priority=True),
    Candidate(4, "Dũng", women_priority=False),
)


def sitting(
    present: int, ballots: dict[int, int], written: dict[str, list[int]] | None = None, **kw: object
) -> Sitting:
    return Sitting(MEMBERS, MEMBERS[:present], ballots, written or {}, **kw)  # type: ignore[arg-type]


def test_shares_round_up() -> None:
    assert at_least(TWO_THIRDS, 9) == 6
    assert at_least(TWO_THIRDS, 10) == 7
    assert at_least(NINETY, 9) == 9
    assert at_least(EIGHTY, 9) == 8
    assert at_least(NINETY, 20) == 18


def test_quorum_is_two_thirds_of_all_members() -> None:
    missed = count([AN], sitting(5, {1: 5}), threshold=EIGHTY, quorum=TWO_THIRDS)
    assert (missed.quorum_met, missed.present, missed.quorum_needed, missed.outcomes) == (False, 5, 6, ())
    met = count([AN], sitting(6, {1: 6}), threshold=Fraction(2, 3), quorum=TWO_THIRDS)
    assert met.quorum_met and met.selected[0].candidate == AN


def test_the_threshold_is_over_all_members_not_those_present() -> None:
    # 7 present all approve: 7/7 of those present, but 7/9 = 77.8 % of the council: below 80 %
    tally = count([AN], sitting(7, {1: 7}), threshold=EIGHTY, quorum=TWO_THIRDS)
    outcome = tally.outcomes[0]
    assert (outcome.total, outcome.passed, outcome.selected) == (7, False, False)
    assert "7/9" in (outcome.reason or "") and "8 phiếu" in (outcome.reason or "")


def test_absentees_written_votes_count() -> None:
    written = {"TV08": [1], "TV09": [1, 2]}
    tally = count([AN, BINH], sitting(7, {1: 7, 2: 6}, written), threshold=EIGHTY, quorum=TWO_THIRDS)
    by = {o.candidate.id: o for o in tally.outcomes}
    assert (by[1].ballots, by[1].written, by[1].total, by[1].passed) == (7, 2, 9, True)
    assert (by[2].total, by[2].passed) == (7, False)
    ninety = count([AN], sitting(7, {1: 7}, {"TV08": [1], "TV09": [1]}), threshold=NINETY, quorum=TWO_THIRDS)
    assert ninety.outcomes[0].passed  # 9/9


def test_written_votes_do_not_make_the_quorum() -> None:
    written = {m: [1] for m in MEMBERS[5:]}
    tally = count([AN], sitting(5, {1: 5}, written), threshold=EIGHTY, quorum=TWO_THIRDS)
    assert not tally.quorum_met


def test_quota_ranks_by_votes() -> None:
    tally = count([AN, BINH, CHI], sitting(9, {1: 9, 2: 8, 3: 8}), threshold=EIGHTY, quorum=TWO_THIRDS, quota=1)
    assert [o.candidate.name for o in tally.selected] == ["An"]
    by = {o.candidate.id: o for o in tally.outcomes}
    assert by[1].rank == 1 and by[2].passed and not by[2].selected
    assert "ngoài chỉ tiêu 1" in (by[2].reason or "")


def test_a_tie_across_the_quota_line_goes_to_the_woman() -> None:
    tally = count([AN, BINH], sitting(9, {1: 8, 2: 8}), threshold=EIGHTY, quorum=TWO_THIRDS, quota=1)
    assert [o.candidate.name for o in tally.selected] == ["Bình"]
    assert not tally.needs_chair


def test_a_tie_between_two_women_goes_to_the_chair() -> None:
    args = {"threshold": EIGHTY, "quorum": TWO_THIRDS, "quota": 2}
    ballots = {1: 9, 2: 8, 3: 8, 4: 8}
    tally = count([AN, BINH, CHI, DUNG], sitting(9, ballots), **args)  # type: ignore[arg-type]
    assert tally.needs_chair == (2, 3)
    assert [o.candidate.name for o in tally.selected] == ["An"]
    decided = count([AN, BINH, CHI, DUNG], sitting(9, ballots, chair_order=[3, 2]), **args)  # type: ignore[arg-type]
    assert not decided.needs_chair
    assert sorted(o.candidate.name for o in decided.selected) == ["An", "Chi"]
    by = {o.candidate.id: o for o in decided.outcomes}
    assert (by[3].rank, by[2].rank, by[4].rank) == (2, 3, 4)
    assert not by[4].selected and not by[2].selected


def test_a_tie_inside_the_quota_needs_nobody() -> None:
    tally = count([AN, DUNG], sitting(9, {1: 8, 4: 8}), threshold=EIGHTY, quorum=TWO_THIRDS, quota=2)
    assert len(tally.selected) == 2 and not tally.needs_chair


def test_an_inconsistent_record_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        count(
            [AN],
            Sitting(MEMBERS, ["TV01", "TV01", "XX"], {1: 5, 7: 1}, {"TV01": [1], "TV09": [9]}),
            threshold=EIGHTY,
            quorum=TWO_THIRDS,
        )
    fields = caught.value.fields
    assert set(fields) == {"present", "written_votes", "ballots"}
