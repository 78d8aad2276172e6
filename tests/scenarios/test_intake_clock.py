"""The dossier clock starts when the dossier is complete and valid ("kể từ ngày nhận đủ hồ sơ hợp lệ"): at intake
it has not started, whatever the award's supplement policy (which governs supplements asked in processing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from engine import clock
from tests.scenarios.conftest import World, individual, titles, vn


@pytest.fixture
def vclock() -> Iterator[clock.VirtualClock]:
    """Monday 02/02/2026 09:00 in Hà Nội: a week before the domain's example, Tết ahead."""
    virtual = clock.VirtualClock(datetime(2026, 2, 2, 2, 0, tzinfo=UTC))
    previous = clock.install(virtual)
    yield virtual
    clock.install(previous)


def star() -> dict:
    return individual(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def test_the_clock_starts_when_the_dossier_is_complete_whatever_the_policy(world: World) -> None:
    """domain.md: 20 working days from Mon 09/02/2026 (Tết in between) end on Mon 16/03/2026. Submitted
    incomplete on Mon 02/02 for an award whose policy is "resume", checked on Wed 04/02, completed on Mon
    09/02: none of the days at intake count (a resumed clock would have counted Monday and Tuesday)."""
    code = world.submit("CSTD_TINH", [star()], papers=["TO_TRINH", "BIEN_BAN_BINH_XET"])
    assert world.clock_row(code).policy == "resume"
    world.clock.set(vn(4, 2, 9))  # the desk checks it on Wednesday: two days that must not count
    world.do(
        code,
        "check_completeness",
        {"completeness": "bo_sung", "missing": ["BAO_CAO_THANH_TICH", "MINH_CHUNG_SANG_KIEN"]},
    )
    world.clock.set(vn(9, 2, 9))
    listed = world.papers("BAO_CAO_THANH_TICH", "MINH_CHUNG_SANG_KIEN")
    world.dossiers.return_supplement(world.person("motcua"), code, listed)
    world.do(code, "recheck_completeness", {"recheck": "tiep_nhan"})
    row = world.clock_row(code)
    assert f"{row.received_at + timedelta(hours=7):%d/%m/%Y}" == "09/02/2026"
    assert row.paused_s == 0
    assert world.dossiers.lookup(code).appointment == "16/03/2026"
