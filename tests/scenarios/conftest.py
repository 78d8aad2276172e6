"""Scenario tests: the shipped processes deployed on an engine with the domain handlers, the demo roles as
users, a virtual clock, and helpers to submit dossiers and work their tasks as the right people."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import handlers
import handlers.models  # noqa: F401  (the domain tables)
from engine import Engine, Settings, clock
from engine.db import Database
from engine.identity import Actor
from engine.models import SlaClock
from engine.registry import HandlerRegistry
from engine.tasks import TaskView
from handlers.domain import Domain
from handlers.dossier_service import DossierService
from handlers.models import Decision, Document, Dossier, Nominee, StatusChange
from handlers.storage import LocalStore
from web.boot import PROCESSES_DIR, bundle_files

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n% test paper\n"

#: user → groups (the roles of domain.md)
PEOPLE = {
    "motcua": ["desk"],
    "truongphong": ["division_head"],
    "thamdinh": ["appraiser"],
    "thue": ["agency_tax"],
    "bhxh": ["agency_insurance"],
    "congan": ["agency_police"],
    "thanhtra": ["agency_inspectorate"],
    "thuky": ["council_secretary"],
    "lanhdao": ["leader"],
    "vanthu": ["records"],
}
#: who works which task
WORKER = {
    "check_completeness": "motcua",
    "recheck_completeness": "motcua",
    "return_result": "motcua",
    "assign_appraiser": "truongphong",
    "approve_draft": "truongphong",
    "appraise": "thamdinh",
    "draft_submission": "thamdinh",
    "cross_check_thue": "thue",
    "cross_check_bhxh": "bhxh",
    "cross_check_cong_an": "congan",
    "cross_check_thanh_tra": "thanhtra",
    "convene_session": "thuky",
    "record_session": "thuky",
    "chair_tiebreak": "thuky",
    "standing_review": "thuky",
    "sign_decision": "lanhdao",
    "publish_decision": "vanthu",
}


def vn(day: int, month: int, hour: int = 8, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


@dataclass
class World:
    """The engine, its file store and shortcuts a scenario reads like a story with."""

    domain: Domain
    clock: clock.VirtualClock
    codes: list[str] = field(default_factory=list)

    @property
    def engine(self) -> Engine:
        return self.domain.engine

    @property
    def store(self) -> LocalStore:
        assert isinstance(self.domain.store, LocalStore)
        return self.domain.store

    @property
    def dossiers(self) -> DossierService:
        return self.domain.dossiers

    def person(self, username: str) -> Actor:
        return self.engine.identity.actor(username)

    def papers(self, *codes: str) -> list[dict[str, Any]]:
        return [self.dossiers.upload(c, f"{c.lower()}.pdf", PDF + c.encode()) for c in codes]

    def submit(
        self, award_type: str, nominees: list[dict[str, Any]], papers: list[str] | None = None, **extra: Any
    ) -> str:
        rules = self.dossiers.catalogue()
        listed = rules.award(award_type).required_papers if papers is None else papers
        submission = {
            "award_type": award_type,
            "unit": "so-gd",
            "unit_name": "Sở Giáo dục và Đào tạo",
            "title": f"Đề nghị khen thưởng {award_type}",
            "achievement_year": 2025,
            "nominees": nominees,
            "papers": self.papers(*listed),
            **extra,
        }
        return self.dossiers.receive(self.person("motcua"), submission)

    def instance(self, code: str) -> int:
        return self.engine.runtime.list(business_key=code)[0].id

    def ready(self, code: str) -> list[TaskView]:
        return [t for t in self.engine.tasks.for_instance(self.instance(code)) if t.state == "ready"]

    def ready_ids(self, code: str) -> list[str]:
        return sorted(t.element_id for t in self.ready(code))

    def do(self, code: str, element_id: str, data: dict[str, Any] | None = None, user: str | None = None) -> None:
        """The right person claims and completes a ready task."""
        task = next((t for t in self.ready(code) if t.element_id == element_id), None)
        assert task is not None, f"{element_id} is not ready; ready: {self.ready_ids(code)}"
        who = user or WORKER[element_id]
        self.engine.tasks.claim(task.id, who)
        self.engine.tasks.complete(task.id, who, data or {})
        view = self.engine.runtime.get(self.instance(code))
        assert not view.incidents, view.incidents

    def today(self) -> str:
        """The local date of the virtual clock (ISO): a sitting convened for today may be recorded at once."""
        return self.clock.now().astimezone(VN).date().isoformat()

    def later(self, **kwargs: float) -> None:
        self.clock.advance(**kwargs)

    def dossier(self, code: str) -> Dossier:
        with self.engine.db.transaction() as s:
            return s.scalars(select(Dossier).where(Dossier.code == code)).one()

    def nominees(self, code: str) -> list[Nominee]:
        with self.engine.db.transaction() as s:
            d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
            return list(d.nominees)

    def statuses(self, code: str) -> list[int]:
        with self.engine.db.transaction() as s:
            d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
            rows = s.scalars(select(StatusChange).where(StatusChange.dossier_id == d.id).order_by(StatusChange.id))
            return [r.status for r in rows]

    def documents(self, code: str) -> list[str]:
        with self.engine.db.transaction() as s:
            d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
            rows = s.scalars(select(Document).where(Document.dossier_id == d.id).order_by(Document.id))
            return [f"{r.kind}.{r.format}" for r in rows]

    def document(self, code: str, kind: str, fmt: str = "pdf") -> bytes:
        with self.engine.db.transaction() as s:
            d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
            row = s.scalars(
                select(Document).where(Document.dossier_id == d.id, Document.kind == kind, Document.format == fmt)
            ).first()
            assert row is not None, f"no {kind}.{fmt}"
            return self.store.get(row.storage_key)

    def decision(self, code: str) -> Decision:
        with self.engine.db.transaction() as s:
            d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
            return s.scalars(select(Decision).where(Decision.dossier_id == d.id)).one()

    def clock_row(self, code: str) -> SlaClock:
        with self.engine.db.transaction() as s:
            return s.scalars(select(SlaClock).where(SlaClock.business_key == code)).one()

    def data(self, code: str) -> dict[str, Any]:
        return self.engine.runtime.get(self.instance(code)).data


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    """The file store of the world's domain (a module may override it to swap the collaborator at its seam)."""
    return LocalStore(tmp_path / "files")


