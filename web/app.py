"""The Flask application factory: a thin layer over the engine."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template_string

from engine import Engine, Settings
from engine.errors import AwardflowError, ConcurrentModification, Conflict, InvalidInput, NotFound, PermissionDenied
from web.boot import build_engine

STATUS = [(NotFound, 404), (PermissionDenied, 403), (InvalidInput, 422), (ConcurrentModification, 409), (Conflict, 409)]

HOME = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>awardflow</title></head>
<body><h1>awardflow — Hồ sơ thi đua, khen thưởng</h1>
<p>Quy trình đã triển khai / Deployed processes:</p>
<ul>{% for d in definitions %}<li>{{ d.key }} — phiên bản {{ d.version }}
 ({{ d.running_instances }} hồ sơ đang xử lý)</li>{% else %}<li>(chưa có)</li>{% endfor %}</ul>
</body></html>"""


def create_app(test_config: dict[str, Any] | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the app around ``engine`` (or one built from the environment and ``test_config``)."""
    app = Flask(__name__)
    app.config.from_mapping(test_config or {})
    app.extensions["awardflow"] = engine or build_engine(Settings.from_env(**app.config.get("AWARDFLOW", {})))

    @app.errorhandler(AwardflowError)
    def engine_error(err: AwardflowError) -> Any:
        status = next(code for kind, code in STATUS if isinstance(err, kind)) if _known(err) else 400
        return jsonify(err.to_dict()), status

    @app.get("/")
    def home() -> str:
        return render_template_string(HOME, definitions=app.extensions["awardflow"].repository.definitions())

    @app.get("/api/health")
    def health() -> Any:
        return jsonify({"status": "ok"})

    return app


def _known(err: AwardflowError) -> bool:
    return any(isinstance(err, kind) for kind, _ in STATUS)
