"""Users, groups (BPMN lanes map to groups) and the built-in administrator."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine import history
from engine.db import Database
from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.models import Membership, User

#: Who the audit trail names for a change no person made: setup, the built-in administrator, demo users.
SYSTEM_ACTOR = "system"
#: The audit actions of user administration (the users page lists them).
USER_ACTIONS = ("user_created", "user_updated", "user_deactivated", "user_reactivated")
#: the field messages of refused user changes (pages show them in their language)
USER_EXISTS = "exists"
NOT_SELF = "not yourself"


@dataclass(frozen=True)
class Actor:
    """The person an operation runs for, as the services check it."""

    username: str
    groups: frozenset[str] = frozenset()
    unit: str | None = None
    is_admin: bool = False


@dataclass(frozen=True)
class UserView:
    """A user as the administration page lists it (never the password hash)."""

    username: str
    display_name: str
    unit: str | None
    groups: tuple[str, ...]
    is_admin: bool
    active: bool
    has_password: bool
    email: str | None = None


@dataclass(frozen=True)
class Member:
    """A member of a group, as a list of whom a task may be given to names them."""

    username: str
    display_name: str


#: The query of :func:`members`, built once: a step's checks ask it (the division head's choice of appraiser).
_MEMBERS = (
    select(User.username, User.display_name)
    .join(Membership, Membership.user_id == User.id)
    .where(
        Membership.group == bindparam("group"), User.active.is_(True), User.unit.is_not_distinct_from(bindparam("unit"))
    )
    .order_by(User.display_name, User.username)
)


def members(session: Session, group: str, unit: str | None) -> list[Member]:
    """The active members of ``group`` working in ``unit``, by display name: whom a task of that group in that
    unit may be given to. Plain rows: loading users as objects (with their memberships) cost ten times more."""
    rows = session.connection().execute(_MEMBERS, {"group": group, "unit": unit})
    return [Member(r.username, r.display_name) for r in rows]


#: The query of :func:`actor_of`, built once: every command runs it, and building it cost more than running it.
_ACTOR = (
    select(User.username, User.unit, User.is_admin, Membership.group)
    .outerjoin(Membership, Membership.user_id == User.id)
    .where(User.username == bindparam("username"), User.active.is_(True))
)


def actor_of(session: Session, username: str) -> Actor:
    """Load the actor for ``username`` (one query: every command starts here); unknown or inactive users
    are refused."""
    rows = session.execute(_ACTOR, {"username": username}).all()
    if not rows:
        raise NotFound(f"no active user named {username!r}")
    first = rows[0]
    return Actor(first.username, frozenset(r.group for r in rows if r.group is not None), first.unit, first.is_admin)


class IdentityService:
    """Creates and reads users; passwords are stored hashed only."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def actor(self, username: str) -> Actor:
        with self.db.reading() as session:
            return actor_of(session, username)

    def ensure_user(
        self,
        username: str,
        *,
        display_name: str | None = None,
        groups: Iterable[str] = (),
        unit: str | None = None,
        password: str | None = None,
        is_admin: bool = False,
        email: str | None = None,
        actor: str = SYSTEM_ACTOR,
        new: bool = False,
    ) -> Actor:
        """Create the user, or bring an existing one's groups, unit and flags up to date, audited as ``actor``
        (user_created / user_updated; a call that changes nothing records nothing). ``password`` and ``email``
        None leave them as they are (an empty e-mail clears it: reminders then reach the user in the app only).
        ``new``: only create (an existing name is refused, field ``username``).
        InvalidInput; PermissionDenied when ``actor`` is not an active administrator.
        Administrators (the users page, the command line); setup and demo seeding as :data:`SYSTEM_ACTOR`.
        Nobody takes their own administrator's right away."""
        if not username or len(username) > 100:
            raise InvalidInput("invalid user name", {"username": ["1 to 100 characters"]})
        with self.db.transaction() as session:
            _require_admin(session, actor)
            user = session.scalar(select(User).where(User.username == username))
            if user is not None and new:
                raise InvalidInput(f"user {username} exists", {"username": [USER_EXISTS]})
            if user is not None and username == actor and user.is_admin and not is_admin:
                raise InvalidInput("administrators cannot lock themselves out", {"roles": [NOT_SELF]})
            before = None if user is None else _profile(user)
            if user is None:
                user = User(username=username, display_name=display_name or username)
                session.add(user)
            elif display_name:
                user.display_name = display_name
            user.unit = unit
            user.is_admin = is_admin
            if password is not None:
                user.password_hash = generate_password_hash(password)
            if email is not None:
                if email and not _is_address(email):
                    raise InvalidInput("invalid e-mail address", {"email": ["not an e-mail address"]})
                user.email = email or None
            wanted = set(groups)
            user.memberships = [m for m in user.memberships if m.group in wanted] + [
                Membership(group=g) for g in sorted(wanted - set(user.groups))
            ]
            session.flush()
            _record_profile(session, actor, username, before, _profile(user), password_changed=password is not None)
            return Actor(user.username, frozenset(wanted), user.unit, user.is_admin)

    def display_names(self) -> dict[str, str]:
        """Every user's full name by user name: what pages, exports and letters show instead of the name."""
        with self.db.reading() as session:
            return dict(session.execute(select(User.username, User.display_name)).tuples().all())

    def list_users(self) -> list[UserView]:
        """Every user, active or not, by user name. Administrators' pages call it."""
        with self.db.reading() as session:
            return [
                UserView(
                    u.username,
                    u.display_name,
                    u.unit,
                    tuple(sorted(u.groups)),
                    u.is_admin,
                    u.active,
                    bool(u.password_hash),
                    u.email,
                )
                for u in session.scalars(select(User).order_by(User.username))
            ]

    def set_active(self, username: str, active: bool, *, actor: str) -> None:
        """Deactivate (or reactivate) a user; an inactive user cannot sign in or act. Audited as ``actor``
        (user_deactivated / user_reactivated) when the state changes. NotFound; InvalidInput for oneself;
        PermissionDenied when ``actor`` is not an active administrator. Administrators."""
        with self.db.transaction() as session:
            _require_admin(session, actor)
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(f"no user named {username!r}")
            if username == actor and not active:
                raise InvalidInput("administrators cannot lock themselves out", {"active": [NOT_SELF]})
            if user.active == active:
                return
            user.active = active
            history.record(
                session,
                actor,
                "user_reactivated" if active else "user_deactivated",
                before={"active": not active},
                after={"active": active},
                details={"username": username},
            )

    def check_password(self, username: str, password: str) -> Actor | None:
        """The actor if the password matches an active user, else None."""
        with self.db.reading() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None or not user.active or not user.password_hash:
                return None
            if not check_password_hash(user.password_hash, password):
                return None
            return Actor(user.username, frozenset(user.groups), user.unit, user.is_admin)


