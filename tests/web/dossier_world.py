"""An app on the shipped processes with the domain handlers and a file store, for the dossier API and pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

import handlers
import handlers.models  # noqa: F401  (the domain tables)
from engine import Engine, Settings
from engine.db import Database
from engine.registry import HandlerRegistry
from handlers.domain import Domain
from handlers.storage import LocalStore
from tests.web.conftest import PEOPLE
from web.app import create_app
from web.boot import PROCESSES_DIR, bundle_files

PDF = b"%PDF-1.4\n% test paper\n"
CSTD_TINH_PAPERS = ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN")
#: the council secretary of the shipped processes' lanes, and the roles that work the rest
EXTRA = {"thuky": ["council_secretary"], "motcua": ["desk"]}


def domain_engine(database: Database, files: Path) -> Domain:
    """The domain over an engine with the domain handlers writing to ``files``, the shipped processes, one user
    per role."""
    store = LocalStore(files)
    registry = handlers.register(HandlerRegistry(), store=store)
    engine = Engine(Settings(database_url=database.url, script_time_limit_s=2), handlers=registry, database=database)
    engine.ensure_admin()
    for name, (groups, unit) in PEOPLE.items():
        engine.identity.ensure_user(name, groups=groups, unit=unit)
    for name, groups in EXTRA.items():
        engine.identity.ensure_user(name, groups=groups, unit="so-noi-vu")
    engine.repository.deploy(bundle_files([PROCESSES_DIR]), actor="admin", name="shipped processes")
    domain = Domain(engine, store)
    domain.dossiers.load_catalogue()
    return domain


def domain_app(domain: Domain, **config: Any) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-not-for-production", **config}, domain=domain)


def star(name: str = "Nguyễn Thị Hoa", gender: str = "nu") -> dict[str, Any]:
    """A nominee for Chiến sĩ thi đua cấp tỉnh who meets its rules."""
    return {
        "name": name,
        "gender": gender,
        "position": "Giáo viên",
        "is_leader": False,
        "unit": "Trường THPT Chuyên",
        "facts": {
            "titles": [{"year": y, "title": "CSTD_CS"} for y in (2023, 2024, 2025)],
            "initiatives": [{"scope": "tinh"}],
        },
    }


def submission(award_type: str = "CSTD_TINH", papers: tuple[str, ...] = CSTD_TINH_PAPERS, **extra: Any) -> dict:
    return {
        "award_type": award_type,
        "unit": "so-gd",
        "unit_name": "Sở Giáo dục và Đào tạo",
        "achievement_year": 2025,
        "nominees": [star()],
        "papers": [{"code": c, "file": f"{c.lower()}.pdf"} for c in papers],
        **extra,
    }


def files_of(papers: tuple[str, ...] = CSTD_TINH_PAPERS) -> list[tuple[Any, str]]:
    import io

    return [(io.BytesIO(PDF + c.encode()), f"{c.lower()}.pdf") for c in papers]


def signed_in(app: Flask, engine: Engine, username: str, groups: list[str], unit: str = "so-noi-vu") -> Any:
    """A test client signed in through the login form, and the session's CSRF token."""
    import re

    from tests.web.conftest import PASSWORD

    engine.identity.ensure_user(username, groups=groups, unit=unit, password=PASSWORD)
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    assert done.status_code == 302
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/danh-muc").get_data(as_text=True))
    assert token is not None, "signing in starts a new session with a new token"
    return client, token.group(1)
