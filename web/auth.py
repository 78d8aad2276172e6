"""Who is calling and what they may call: sign-in (session cookie or bearer token), CSRF, roles and units.

The policy table below is the one place that says which roles may call which endpoint; a request hook checks
it before any view runs, so a view only meets callers it already admits. Task-level rules (candidate, assignee)
and unit scope are the engine's (:class:`engine.access.AccessPolicy`, checked inside every command); the unit
helpers here ask that policy for the reads of views and pages.
"""

from __future__ import annotations

import functools
import hmac
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine import clock
from engine.access import AccessPolicy
from engine.errors import NotFound
from engine.identity import Actor
from engine.tasks import TaskView
from web import services

__all__ = [
    "POLICY",
    "PUBLIC",
    "ROLES",
    "SIGNED_IN",
    "allowed",
    "current_actor",
    "current_username",
    "issue_token",
    "policy_for",
    "roles_of",
]

ROLES = (
    "desk",
    "appraiser",
    "division_head",
    "line_agency",
    "council_secretary",
    "leader",
    "supervisor",
    "designer",
    "admin",
)

PUBLIC = "public"
SIGNED_IN = "signed in"
Rule = str | frozenset[str]

ADMIN = frozenset({"admin"})
DEPLOYERS = frozenset({"designer", "admin"})
STARTERS = frozenset({"desk", "admin"})
MIGRATORS = frozenset({"designer", "admin"})
EVENT_SENDERS = frozenset({"desk", "admin"})
#: who may send the apology and move a due date: the people working the dossier, and the administrator
RESCHEDULERS = frozenset({"appraiser", "division_head", "desk", "admin"})
#: who reads the on-time and overdue reports
REPORT_READERS = frozenset({"supervisor", "division_head", "leader", "admin"})
#: domain.md: the process designer maintains the calendar (swaps and extra days from official notices)
CALENDAR_KEEPERS = frozenset({"designer", "admin"})