def _require_admin(session: Session, actor: str) -> None:
    """PermissionDenied unless ``actor`` is the system or an active administrator (checked in the command's
    own transaction, whatever page or command called it)."""
    if actor == SYSTEM_ACTOR:
        return
    row = session.scalar(select(User).where(User.username == actor))
    if row is None or not row.active or not row.is_admin:
        raise PermissionDenied(f"{actor} is not an administrator")


def _is_address(email: str) -> bool:
    """``name@domain.tld``: one @, something before it, a dotted domain after it, no spaces, at most 255."""
    local, at, domain = email.partition("@")
    return (
        bool(at and local and "@" not in domain)
        and "." in domain.strip(".")
        and len(email) <= 255
        and not any(c.isspace() for c in email)
    )


def _profile(user: User) -> dict[str, Any]:
    """What the audit trail keeps of a user: never the password or its hash."""
    return {
        "display_name": user.display_name,
        "unit": user.unit,
        "groups": user.groups,
        "is_admin": user.is_admin,
        "email": user.email,
    }


def _record_profile(
    session: Session,
    actor: str,
    username: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    password_changed: bool,
) -> None:
    """One event for a created user, or for the fields an update changed (a password only as changed)."""
    details: dict[str, Any] = {"username": username}
    if password_changed:
        details["password_changed"] = True
    if before is None:
        history.record(session, actor, "user_created", after=after, details=details)
        return
    changed = [key for key in after if before[key] != after[key]]
    if changed or password_changed:
        history.record(
            session,
            actor,
            "user_updated",
            before={key: before[key] for key in changed} or None,
            after={key: after[key] for key in changed} or None,
            details=details,
        )
