"""Handler tests: the domain tables on the test database, a session, and an execution context to call
handlers the way a service task does (inside the engine's transaction)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import handlers.models  # noqa: F401  (registers the domain tables before the schema is created)
from engine.db import Database
from engine.execution import executing
from engine.models import ProcessInstance
from handlers import rulesets
from handlers.catalogue import Catalogue, read_yaml
from handlers.models import RuleSet

SHIPPED = rulesets.SHIPPED / "2025-07-01.yaml"


@pytest.fixture
def session(database: Database, vclock: object) -> Iterator[Session]:
    """One open transaction, committed at the end of the test (like the engine's unit of work)."""
    with database.transaction() as s:
        yield s


@pytest.fixture
def loaded(session: Session) -> Catalogue:
    """The shipped catalogue loaded into the database: the first version, 2025.07 (the handler tests' rules)."""
    rulesets.ensure_shipped(session)
    return rulesets.catalogue_of(session.scalars(select(RuleSet).where(RuleSet.source == SHIPPED.name)).one())


@pytest.fixture
def shipped_content() -> dict[str, object]:
    return read_yaml(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name)


@pytest.fixture
def as_instance(session: Session) -> Callable[..., AbstractContextManager[None]]:
    """``with as_instance("HS-1"):`` runs the block as if a service task of that dossier were executing."""

    def _enter(business_key: str, actor: str = "motcua", unit: str = "so-noi-vu") -> AbstractContextManager[None]:
        instance = ProcessInstance(business_key=business_key, unit=unit, process_key="award_dossier")
        return executing(session, instance, actor)

    return _enter


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path / "files"
