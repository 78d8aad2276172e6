"""Assembling a running product: the engine with the domain handlers, the shipped processes, demo users."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

import handlers
from engine import Engine, Settings
from engine.identity import SYSTEM_ACTOR
from engine.migrations import upgrade
from engine.registry import HandlerRegistry
from handlers import migrations as domain_migrations
from handlers.domain import Domain
from handlers.storage import LocalStore, Store
from web import task_pages

PROCESSES_DIR = Path(__file__).resolve().parent.parent / "processes"
BUNDLE_SUFFIXES = (".bpmn", ".dmn", ".json")
#: the name of the deployments `serve` makes of the shipped processes (another name is a designer's)
SHIPPED = "shipped processes"

#: Demo people: (user name, display name, groups, unit). Line agencies' accounts carry the
#: ``line_agency`` group (settings.cross_unit_groups): their cross-checks reach them from every unit. The
#: province's leader and records clerk act on the dossiers the Department of Home Affairs runs, so they are of
#: its unit (a unit is where a person acts; another unit's dossiers are out of reach).
DEMO_USERS = [
    ("motcua", "Nguyễn Thị Một Cửa", ["desk"], "so-noi-vu"),
    ("motcua2", "Phan Thị Thu Trang", ["desk"], "so-noi-vu"),
    ("truongphong", "Trần Văn Trưởng Phòng", ["division_head"], "so-noi-vu"),
    ("thamdinh", "Lê Thị Thẩm Định", ["appraiser"], "so-noi-vu"),
    ("thamdinh2", "Võ Minh Tuấn", ["appraiser"], "so-noi-vu"),
    ("thuky", "Phạm Văn Thư Ký", ["council_secretary"], "so-noi-vu"),
    ("lanhdao", "Hoàng Văn Lãnh Đạo", ["leader"], "so-noi-vu"),
    ("vanthu", "Đinh Thị Hằng", ["records"], "so-noi-vu"),
    ("giamsat", "Vũ Thị Giám Sát", ["supervisor"], "so-noi-vu"),
    ("thietke", "Đỗ Văn Thiết Kế", ["designer"], "so-noi-vu"),
    ("thue", "Cán bộ Thuế tỉnh", ["agency_tax", "line_agency"], "thue-tinh"),
    ("bhxh", "Cán bộ Bảo hiểm xã hội", ["agency_insurance", "line_agency"], "bhxh-tinh"),
    ("congan", "Cán bộ Công an tỉnh", ["agency_police", "line_agency"], "cong-an-tinh"),
    ("thanhtra", "Cán bộ Thanh tra tỉnh", ["agency_inspectorate", "line_agency"], "thanh-tra-tinh"),
    # the head of the area cluster in 2026 (UBND thành phố An Bình) and a member unit's emulation officer
    ("truongcum", "Ngô Thị Trưởng Cụm", ["cluster_head", "cluster_member"], "ubnd-tp"),
    ("thanhviencum", "Bùi Văn Thành Viên", ["cluster_member"], "ubnd-hl"),
    # the other member units' emulation officers: the demo runs the cluster's year with them (web.office_clusters)
    ("tdkt-tanminh", "Lê Thị Minh Thư", ["cluster_member"], "ubnd-tm"),
    ("tdkt-phudien", "Trần Quốc Bảo", ["cluster_member"], "ubnd-pd"),
    ("tdkt-binhson", "Phạm Thị Ngọc Ánh", ["cluster_member"], "ubnd-bs"),
    ("tdkt-donghai", "Hoàng Đức Trung", ["cluster_member"], "ubnd-dh"),
    ("tdkt-tanxuan", "Đặng Thị Thu Hà", ["cluster_member"], "ubnd-tx"),
    ("tdkt-vinhloc", "Vũ Minh Khôi", ["cluster_member"], "ubnd-vl"),
]


def build_domain(settings: Settings, store: Store | None = None) -> Domain:
    """The engine with the domain's handlers, and the domain services over it (files in ``storage_dir``)."""
    store = store or LocalStore(Path(settings.storage_dir))
    engine = Engine(settings, handlers=handlers.register(HandlerRegistry(), store=store))
    task_pages.install(engine)
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


def prepare(
    settings: Settings,
    *,
    demo: bool,
    password: str | None = None,
    store: Store | None = None,
    sign_in: bool = True,
) -> Domain:
    """Migrate, load the award catalogue, deploy the shipped processes (new versions only when they changed),
    seed the admin's sign-in and the demo users (``password``: theirs, else one made up and printed; without
    ``sign_in``, a scratch database nobody signs in to, the people have no password: hashing one costs 75 ms)."""
    if settings.database_url.startswith("sqlite:///") and not settings.database_url.startswith("sqlite:////"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    domain = build_domain(settings, store)
    domain.dossiers.load_catalogue()
    domain.clusters.load_shipped()
    engine = domain.engine
    engine.ensure_admin()
    files = bundle_files([PROCESSES_DIR]) if PROCESSES_DIR.is_dir() else {}
    if files:
        result = engine.repository.deploy(files, actor=settings.admin_user, name=SHIPPED, keep_others=True)
        for definition in result.definitions:
            click.echo(f"deployed {definition.key} version {definition.version}")
        if result.unchanged:
            click.echo(f"unchanged (already deployed): {', '.join(result.unchanged)}")
        for key in result.kept:
            latest = engine.repository.latest(key)
            click.echo(f"left alone: {key} version {latest.version}, deployed by a designer after the shipped one")
    if sign_in:
        seed_people(engine, settings.admin_user, DEMO_USERS if demo else [], password)
    else:
        for username, display, groups, unit in DEMO_USERS if demo else []:
            engine.identity.ensure_user(username, display_name=display, groups=groups, unit=unit, actor=SYSTEM_ACTOR)
    return domain


def seed_people(
    engine: Engine, admin: str, people: Sequence[tuple[str, str, list[str], str]], password: str | None
) -> None:
    """Give the administrator a password and create the missing demo people, all with one password printed
    once. A restart changes nobody: whoever exists keeps their password, groups and unit (``password`` given:
    it becomes everyone's, said so)."""
    existing = {u.username: u for u in engine.identity.list_users()}
    admin_view = existing.get(admin)
    missing = [p for p in people if p[0] not in existing]
    needs_admin = admin_view is None or not admin_view.has_password or password is not None
    if not missing and not needs_admin:
        click.echo(f"sign-in: {admin} and the demo users keep their passwords (awardflow user passwd NAME sets one)")
        return
    chosen = password or secrets.token_urlsafe(9)
    for username, display, groups, unit in people:
        if username in existing and password is None:
            continue
        engine.identity.ensure_user(
            username, display_name=display, groups=groups, unit=unit, password=chosen, actor=SYSTEM_ACTOR
        )
    if needs_admin:
        engine.identity.ensure_user(admin, password=chosen, is_admin=True, actor=SYSTEM_ACTOR)
    named = [admin] * needs_admin + [p[0] for p in people if password is not None or p[0] not in existing]
    click.echo(f"sign-in: {', '.join(named)}; password: {chosen}")
