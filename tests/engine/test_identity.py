"""Users for the administration page: listing them, deactivating and reactivating."""

from __future__ import annotations

import pytest

from engine import Engine
from engine.errors import NotFound


def test_list_users_shows_groups_unit_and_flags(engine: Engine) -> None:
    engine.identity.ensure_user("lan", display_name="Nguyễn Thị Lan", groups=["thue", "appraiser"], unit="so-tc")
    users = {u.username: u for u in engine.identity.list_users()}
    lan = users["lan"]
    assert (lan.display_name, lan.unit, lan.groups) == ("Nguyễn Thị Lan", "so-tc", ("appraiser", "thue"))
    assert lan.active and not lan.is_admin and not lan.has_password
    assert users["admin"].is_admin
    assert [u.username for u in engine.identity.list_users()] == sorted(users)


def test_deactivated_user_cannot_sign_in_or_act_until_reactivated(engine: Engine) -> None:
    engine.identity.ensure_user("lan", groups=["appraiser"], password="mật khẩu dài 2026")
    engine.identity.set_active("lan", False)
    assert engine.identity.check_password("lan", "mật khẩu dài 2026") is None
    with pytest.raises(NotFound):
        engine.identity.actor("lan")
    assert not next(u for u in engine.identity.list_users() if u.username == "lan").active
    engine.identity.set_active("lan", True)
    assert engine.identity.check_password("lan", "mật khẩu dài 2026") is not None


def test_set_active_of_unknown_user_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound):
        engine.identity.set_active("nobody", False)
