"""What a view needs from the app: the engine and the caller (kept apart so blueprints import no app)."""

from __future__ import annotations

from flask import current_app

from engine import Engine
from engine.identity import Actor
from web.auth import current_actor

__all__ = ["actor", "engine"]


def engine() -> Engine:
    found: Engine = current_app.extensions["awardflow"]
    return found


def actor() -> Actor:
    return current_actor()