@pytest.fixture
def world(database: Database, vclock: clock.VirtualClock, store: LocalStore) -> Iterator[World]:
    registry = handlers.register(HandlerRegistry(), store=store)
    engine = Engine(Settings(database_url=database.url), handlers=registry, database=database)
    engine.ensure_admin()
    for name, groups in PEOPLE.items():
        engine.identity.ensure_user(name, groups=groups, unit="so-noi-vu")
    engine.repository.deploy(bundle_files([PROCESSES_DIR]), actor="admin", name="shipped processes")
    domain = Domain(engine, store)
    domain.dossiers.load_catalogue()
    yield World(domain, vclock)


def individual(name: str = "Nguyễn Thị Hoa", gender: str = "nu", **facts: Any) -> dict[str, Any]:
    return {
        "kind": "individual",
        "name": name,
        "gender": gender,
        "position": "Giáo viên",
        "is_leader": False,
        "unit": "Trường THPT Chuyên",
        **facts,
    }


def titles(title: str, *years: int) -> list[dict[str, Any]]:
    return [{"year": y, "title": title} for y in years]


def council_members(world: World, code: str) -> list[str]:
    rules = world.dossiers.catalogue()
    vote = rules.award(world.dossier(code).award_type).vote
    assert vote is not None
    return rules.councils[vote.council].codes()


def candidates(world: World, code: str) -> list[Nominee]:
    return [n for n in world.nominees(code) if n.state in ("eligible", "passed", "failed")]


def unanimous(world: World, code: str) -> dict[str, Any]:
    members = council_members(world, code)
    return {
        "present": members,
        "ballots": [{"nominee": n.id, "approve": len(members)} for n in candidates(world, code)],
    }


DEFAULTS: dict[str, Any] = {
    "check_completeness": {"completeness": "tiep_nhan"},
    "recheck_completeness": {"recheck": "tiep_nhan"},
    "assign_appraiser": {"appraiser": "thamdinh"},
    "appraise": {},
    "cross_check_thue": {"answer": "dong_y"},
    "cross_check_bhxh": {"answer": "dong_y"},
    "cross_check_cong_an": {"answer": "dong_y"},
    "cross_check_thanh_tra": {"answer": "dong_y"},
    "draft_submission": {"summary": "Đủ tiêu chuẩn theo quy định."},
    "approve_draft": {"approval": "duyet"},
    "convene_session": {},
    "record_session": unanimous,
    "standing_review": {},
    "sign_decision": {"signed": True},
    "publish_decision": {},
    "return_result": {"delivery": "truc_tiep"},
}


def drive(world: World, code: str, until: str | None = None, **answers: Any) -> None:
    """Work the dossier's ready tasks with sensible answers (``answers`` override by element id) until
    nothing is ready, or until ``until`` is ready."""
    for _ in range(60):
        ready = world.ready_ids(code)
        if not ready or (until is not None and until in ready):
            return
        element = ready[0]
        answer = answers.get(element, DEFAULTS[element])
        world.do(code, element, answer(world, code) if callable(answer) else answer)
    raise AssertionError("the dossier did not finish")
