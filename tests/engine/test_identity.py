"""Users for the administration page: listing them, deactivating and reactivating, each change audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine import Engine
from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.identity import USER_ACTIONS
from engine.models import Event, User

PASSWORD = "mật khẩu dài 2026"


def user_events(engine: Engine, username: str) -> list[Event]:
    """The audit events of one user, oldest first."""
    events = engine.history.administration(100, USER_ACTIONS)
    return [e for e in reversed(events) if (e.details or {}).get("username") == username]


def event_count(engine: Engine) -> int:
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


def audited_text(event: Event) -> str:
    return json.dumps([event.before, event.after, event.details], ensure_ascii=False)


def password_hash(engine: Engine, username: str) -> str:
    with engine.db.reading() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == username))
    assert stored
    return stored


def test_list_users_shows_groups_unit_and_flags(engine: Engine) -> None:
    engine.identity.ensure_user("lan", display_name="Nguyễn Thị Lan", groups=["thue", "appraiser"], unit="so-tc")
    users = {u.username: u for u in engine.identity.list_users()}
    lan = users["lan"]
    assert (lan.display_name, lan.unit, lan.groups) == ("Nguyễn Thị Lan", "so-tc", ("appraiser", "thue"))
    assert lan.active and not lan.is_admin and not lan.has_password
    assert users["admin"].is_admin
    assert [u.username for u in engine.identity.list_users()] == sorted(users)


def test_deactivated_user_cannot_sign_in_or_act_until_reactivated(engine: Engine) -> None:
    engine.identity.ensure_user("lan", groups=["appraiser"], password=PASSWORD)
    engine.identity.set_active("lan", False, actor="admin")
    assert engine.identity.check_password("lan", PASSWORD) is None
    with pytest.raises(NotFound):
        engine.identity.actor("lan")
    assert not next(u for u in engine.identity.list_users() if u.username == "lan").active
    engine.identity.set_active("lan", True, actor="admin")
    assert engine.identity.check_password("lan", PASSWORD) is not None


def test_set_active_of_unknown_user_is_not_found(engine: Engine) -> None:
    before = event_count(engine)
    with pytest.raises(NotFound):
        engine.identity.set_active("nobody", False, actor="admin")
    assert event_count(engine) == before, "a refused change records nothing"


# -- the audit trail ----------------------------------------------------------------------------------------


def test_creating_a_user_records_one_event_without_the_password(engine: Engine) -> None:
    engine.identity.ensure_user(
        "lan",
        display_name="Nguyễn Thị Lan",
        groups=["thue", "appraiser"],
        unit="so-tc",
        password=PASSWORD,
        actor="admin",
    )
    (created,) = user_events(engine, "lan")
    assert (created.actor, created.action, created.instance_id, created.before) == ("admin", "user_created", None, None)
    assert created.after == {
        "display_name": "Nguyễn Thị Lan",
        "unit": "so-tc",
        "groups": ["appraiser", "thue"],
        "is_admin": False,
        "email": None,
    }
    assert created.details == {"username": "lan", "password_changed": True}
    text = audited_text(created)
    assert PASSWORD not in text and password_hash(engine, "lan") not in text
    engine.identity.ensure_user("binh-moi", groups=["desk"], actor="admin")
    (without,) = user_events(engine, "binh-moi")
    assert without.details == {"username": "binh-moi"}, "no password: nothing said about one"


def test_an_update_records_the_changed_fields_only(engine: Engine) -> None:
    engine.identity.ensure_user("lan", groups=["appraiser"], unit="so-noi-vu", password=PASSWORD, actor="admin")
    first_hash = password_hash(engine, "lan")
    engine.identity.ensure_user(
        "lan", groups=["desk", "appraiser"], unit="so-tc", password="mật khẩu mới 2026", is_admin=True, actor="admin"
    )
    created, updated = user_events(engine, "lan")
    assert (updated.actor, updated.action) == ("admin", "user_updated")
    assert updated.before == {"unit": "so-noi-vu", "groups": ["appraiser"], "is_admin": False}
    assert updated.after == {"unit": "so-tc", "groups": ["appraiser", "desk"], "is_admin": True}
    assert updated.details == {"username": "lan", "password_changed": True}
    text = audited_text(updated)
    assert "mật khẩu mới" not in text and first_hash not in text and password_hash(engine, "lan") not in text
    engine.identity.ensure_user("lan", groups=["appraiser", "desk"], unit="so-tc", is_admin=True, actor="admin")
    assert len(user_events(engine, "lan")) == 2, "a call that changes nothing records nothing"
    engine.identity.ensure_user("lan", groups=["appraiser", "desk"], unit="so-tc", is_admin=True, password="x" * 8)
    password_only = user_events(engine, "lan")[-1]
    assert (password_only.actor, password_only.before, password_only.after) == ("system", None, None)
    assert password_only.details == {"username": "lan", "password_changed": True}


def test_invalid_user_name_records_nothing(engine: Engine) -> None:
    before = event_count(engine)
    with pytest.raises(InvalidInput):
        engine.identity.ensure_user("x" * 101, actor="admin")
    assert event_count(engine) == before


def test_deactivating_and_reactivating_record_one_event_each(engine: Engine) -> None:
    engine.identity.set_active("an", False, actor="admin")
    engine.identity.set_active("an", False, actor="admin")  # already so: no change, no event
    engine.identity.set_active("an", True, actor="admin")
    created, off, on = user_events(engine, "an")
    assert (created.actor, created.action) == ("system", "user_created"), "the fixture's seeding"
    assert (off.actor, off.action) == ("admin", "user_deactivated")
    assert (off.before, off.after) == ({"active": True}, {"active": False})
    assert (on.actor, on.action) == ("admin", "user_reactivated")
    assert (on.before, on.after) == ({"active": False}, {"active": True})
    assert off.details == on.details == {"username": "an"}


def test_the_built_in_administrator_is_created_once_by_the_system(engine: Engine) -> None:
    engine.ensure_admin()
    (created,) = user_events(engine, "admin")
    assert (created.actor, created.action, created.after["is_admin"]) == ("system", "user_created", True)


def test_administration_lists_events_without_an_instance_newest_first(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    engine.runtime.start("user_task", actor="admin")
    engine.identity.set_active("an", False, actor="admin")
    everything = engine.history.administration(100)
    assert {e.action for e in everything} == {"deployed", "user_created", "user_deactivated"}
    assert all(e.instance_id is None for e in everything)
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    assert [e.action for e in engine.history.administration(1)] == ["user_deactivated"]
    assert {e.action for e in engine.history.administration(100, ["deployed"])} == {"deployed"}


def test_only_an_active_administrator_changes_users_and_nobody_locks_themself_out(engine: Engine) -> None:
    """The checks run inside the command, whichever page or command calls it; a refusal records nothing."""
    engine.identity.ensure_user("quantri", groups=[], is_admin=True, actor="admin")
    before = event_count(engine)
    with pytest.raises(PermissionDenied):
        engine.identity.ensure_user("lan", groups=["desk"], actor="an")
    with pytest.raises(PermissionDenied):
        engine.identity.set_active("quantri", False, actor="an")
    with pytest.raises(InvalidInput) as taken:
        engine.identity.ensure_user("an", groups=["desk"], password=PASSWORD, actor="admin", new=True)
    assert taken.value.fields == {"username": ["exists"]}
    with pytest.raises(InvalidInput) as own:
        engine.identity.set_active("quantri", False, actor="quantri")
    assert own.value.fields == {"active": ["not yourself"]}
    with pytest.raises(InvalidInput):
        engine.identity.ensure_user("quantri", groups=["designer"], is_admin=False, actor="quantri")
    assert event_count(engine) == before and engine.identity.actor("quantri").is_admin
    assert "lan" not in {u.username for u in engine.identity.list_users()}
    engine.identity.set_active("quantri", False, actor="admin")
    with pytest.raises(PermissionDenied):
        engine.identity.ensure_user("lan", groups=["desk"], actor="quantri")
