"""`awardflow demo` also runs the area cluster's year of its end date through the cluster service: before the
scoring opening it waits with every pledge signed in March; after the meeting it has self-scores with evidence,
every cross-grade, one reconciled gap and the meeting's ranking, with the proposal left to the head. The seed
fixes it all."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine import Settings
from handlers.cluster_service import StandingRow
from handlers.domain import Domain
from web.boot import build_domain
from web.cli.demo import demo
from web.office_clusters import CLUSTER, OFFICERS

PASSWORD = "mật-khẩu-demo"


def run_demo(folder: Path, until: str, seed: int = 11) -> tuple[Domain, str]:
    """The real command on its own database; the domain over it afterwards and what it printed."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {"AWARDFLOW_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite'}", "AWARDFLOW_STORAGE_DIR": str(folder)}
    args = ["--dossiers", "3", "--until", until, "--seed", str(seed), "--password", PASSWORD]
    result = CliRunner().invoke(demo, args, env=env)
    assert result.exit_code == 0, result.output
    return build_domain(Settings.from_env(env)), result.output


def test_before_the_scoring_opening_the_year_waits_with_every_pledge_signed_in_march(tmp_path, vclock) -> None:  # type: ignore[no-untyped-def]
    domain, output = run_demo(tmp_path, "2026-10-15")
    year = domain.clusters.year(CLUSTER, 2026)
    assert year.phase == "waiting" and f"cluster {CLUSTER} 2026: {year.phase_name}" in output
    signed = [m.pledge_signed_at for m in year.members]
    assert all(s is not None and date(2026, 3, 2) <= s.date() <= date(2026, 3, 13) for s in signed), signed
    assert domain.clusters.sheets(CLUSTER, 2026) == []
    others = [v.phase for v in domain.clusters.clusters(2026) if v.code != CLUSTER]
    assert others and set(others) == {"planned"}
    identity = domain.engine.identity
    names = identity.display_names()
    for member in year.members:  # every member unit's officer signs in with the demo password, named in full
        officer = identity.check_password(OFFICERS[member.unit], PASSWORD)
        assert officer is not None and officer.unit == member.unit
        assert names[officer.username].count(" ") >= 2
    _, again = run_demo(tmp_path, "2026-12-05")  # a second demo on the same database leaves the year alone
    assert f"cluster {CLUSTER} 2026: already opened, left as it is" in again
    assert domain.clusters.year(CLUSTER, 2026).phase == "waiting" and domain.clusters.sheets(CLUSTER, 2026) == []


def test_after_the_meeting_the_ranking_waits_for_the_heads_proposal_the_same_for_the_same_seed(
    tmp_path, vclock
) -> None:  # type: ignore[no-untyped-def]
    domain, _ = run_demo(tmp_path / "a", "2026-12-05")
    clusters, year = domain.clusters, domain.clusters.year(CLUSTER, 2026)
    rules = clusters.rules(CLUSTER, 2026)
    units = {m.unit for m in year.members}
    assert year.phase == "proposal" and list(year.open_steps) == ["send_proposal"]
    sheets = clusters.sheets(CLUSTER, 2026)
    own = [s for s in sheets if s.kind == "self"]
    assert {s.graded_unit for s in own} == units
    needs = {c.code for c in rules.criteria if c.evidence}
    assert all(set(s.evidence) == needs for s in own), "a PDF for each criterion that needs one"
    assert all(f["content_type"] == "application/pdf" for s in own for files in s.evidence.values() for f in files)
    cross = {(s.grader_unit, s.graded_unit) for s in sheets if s.kind == "cross"}
    assert cross == {(a, b) for a in units for b in units if a != b}
    standings = clusters.standings(CLUSTER, 2026)
    beyond = [row.unit for row in standings if row.beyond_tolerance]
    assert len(beyond) == 1 and [s.graded_unit for s in sheets if s.kind == "reconciled"] == beyond
    ranks = sorted(row.rank or 0 for row in standings)  # a rank is shared only when every tie-break is equal
    assert ranks[0] == 1 and all(1 <= rank <= place for place, rank in enumerate(ranks, start=1)), ranks
    assert [row.passed for row in standings].count(True) == rules.flags + rules.certificates + 1
    assert all(row.proposal is None for row in standings), "the proposal is the head's to send"
    assert len({row.total for row in standings}) > 2, "points drawn per unit, not one sheet for all"
    again, _ = run_demo(tmp_path / "b", "2026-12-05")
    assert outcome(again) == outcome(domain)


def outcome(domain: Domain) -> tuple[list[Any], list[StandingRow]]:
    """Every sheet's points and the standings: what the seed decides."""
    sheets = domain.clusters.sheets(CLUSTER, 2026)
    points = sorted((s.kind, s.grader_unit, s.graded_unit, sorted(s.scores.items())) for s in sheets)
    return points, domain.clusters.standings(CLUSTER, 2026)


def test_a_year_whose_head_has_no_demo_officer_is_left_alone(tmp_path, vclock) -> None:  # type: ignore[no-untyped-def]
    """In 2025 the area cluster is headed by a unit the demo has no head's account for: the demo says so and
    finishes, the year stays as the data has it."""
    domain, output = run_demo(tmp_path, "2025-12-05")
    assert f"cluster {CLUSTER} 2025: the demo has no officer for its head or a member; left as it is" in output
    assert domain.clusters.year(CLUSTER, 2025).phase == "planned"