#: "METHOD rule" (as in the app's url_map) -> PUBLIC, SIGNED_IN or the roles allowed. Missing = refused.
POLICY: dict[str, Rule] = {
    "GET /api/health": PUBLIC,
    "GET /api/openapi.json": PUBLIC,
    "GET /api/docs": PUBLIC,
    "GET /api/docs/static/<path:filename>": PUBLIC,
    # auth
    "POST /api/auth/login": PUBLIC,
    "POST /api/auth/token": PUBLIC,
    "GET /api/auth/csrf": PUBLIC,
    "POST /api/auth/logout": SIGNED_IN,
    "GET /api/auth/me": SIGNED_IN,
    # definitions
    "GET /api/definitions": SIGNED_IN,
    "POST /api/definitions": DEPLOYERS,
    "POST /api/definitions/validate": DEPLOYERS,
    "GET /api/definitions/<key>/xml": SIGNED_IN,
    "GET /api/definitions/<key>/versions/<int:version>/xml": SIGNED_IN,
    # the designer's editor
    "GET /api/designer/catalog": DEPLOYERS,
    "POST /api/designer/script-check": DEPLOYERS,
    "POST /api/designer/timer-preview": DEPLOYERS,
    # instances
    "GET /api/instances": SIGNED_IN,
    "POST /api/instances": STARTERS,
    "GET /api/instances/<int:instance_id>": SIGNED_IN,
    "GET /api/instances/<int:instance_id>/history": SIGNED_IN,
    "POST /api/instances/<int:instance_id>/suspend": ADMIN,
    "POST /api/instances/<int:instance_id>/resume": ADMIN,
    "POST /api/instances/<int:instance_id>/cancel": ADMIN,
    "POST /api/instances/<int:instance_id>/retry": ADMIN,
    "POST /api/instances/<int:instance_id>/migrate": MIGRATORS,
    "GET /api/instances/<int:instance_id>/slip": SIGNED_IN,
    "POST /api/instances/<int:instance_id>/reschedule": RESCHEDULERS,
    # reports and notifications
    "GET /api/reports/on-time": REPORT_READERS,
    "GET /api/reports/pending": REPORT_READERS,
    "GET /api/reports/late": REPORT_READERS,
    "GET /api/notifications": SIGNED_IN,
    # tasks: who may claim or complete is the engine's rule (candidate group, assignee)
    "GET /api/tasks": SIGNED_IN,
    "GET /api/tasks/<task_id>": SIGNED_IN,
    "GET /api/tasks/<task_id>/form": SIGNED_IN,
    "POST /api/tasks/<task_id>/claim": SIGNED_IN,
    "POST /api/tasks/<task_id>/unclaim": SIGNED_IN,
    "POST /api/tasks/<task_id>/assign": SIGNED_IN,
    "POST /api/tasks/<task_id>/delegate": SIGNED_IN,
    "POST /api/tasks/<task_id>/resolve": SIGNED_IN,
    "POST /api/tasks/<task_id>/complete": SIGNED_IN,
    # calendar
    "GET /api/calendar/days": SIGNED_IN,
    "GET /api/calendar/due": SIGNED_IN,
    "POST /api/calendar/swaps": CALENDAR_KEEPERS,
    "POST /api/calendar/holidays": CALENDAR_KEEPERS,
    "POST /api/calendar/workdays": CALENDAR_KEEPERS,
    "DELETE /api/calendar/days/<day:day>": CALENDAR_KEEPERS,
    # events
    "POST /api/messages": EVENT_SENDERS,
    "POST /api/signals": EVENT_SENDERS,
    # dossiers at the desk (unit-scoped) and the public look-up
    "GET /api/dossiers": SIGNED_IN,
    "POST /api/dossiers": STARTERS,
    "GET /api/dossiers/<code>": SIGNED_IN,
    "POST /api/dossiers/<code>/papers": STARTERS,
    "GET /api/dossiers/<code>/documents": SIGNED_IN,
    "GET /api/dossiers/<code>/documents/<int:document_id>": SIGNED_IN,
    "POST /api/dossiers/<code>/supplement": STARTERS,
    "POST /api/dossiers/<code>/withdraw": STARTERS,
    "POST /api/dossiers/<code>/reschedule": RESCHEDULERS,
    "GET /api/public/dossiers/<code>": PUBLIC,
    # emulation clusters: readable when signed in; each change checks inside its transaction that the caller is
    # the year's head (group cluster_head, the head unit) or a member unit's officer (cluster_member)
    "GET /api/clusters": SIGNED_IN,
    "GET /api/clusters/progress": SIGNED_IN,
    "GET /api/clusters/mine": SIGNED_IN,
    "GET /api/clusters/rules": SIGNED_IN,
    "POST /api/clusters/rules": DEPLOYERS,
    "GET /api/clusters/<code>/history": SIGNED_IN,
    "GET /api/clusters/<code>/<int:year>": SIGNED_IN,
    "GET /api/clusters/<code>/<int:year>/rules": SIGNED_IN,
    "GET /api/clusters/<code>/<int:year>/standings": SIGNED_IN,
    "GET /api/clusters/<code>/<int:year>/sheets": SIGNED_IN,
    "GET /api/clusters/<code>/<int:year>/evidence/<unit>/<criterion>/<int:index>": SIGNED_IN,
    **{
        f"POST /api/clusters/<code>/<int:year>/{action}": SIGNED_IN
        for action in (
            "open",
            "circulate",
            "pledge",
            "close",
            "evidence",
            "self-score",
            "cross-grades",
            "reconcile",
            "meeting",
            "papers",
            "proposal",
        )
    },
}

