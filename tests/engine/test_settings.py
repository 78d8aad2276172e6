"""Settings from the environment: every kind of value parsed, and a wrong one refused naming its variable."""

from __future__ import annotations

import pytest

from engine import Settings


def test_each_kind_of_value_is_read_from_its_variable() -> None:
    settings = Settings.from_env(
        {
            "AWARDFLOW_WEB_WORKERS": " 4 ",
            "AWARDFLOW_WEB_THREADS": "2",
            "AWARDFLOW_DB_POOL_SIZE": "3",
            "AWARDFLOW_DB_MAX_OVERFLOW": "0",
            "AWARDFLOW_TIMER_POLL_S": "0.25",
            "AWARDFLOW_WIDE_GROUPS": "supervisor, inspectorate,",
            "AWARDFLOW_STORAGE_DIR": "/srv/awardflow/files",
        }
    )
    assert (settings.web_workers, settings.web_threads) == (4, 2)
    assert (settings.db_pool_size, settings.db_max_overflow) == (3, 0)
    assert settings.timer_poll_s == 0.25
    assert settings.wide_groups == ("supervisor", "inspectorate")
    assert settings.storage_dir == "/srv/awardflow/files"


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", False), ("false", False), ("No", False), ("off", False), ("1", True), (" TRUE ", True)]
)
def test_a_switch_reads_yes_and_no_words(raw: str, expected: bool) -> None:
    settings = Settings.from_env({"AWARDFLOW_SERVE_TIMERS": raw, "AWARDFLOW_DB_POOL_PRE_PING": raw})
    assert settings.serve_timers is expected and settings.db_pool_pre_ping is expected


def test_unset_variables_keep_the_defaults_and_overrides_win() -> None:
    settings = Settings.from_env({"AWARDFLOW_WEB_WORKERS": "3"}, web_workers=2)
    assert settings.web_workers == 2
    assert (settings.serve_timers, settings.db_pool_size, settings.db_pool_pre_ping) == (True, 5, True)


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("AWARDFLOW_WEB_WORKERS", "four", "AWARDFLOW_WEB_WORKERS: 'four' is not a whole number"),
        ("AWARDFLOW_WEB_WORKERS", "2.5", "AWARDFLOW_WEB_WORKERS: '2.5' is not a whole number"),
        ("AWARDFLOW_TIMER_POLL_S", "soon", "AWARDFLOW_TIMER_POLL_S: 'soon' is not a number"),
        ("AWARDFLOW_SERVE_TIMERS", "maybe", "AWARDFLOW_SERVE_TIMERS: 'maybe' is not yes/no"),
        ("AWARDFLOW_WEB_WORKERS", "0", "web_workers (AWARDFLOW_WEB_WORKERS) must be at least 1, not 0"),
        ("AWARDFLOW_DB_POOL_SIZE", "-2", "db_pool_size (AWARDFLOW_DB_POOL_SIZE) must be at least 1, not -2"),
        ("AWARDFLOW_DB_MAX_OVERFLOW", "-1", "db_max_overflow (AWARDFLOW_DB_MAX_OVERFLOW) must be at least 0"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_variable(variable: str, raw: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        Settings.from_env({variable: raw})
    assert str(refused.value).startswith(message)
