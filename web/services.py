"""The one way web code (API views, pages, sign-in) reaches the engine and the award domain built at boot."""

from __future__ import annotations

from flask import current_app

from engine import Engine
from handlers.domain import Domain

__all__ = ["DOMAIN_KEY", "ENGINE_KEY", "domain", "engine"]

ENGINE_KEY = "awardflow"
DOMAIN_KEY = "awardflow_domain"


def engine() -> Engine:
    found: Engine = current_app.extensions[ENGINE_KEY]
    return found


def domain() -> Domain:
    found: Domain = current_app.extensions[DOMAIN_KEY]
    return found
