"""Assembling a running product: the engine with the domain handlers, the shipped processes, demo users."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path

import click

import handlers
from engine import Engine, Settings
from engine.identity import SYSTEM_ACTOR
from engine.migrations import upgrade
from engine.registry import HandlerRegistry
from handlers import migrations as domain_migrations
from handlers.domain import Domain
from handlers.storage import LocalStore

PROCESSES_DIR = Path(__file__).resolve().parent.parent / "processes"
BUNDLE_SUFFIXES = (".bpmn", ".dmn", ".json")

#: Demo people: (user name, display name, groups, unit).
DEMO_USERS = [
    ("motcua", "Nguyễn Thị Một Cửa", ["desk"], "so-noi-vu"),
    ("truongphong", "Trần Văn Trưởng Phòng", ["division_head"], "so-noi-vu"),
    ("thamdinh", "Lê Thị Thẩm Định", ["appraiser"], "so-noi-vu"),
    ("thuky", "Phạm Văn Thư Ký", ["council_secretary"], "so-noi-vu"),
    ("lanhdao", "Hoàng Văn Lãnh Đạo", ["leader"], "ubnd-tinh"),
    ("giamsat", "Vũ Thị Giám Sát", ["supervisor"], "so-noi-vu"),
    ("thietke", "Đỗ Văn Thiết Kế", ["designer"], "so-noi-vu"),
]


def build_domain(settings: Settings) -> Domain:
    """The engine with the domain's handlers, and the domain services over it (files in ``storage_dir``)."""
    store = LocalStore(Path(settings.storage_dir))
    engine = Engine(settings, handlers=handlers.register(HandlerRegistry(), store=store))
    return Domain(engine, store)


def migrate(url: str) -> None:
    """Bring the engine's tables and the award domain's (their own version location) to their heads."""
    upgrade(url, version_locations=[domain_migrations.VERSIONS])


def bundle_files(paths: Iterable[Path]) -> dict[str, bytes]:
    """Read files (directories: every .bpmn/.dmn/.json inside) into a bundle keyed by file name."""
    files: dict[str, bytes] = {}
    for path in paths:
        candidates = sorted(p for p in path.rglob("*") if p.suffix in BUNDLE_SUFFIXES) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.name in files:
                raise click.ClickException(f"two files named {candidate.name} in one bundle")
            files[candidate.name] = candidate.read_bytes()
    return files


def prepare(settings: Settings, *, demo: bool) -> Domain:
    """Migrate, load the award catalogue, deploy the shipped processes (new versions only when they changed),
    seed demo users."""
    if settings.database_url.startswith("sqlite:///") and not settings.database_url.startswith("sqlite:////"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    domain = build_domain(settings)
    domain.dossiers.load_catalogue()
    engine = domain.engine
    engine.ensure_admin()
    files = bundle_files([PROCESSES_DIR]) if PROCESSES_DIR.is_dir() else {}
    if files:
        result = engine.repository.deploy(files, actor=settings.admin_user, name="shipped processes")
        for definition in result.definitions:
            click.echo(f"deployed {definition.key} version {definition.version}")
    if demo:
        password = secrets.token_urlsafe(9)
        for username, display, groups, unit in DEMO_USERS:
            engine.identity.ensure_user(
                username, display_name=display, groups=groups, unit=unit, password=password, actor=SYSTEM_ACTOR
            )
        click.echo(f"demo users: {', '.join(u for u, *_ in DEMO_USERS)}; password for this run: {password}")
    return domain
