"""An emulation cluster's year end to end on the virtual clock, through the cluster service (the interface the
API, the command line and the pages call): the pledge, self-scores with evidence, cross-grades with one gap
reconciled by the head, a tie on the total broken by the key criteria, the secret ballot counted as the
council's, the proposal entering the award procedure as a CO_TINH dossier and the flag decision issued with its
number. And the refusals — a score above its maximum, a unit grading itself, a proposal without the vote's
threshold, a late submission — each in Vietnamese, naming the field, with nothing changed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInput, PermissionDenied
from engine.models import Event
from handlers import cluster_data
from handlers.catalogue import read_yaml
from handlers.cluster_service import ClusterService
from handlers.models import ClusterMember, ClusterResult, ClusterSheet, ClusterYear, Dossier
from tests.cluster_story import BALLOTS, CLUSTER, HEAD, TRUE, UNITS, YEAR, ClusterStory, sheet
from tests.scenarios.conftest import World, drive, vn

RULES = cluster_data.SHIPPED / "rules" / "2025-01-01.yaml"


@pytest.fixture
def story(world: World) -> ClusterStory:
    return ClusterStory(world.domain, world.clock)


@pytest.fixture
def clusters(story: ClusterStory) -> ClusterService:
    return story.clusters


def papers(world: World) -> list[dict[str, Any]]:
    return world.papers("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_CUM_KHOI", "BIEN_BAN_BINH_XET")


def snapshot(world: World) -> tuple[int, ...]:
    """Counts of every row a refused action could have left behind."""
    with world.engine.db.reading() as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(table)) or 0)
            for table in (ClusterSheet, ClusterResult, Dossier, Event)
        ) + (int(s.scalar(select(func.count()).where(ClusterMember.pledge_signed_at.is_not(None))) or 0),)


def refused(world: World, field: str, action: Any) -> str:
    """The action is refused naming ``field`` in Vietnamese, and nothing changed."""
    before = snapshot(world)
    with pytest.raises(InvalidInput) as caught:
        action()
    assert field in caught.value.fields, caught.value.fields
    assert snapshot(world) == before
    return " ".join(caught.value.fields[field])


def test_a_cluster_of_eight_runs_its_year_to_the_flag_decision(
    world: World, clusters: ClusterService, story: ClusterStory
) -> None:
    story.to_reconciling()
    gaps = [row for row in clusters.standings(CLUSTER, YEAR) if row.beyond_tolerance]
    assert [(row.unit, row.gap) for row in gaps] == [("ubnd-vl", 11)]
    assert clusters.year(CLUSTER, YEAR).open_steps == ("reconcile",)
    story.reconcile()
    story.meet()
    ranking = clusters.standings(CLUSTER, YEAR)
    assert [(r.unit, r.rank, str(r.total)) for r in ranking] == [
        ("ubnd-hl", 1, "90.00"),  # tied with ubnd-tp on the total; the key criteria (43 > 42) break it
        ("ubnd-tp", 2, "90.00"),
        ("ubnd-pd", 3, "85.00"),
        ("ubnd-bs", 4, "82.00"),
        ("ubnd-dh", 5, "80.00"),
        ("ubnd-tx", 6, "78.00"),
        ("ubnd-vl", 7, "76.00"),  # reconciled by the head (its own 86 and the graders' 75 were 11 apart)
        ("ubnd-tm", 8, "75.00"),
    ]
    assert [r.passed for r in ranking] == [True, True, True, True, False, False, False, False]  # 7 of 8 needed
    vl = next(r for r in ranking if r.unit == "ubnd-vl")
    assert (vl.reconciled, str(vl.self_total), str(vl.cross_average)) == (True, "86.00", "75.00")

    codes = clusters.send_proposal(
        story.who(HEAD),
        CLUSTER,
        YEAR,
        flags=["ubnd-hl"],
        certificates=["ubnd-tp", "ubnd-pd"],
        listed_papers=papers(world),
    )
    assert clusters.year(CLUSTER, YEAR).phase == "sent"
    with world.engine.db.reading() as s:
        audit = list(
            s.execute(select(Event.action, Event.actor, Event.business_key).where(Event.action.like("cluster_%")))
        )
    assert ("cluster_proposal_sent", "truongcum", "CUM-cum-huyen-2026") in audit
    assert sum(1 for action, *_ in audit if action == "cluster_pledge_signed") == 8
    assert sum(1 for action, *_ in audit if action == "cluster_cross_score_submitted") == 56  # 8 × 7, none itself
    flag, certificate = (world.dossier(code) for code in codes)
    assert (flag.award_type, certificate.award_type) == ("CO_TINH", "BK_UBND")
    assert flag.unit == HEAD and flag.status == 1
    nominee = world.nominees(codes[0])[0]
    assert (nominee.name, nominee.kind) == ("UBND huyện Hòa Lạc", "collective")
    assert (nominee.facts["cluster_rank"], nominee.facts["cluster_score"]) == (1, "90.00")
    assert [n.name for n in world.nominees(codes[1])] == ["UBND thành phố An Bình", "UBND huyện Phú Điền"]

    drive(world, codes[0])  # the desk receives it, the appraiser and the agencies; then the list is published
    world.later(days=14)  # the 7 working days of public comment pass
    assert world.engine.timers.fire_due() >= 1
    drive(world, codes[0])  # the council votes, the leader signs, the records office publishes, the desk returns
    done = world.dossier(codes[0])
    assert (done.status, done.outcome) == (10, "awarded")
    decision = world.decision(codes[0])
    assert decision.number >= 1 and decision.symbol.endswith("QĐ-UBND")
    assert [(line.name, line.multiple) for line in decision.lines] == [("UBND huyện Hòa Lạc", "8.0")]
    drive(world, codes[1])  # the certificates' dossier runs the same procedure (no council: the standing body)
    certified = world.dossier(codes[1])
    assert (certified.status, certified.outcome) == (10, "awarded")
    results = {r.unit: (r.proposal, r.dossier_code) for r in clusters.standings(CLUSTER, YEAR)}
    assert results["ubnd-hl"] == ("CO_TINH", codes[0]) and results["ubnd-pd"] == ("BK_UBND", codes[1])
    years = [(view.year, [r.rank for r in rows][:2]) for view, rows in clusters.history(CLUSTER)]
    assert years == [(2026, [1, 2]), (2025, [None, None])]  # 2025 was never run here: listed, not ranked


def test_a_score_above_its_maximum_is_refused(world: World, clusters: ClusterService, story: ClusterStory) -> None:
    story.to_scoring()
    assert clusters.year(CLUSTER, YEAR).phase == "self_score"  # the timer of 01/11 opened the round
    too_much = {**sheet(TRUE["ubnd-hl"]), "I.1": 31}
    message = refused(world, "scores.I.1", lambda: story.self_score("ubnd-hl", tuple(too_much.values())))
    assert "từ 0 đến 30" in message


def test_evidence_is_needed_where_the_grid_asks_for_it(
    world: World, clusters: ClusterService, story: ClusterStory
) -> None:
    story.to_scoring()
    actor = story.who("ubnd-hl")
    message = refused(
        world, "evidence.I.2", lambda: clusters.submit_self_score(actor, CLUSTER, YEAR, sheet(TRUE["ubnd-hl"]), {})
    )
    assert "minh chứng" in message


def test_no_unit_grades_itself(world: World, clusters: ClusterService, story: ClusterStory) -> None:
    story.to_cross_grading()
    actor = story.who("ubnd-bs")
    message = refused(
        world, "graded", lambda: clusters.submit_cross_grade(actor, CLUSTER, YEAR, "ubnd-bs", sheet(TRUE["ubnd-bs"]))
    )
    assert "không được tự chấm" in message


def test_a_late_self_score_is_refused(world: World, clusters: ClusterService, story: ClusterStory) -> None:
    story.to_scoring()
    world.clock.set(vn(21, 11))
    message = refused(world, "scores", lambda: story.self_score("ubnd-hl", TRUE["ubnd-hl"]))
    assert "quá hạn" in message and "20/11/2026" in message


def test_a_proposal_without_the_threshold_or_for_a_unit_not_leading_is_refused(
    world: World, clusters: ClusterService, story: ClusterStory
) -> None:
    story.to_proposal()
    head, listed = story.who(HEAD), papers(world)

    def send(flags: list[str], certificates: list[str]) -> None:
        clusters.send_proposal(head, CLUSTER, YEAR, flags=flags, certificates=certificates, listed_papers=listed)

    assert "chưa đạt tỷ lệ phiếu" in refused(world, "certificates", lambda: send(["ubnd-hl"], ["ubnd-dh"]))
    assert "dẫn đầu" in refused(world, "flags", lambda: send(["ubnd-tp"], []))
    assert "tối đa 1" in refused(world, "flags", lambda: send(["ubnd-hl", "ubnd-tp"], []))
    assert clusters.year(CLUSTER, YEAR).phase == "proposal"


def test_a_proposal_after_the_deadline_is_refused(world: World, clusters: ClusterService, story: ClusterStory) -> None:
    story.to_proposal()
    world.clock.set(vn(11, 12))
    head = story.who(HEAD)
    message = refused(
        world,
        "proposal",
        lambda: clusters.send_proposal(
            head, CLUSTER, YEAR, flags=["ubnd-hl"], certificates=[], listed_papers=papers(world)
        ),
    )
    assert "quá hạn" in message and "10/12/2026" in message


def test_the_head_closes_the_pledge_only_when_every_member_signed(
    world: World, clusters: ClusterService, story: ClusterStory
) -> None:
    head = story.who(HEAD)
    clusters.open_year(head, CLUSTER, YEAR)
    clusters.circulate_pledge(head, CLUSTER, YEAR)
    clusters.sign_pledge(head, CLUSTER, YEAR)
    message = refused(world, "pledges", lambda: clusters.close_pledges(head, CLUSTER, YEAR))
    assert "UBND huyện Hòa Lạc" in message
    with pytest.raises(PermissionDenied):
        clusters.close_pledges(story.who("ubnd-hl"), CLUSTER, YEAR)


def test_the_meeting_without_quorum_is_held_again(world: World, clusters: ClusterService, story: ClusterStory) -> None:
    story.to_meeting()
    head = story.who(HEAD)
    clusters.record_meeting(head, CLUSTER, YEAR, held_on=date(2026, 12, 2), present=UNITS[:5], ballots={})
    view = clusters.year(CLUSTER, YEAR)
    assert view.phase == "meeting" and view.open_steps == ("record_meeting",)
    with world.engine.db.reading() as s:
        row = s.scalars(select(ClusterYear).where(ClusterYear.year == YEAR, ClusterYear.head_unit == HEAD)).one()
        assert row.meeting is not None and row.meeting["quorum_met"] is False
    clusters.record_meeting(head, CLUSTER, YEAR, held_on=date(2026, 12, 3), present=UNITS, ballots=BALLOTS)
    assert clusters.year(CLUSTER, YEAR).phase == "proposal"


def test_a_new_rule_version_changes_who_grades_whom(
    world: World, clusters: ClusterService, story: ClusterStory
) -> None:
    """A version in force from 01/01/2026 where only the head's grading group (head and deputy) cross-grades: the
    year opened after it runs under it; a member outside the group is refused, the head grades every other."""
    content = read_yaml(RULES.read_text(encoding="utf-8"), RULES.name)
    content.update(version="CUM-2026-TO", effective_from="2026-01-01", cross_grading="head_group")
    with world.engine.db.transaction() as s:
        cluster_data.load_rules(s, content, "2026-01-01.yaml")
    story.to_cross_grading()
    assert clusters.year(CLUSTER, YEAR).rules_version == "CUM-2026-TO"
    assert clusters.to_grade(story.who("ubnd-bs"), CLUSTER, YEAR) == []
    assert len(clusters.to_grade(story.who(HEAD), CLUSTER, YEAR)) == 7
    actor = story.who("ubnd-bs")
    message = refused(
        world, "graded", lambda: clusters.submit_cross_grade(actor, CLUSTER, YEAR, "ubnd-hl", sheet(TRUE["ubnd-hl"]))
    )
    assert "theo quy tắc" in message
