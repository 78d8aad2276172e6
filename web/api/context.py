"""What a view needs from the app: the engine, the award domain and the caller (kept apart so blueprints
import no app)."""

from __future__ import annotations

from engine.identity import Actor
from web.auth import current_actor, current_username
from web.services import domain, engine

__all__ = ["actor", "domain", "engine", "username"]


def actor() -> Actor:
    return current_actor()


def username() -> str:
    """The caller's name, for the commands that check the caller themselves (``web.auth.CHECKED_BY_THE_COMMAND``)."""
    return current_username()
