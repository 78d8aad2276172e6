"""Sign-in for people (session cookie + CSRF token) and for scripts (bearer token)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.identity import Actor
from web import auth
from web.api.context import actor, engine
from web.api.schemas import CredentialsSchema, CsrfSchema, SignedInSchema, TokenSchema, UserSchema

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Sign in and out; tokens for scripts.")


def _checked(credentials: dict[str, str]) -> Actor:
    found = engine().identity.check_password(credentials["username"], credentials["password"])
    if found is None:
        raise auth.SignInRequired("wrong user name or password")
    return found


@blp.route("/login")
class Login(MethodView):
    @blp.doc(security=[])
    @blp.arguments(CredentialsSchema)
    @blp.response(200, SignedInSchema)
    def post(self, credentials: dict[str, str]) -> dict[str, Any]:
        """Sign in: sets the session cookie; returns the CSRF token for state-changing calls."""
        signed_in = _checked(credentials)
        return {"user": auth.user_json(signed_in), "csrf_token": auth.sign_in(signed_in)}


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self) -> None:
        """Sign out: the session is dropped."""
        auth.sign_out()


@blp.route("/token")
class Token(MethodView):
    @blp.doc(security=[])
    @blp.arguments(CredentialsSchema)
    @blp.response(200, TokenSchema)
    def post(self, credentials: dict[str, str]) -> dict[str, Any]:
        """A bearer token for scripts (send ``Authorization: Bearer <token>``; no CSRF token needed)."""
        token, expires_at = auth.issue_token(_checked(credentials).username)
        return {"token": token, "token_type": "Bearer", "expires_at": expires_at}


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self) -> dict[str, Any]:
        """The signed-in user with their roles and unit."""
        return auth.user_json(actor())


@blp.route("/csrf")
class Csrf(MethodView):
    @blp.doc(security=[])
    @blp.response(200, CsrfSchema)
    def get(self) -> dict[str, str]:
        """The session's CSRF token (send it as ``X-CSRF-Token``)."""
        return {"csrf_token": auth.csrf_token()}
