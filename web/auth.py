"""Who is calling and what they may call: sign-in (session cookie or bearer token), CSRF, roles and units.

The policy table below is the one place that says which roles may call which endpoint; a request hook checks
it before any view runs, so a view only meets callers it already admits. Task-level rules (candidate, assignee)
and unit scope are the engine's (:class:`engine.access.AccessPolicy`, checked inside every command); the unit
helpers here ask that policy for the reads of views and pages.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, request, session
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

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
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def issue_token(username: str) -> tuple[str, datetime]:
    """A signed bearer token for scripts and its expiry (no table: the signature and age are the proof)."""
    max_age = int(current_app.config["AWARDFLOW_TOKEN_MAX_AGE"])
    return _serializer().dumps({"u": username}), clock.now() + timedelta(seconds=max_age)


def _token_user(token: str) -> str:
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["AWARDFLOW_TOKEN_MAX_AGE"]))
    except SignatureExpired:
        raise SignInRequired("the token has expired; ask for a new one") from None
    except BadSignature:
        raise SignInRequired("the token is not valid") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str):
        raise SignInRequired("the token is not valid")
    return str(data["u"])


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


def _identify() -> tuple[Actor, str] | None:
    """The caller and how they proved it ("bearer" or "session"), or None when anonymous."""
    engine = services.engine()
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
    try:
        return engine.identity.actor(username), method
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
    found = _identify()
    if found is None:
        raise SignInRequired("sign in first (POST /api/auth/login) or send a bearer token")
    actor, method = found
    g.actor = actor
    if method == "session" and request.method not in SAFE_METHODS:
        _check_csrf()
    if entry is None or not allowed(actor, entry):
        raise RoleRefused(f"{actor.username} may not call {request.method} {request.url_rule.rule}")


def current_actor() -> Actor:
    """The signed-in caller of this request (set by :func:`enforce_policy`)."""
    actor: Actor = g.actor
    return actor


def init_app(app: Flask) -> None:
    app.before_request(enforce_policy)


def user_json(actor: Actor) -> dict[str, Any]:
    return {
        "username": actor.username,
        "groups": sorted(actor.groups),
        "roles": sorted(roles_of(actor)),
        "unit": actor.unit,
        "is_admin": actor.is_admin,
    }
