"""What a view needs from the app: the engine, the award domain and the caller (kept apart so blueprints
import no app)."""

from __future__ import annotations

from engine.identity import Actor
from web.auth import current_actor
from web.services import domain, engine

__all__ = ["actor", "domain", "engine"]


def actor() -> Actor:
    return current_actor()
