"""Who may open a page: sign-in through the session, roles from the API's policy, CSRF on every form."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import abort, current_app, flash, g, redirect, request, session, url_for

from engine.errors import NotFound
from engine.identity import Actor
from web import i18n, services
from web.auth import csrf_token, roles_of
from web.pages import names

F = TypeVar("F", bound=Callable[..., Any])


def signed_in() -> Actor | None:
    """The person of this browser session, or None. Looked up once per request: the guard, the menu and
    every row of a list ask again."""
    username = session.get("user")
    if not username:
        return None
    known: Actor | None = g.get("actor")
    if known is not None and known.username == username:
        return known
    try:
        g.actor = services.engine().identity.actor(username)
    except NotFound:
        session.clear()
        return None
    return g.actor


def person() -> tuple[str, str]:
    """The signed-in person's full name and unit name, for the header (looked up once per request)."""
    me = signed_in()
    if me is None:
        return "", ""
    known: tuple[str, str] | None = g.get("person")
    if known is None:
        known = g.person = (names.person_name(me.username), services.domain().units.name(me.unit))
    return known


def may_open(endpoint: str) -> bool:
    """Whether the signed-in person may open the page at ``endpoint`` (the menu offers nothing that answers
    403): the roles its :func:`page` guard declares."""
    me = signed_in()
    view = current_app.view_functions.get(endpoint)
    if me is None or view is None:
        return False
    wanted: frozenset[str] = getattr(view, "page_roles", frozenset())
    return not wanted or bool(roles_of(me) & wanted)


def has_role(*roles: str) -> bool:
    me = signed_in()
    return me is not None and bool(roles_of(me) & set(roles))


def form_csrf_token() -> str:
    """The hidden field every page form carries."""
    return csrf_token()


def check_form_csrf() -> None:
    """Refuse a POSTed form whose ``csrf_token`` field does not match the session's."""
    expected, given = session.get("csrf"), request.form.get("csrf_token", "")
    if not expected or not given or not hmac.compare_digest(str(expected), given):
        abort(400, description=i18n.gettext("form.csrf"))


def page(roles: Iterable[str] = ()) -> Callable[[F], F]:
    """A page for signed-in people (with one of ``roles``, if given); forms it receives are CSRF-checked.

    The view gets the signed-in :class:`Actor` as its first argument.
    """
    wanted = frozenset(roles)

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            me = signed_in()
            if me is None:
                flash(i18n.gettext("auth.required"))
                return redirect(url_for("session_pages.login", next=request.full_path))
            if wanted and not (roles_of(me) & wanted):
                abort(403, description=i18n.gettext("auth.forbidden"))
            if request.method == "POST":
                check_form_csrf()
            return view(me, *args, **kwargs)

        guarded.page_roles = wanted  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return wrap