#: Commands that load the caller in their own transaction and refuse a user who is not active there (the engine's
#: task commands, ``TaskService._command``): the sign-in check does not read the caller before them. Should such a
#: request fail for any reason, the caller is looked up after all (:func:`refused_caller`), so a user who is no
#: longer active still gets 401, whatever else was wrong with the request.
CHECKED_BY_THE_COMMAND = frozenset(
    f"POST /api/tasks/<task_id>/{action}"
    for action in ("claim", "unclaim", "assign", "delegate", "resolve", "complete")
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
TOKEN_SALT = "awardflow-api-token"


class SignInRequired(Exception):
    """No valid session or bearer token on a request that needs one (401)."""


class RoleRefused(Exception):
    """The caller's roles do not reach this endpoint (403)."""


class CsrfFailed(Exception):
    """A cookie-authenticated state-changing request without the session's CSRF token (400)."""


# -- roles and units ---------------------------------------------------------------------------------------


def roles_of(actor: Actor) -> frozenset[str]:
    """The user's roles: their groups that name a role, plus admin for the engine's administrators."""
    return (actor.groups & (frozenset(ROLES) - ADMIN)) | (ADMIN if actor.is_admin else frozenset())


def policy_for(method: str, rule: str) -> Rule | None:
    """The policy entry of one endpoint (HEAD follows GET)."""
    return POLICY.get(f"{'GET' if method == 'HEAD' else method} {rule}")


def allowed(actor: Actor, entry: Rule) -> bool:
    if entry in (PUBLIC, SIGNED_IN):
        return True
    return bool(roles_of(actor) & frozenset(entry))


def _policy() -> AccessPolicy:
    policy: AccessPolicy = current_app.extensions["awardflow"].access
    return policy


def sees_all_units(actor: Actor) -> bool:
    return _policy().reaches_all(actor)


def cross_unit_groups(actor: Actor) -> tuple[str, ...]:
    """Groups whose tasks the user sees in any unit (a line agency's)."""
    return _policy().task_groups(actor)


def unit_scope(actor: Actor) -> tuple[str | None, ...] | None:
    """The units a user's lists are limited to (None: every unit)."""
    return _policy().units(actor)


def require_unit(actor: Actor, unit: str | None, what: str) -> None:
    """NotFound (not 403: its existence is not told) when ``unit`` is outside the user's reach."""
    _policy().require_unit(actor, unit, what)


def require_task_visible(actor: Actor, task: TaskView) -> None:
    """A task is visible in its unit, to its assignee, and to line agencies among its candidate groups."""
    _policy().require_task(actor, task)


# -- sign-in -----------------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=4)
def _serializer_for(secret_key: str) -> URLSafeTimedSerializer:
    """Built once per key: itsdangerous derives the signing key at construction."""
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


@functools.lru_cache(maxsize=4096)
def _signed(secret_key: str, token: str) -> tuple[str | None, int]:
    """The user a token names (None: no user in it) and when it was signed; its signature is checked on its first
    use only (BadSignature), its age at every use by :func:`_token_user`. A script sends the same token all day."""
    data, signed_at = _serializer_for(secret_key).loads(token, return_timestamp=True)
    user = data.get("u") if isinstance(data, dict) else None
    return (user if isinstance(user, str) else None), int(signed_at.timestamp())


def issue_token(username: str) -> tuple[str, datetime]:
    """A signed bearer token for scripts and its expiry (no table: the signature and age are the proof)."""
    max_age = int(current_app.config["AWARDFLOW_TOKEN_MAX_AGE"])
    return _serializer().dumps({"u": username}), clock.now() + timedelta(seconds=max_age)


def _token_user(token: str) -> str:
    try:
        user, signed_at = _signed(current_app.config["SECRET_KEY"], token)
    except BadSignature:
        raise SignInRequired("the token is not valid") from None
    age = int(time.time()) - signed_at  # the clock itsdangerous signs and checks ages by
    if not 0 <= age <= int(current_app.config["AWARDFLOW_TOKEN_MAX_AGE"]):
        raise SignInRequired("the token has expired; ask for a new one")
    if user is None:
        raise SignInRequired("the token is not valid")
    return user


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def sign_in(actor: Actor) -> str:
    """Start a fresh session for ``actor`` (no fixation: the old one is dropped); returns its CSRF token."""
    session.clear()
    session["user"] = actor.username
    return csrf_token()


def sign_out() -> None:
    session.clear()


def _credentials() -> tuple[str, str] | None:
    """The caller's user name and how they proved it ("bearer" or "session"), or None when anonymous; nothing is
    read from the database."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SignInRequired("the Authorization header must be 'Bearer <token>'")
        username = _token_user(token.strip())
        method = "bearer"
    elif "user" in session:
        username, method = str(session["user"]), "session"
    else:
        return None
    return username, method


def _actor(username: str, method: str) -> Actor:
    """The active user ``username`` (SignInRequired when there is none, and the session ends)."""
    try:
        return services.engine().identity.actor(username)
    except NotFound:
        if method == "session":
            session.clear()
        raise SignInRequired("the user is no longer active") from None


def _check_csrf() -> None:
    expected = session.get("csrf")
    given = request.headers.get(CSRF_HEADER, "")
    if not expected or not given or not hmac.compare_digest(str(expected), given):
        raise CsrfFailed(f"missing or wrong {CSRF_HEADER} header; get one from GET /api/auth/csrf")


def enforce_policy() -> None:
    """Before every /api view: sign-in, CSRF (session callers) and the role table."""
    if not request.path.startswith("/api/") or request.url_rule is None or request.method == "OPTIONS":
        return
    entry = policy_for(request.method, request.url_rule.rule)
    if entry == PUBLIC:
        return
    if request.method in SAFE_METHODS:
        _read_for_the_request()
    found = _credentials()
    if found is None:
        raise SignInRequired("sign in first (POST /api/auth/login) or send a bearer token")
    g.username, g.sign_in = found
    if g.sign_in == "session" and request.method not in SAFE_METHODS:
        _check_csrf()
    if f"{request.method} {request.url_rule.rule}" in CHECKED_BY_THE_COMMAND:
        return
    actor = g.actor = _actor(*found)
    if entry is None or not allowed(actor, entry):
        raise RoleRefused(f"{actor.username} may not call {request.method} {request.url_rule.rule}")


def current_actor() -> Actor:
    """The signed-in caller of this request (checked by :func:`enforce_policy`, or read now for a command that
    checks its caller itself)."""
    if "actor" not in g:
        g.actor = _actor(g.username, g.sign_in)
    actor: Actor = g.actor
    return actor


def current_username() -> str:
    """The signed-in caller's user name: all a command that checks its caller itself needs."""
    return str(g.username)


def refused_caller() -> SignInRequired | None:
    """For a request of :data:`CHECKED_BY_THE_COMMAND` that failed: SignInRequired when its caller is not an active
    user (their request is then answered 401, as the sign-in check would have); None otherwise."""
    if "username" not in g or "actor" in g:
        return None
    try:
        current_actor()
    except SignInRequired as refusal:
        return refusal
    return None


def _read_for_the_request() -> None:
    """An API read's look-ups (the caller's sign-in check and the view's own) share one reading unit: one
    connection from the pool (on PostgreSQL one pre-ping) and, on SQLite, one snapshot, instead of one each."""
    unit = services.engine().db.reading()
    unit.__enter__()
    g.reading_unit = unit


def _end_reading(_error: BaseException | None) -> None:
    unit = g.pop("reading_unit", None)
    if unit is not None:
        unit.__exit__(None, None, None)


def init_app(app: Flask) -> None:
    app.before_request(enforce_policy)
    app.teardown_request(_end_reading)


def user_json(actor: Actor) -> dict[str, Any]:
    return {
        "username": actor.username,
        "groups": sorted(actor.groups),
        "roles": sorted(roles_of(actor)),
        "unit": actor.unit,
        "is_admin": actor.is_admin,
    }
