"""The Flask application factory: a thin layer over the engine (the JSON API now, the pages later)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from engine import Engine, Settings
from handlers.domain import Domain
from handlers.storage import LocalStore
from web import api, auth, boundary, errors, jobs, pages, services, task_pages
from web.boot import build_domain

log = logging.getLogger(__name__)

#: Defaults of the web settings; create_app's ``test_config`` (or a deployment's config) overrides them.
DEFAULTS: dict[str, Any] = {
    #: Largest request body: that of the endpoints taking files (AWARDFLOW_UPLOAD_ENDPOINTS); every other
    #: endpoint takes at most AWARDFLOW_MAX_BODY (web/boundary.py).
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    **boundary.CONFIG,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    #: Seconds a bearer token from POST /api/auth/token stays valid.
    "AWARDFLOW_TOKEN_MAX_AGE": 8 * 3600,
    #: Settings overrides for the engine built from the environment (when no engine is given).
    "AWARDFLOW": {},
}


def _secret_key() -> str:
    """AWARDFLOW_SECRET_KEY, or a random key for this process (sessions and tokens then die with it)."""
    key = os.environ.get("AWARDFLOW_SECRET_KEY")
    if key:
        return key
    log.warning("AWARDFLOW_SECRET_KEY is not set: using a random key; sign-ins end when this process stops")
    return secrets.token_hex(32)


def create_app(
    test_config: dict[str, Any] | None = None, *, engine: Engine | None = None, domain: Domain | None = None
) -> Flask:
    """Build the app around ``domain`` (or the domain over ``engine``, or one built from the environment and
    ``test_config``)."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(test_config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key()
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if domain is None:
        settings = engine.settings if engine else Settings.from_env(**app.config["AWARDFLOW"])
        domain = Domain(engine, LocalStore(Path(settings.storage_dir))) if engine else build_domain(settings)
    app.extensions[services.ENGINE_KEY] = domain.engine
    task_pages.install(domain.engine)
    app.extensions[services.DOMAIN_KEY] = domain

    boundary.init_app(app)  # first: its hook runs before the sign-in's and its converter before any route
    auth.init_app(app)
    api.init_app(app)
    pages.init_app(app)
    errors.register(app)
    jobs.register(app)
    app.config["PAGE_ENDPOINTS"] = frozenset(app.view_functions)
    return app
