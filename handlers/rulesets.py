"""Rule-set versions in the database: load the YAML catalogue, and pick the version in force on a day.

A version, once loaded, never changes: loading the same version with other content is refused, so a
dossier received under a version can always be explained by it. Loading is idempotent (the shipped files
are loaded again at every start) and safe when two workers do it at once.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import Conflict, NotFound
from handlers.catalogue import Catalogue, content_hash, parse, read_yaml
from handlers.models import RuleSet

__all__ = ["SHIPPED", "catalogue_of", "ensure_shipped", "in_force", "load", "load_text", "shipped_files"]

#: The catalogue shipped with the product (processes/catalogue/*.yaml).
SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "catalogue"


def load_text(session: Session, text: str, source: str) -> RuleSet:
    """Load one YAML rule set (see :func:`load`)."""
    return load(session, read_yaml(text, source), source)


def load(session: Session, content: dict[str, object], source: str) -> RuleSet:
    """Store a rule-set version unless it is there already; Conflict if that version differs."""
    catalogue = parse(content, source)
    digest = content_hash(content)
    existing = _by_version(session, catalogue.version)
    if existing is None:
        row = RuleSet(
            version=catalogue.version,
            name=catalogue.name,
            effective_from=catalogue.effective_from,
            content=content,
            content_hash=digest,
            source=source,
            loaded_at=clock.now(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            existing = _by_version(session, catalogue.version)
            if existing is None:
                raise Conflict(
                    f"{source}: đã có bộ quy tắc khác hiệu lực từ ngày {catalogue.effective_from:%d/%m/%Y}"
                ) from None
        else:
            return row
    if existing.content_hash != digest:
        raise Conflict(
            f"{source}: bộ quy tắc {catalogue.version} đã được nạp với nội dung khác; "
            "muốn thay đổi thì tạo phiên bản mới với ngày hiệu lực riêng"
        )
    return existing


def shipped_files(directory: Path = SHIPPED) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def ensure_shipped(session: Session, directory: Path = SHIPPED) -> int:
    """Load the shipped versions missing from the database; returns how many were added."""
    known = set(session.scalars(select(RuleSet.version)))
    added = 0
    for path in shipped_files(directory):
        content = _read(path, path.stat().st_mtime_ns)
        if content.get("version") not in known:
            load(session, dict(content), path.name)
            added += 1
    return added


def in_force(session: Session, day: date) -> tuple[RuleSet, Catalogue]:
    """The version in force on ``day`` (the latest that took effect on or before it)."""
    row = session.scalars(
        select(RuleSet).where(RuleSet.effective_from <= day).order_by(RuleSet.effective_from.desc()).limit(1)
    ).first()
    if row is None:
        raise NotFound(f"no award rule set is in force on {day:%d/%m/%Y}; load the catalogue first")
    return row, catalogue_of(row)


def by_id(session: Session, rule_set_id: int) -> Catalogue:
    row = session.get(RuleSet, rule_set_id)
    if row is None:
        raise NotFound(f"no rule set {rule_set_id}")
    return catalogue_of(row)


def catalogue_of(row: RuleSet) -> Catalogue:
    """The parsed rules of a stored version (parsed once: a stored version never changes)."""
    key = (row.version, row.content_hash)
    found = _PARSED.get(key)
    if found is None:
        found = _PARSED[key] = parse(row.content, row.source)
    return found


def _by_version(session: Session, version: str) -> RuleSet | None:
    return session.scalars(select(RuleSet).where(RuleSet.version == version)).first()


@lru_cache(maxsize=64)
def _read(path: Path, _mtime: int) -> dict[str, object]:
    return read_yaml(path.read_text(encoding="utf-8"), path.name)


#: parsed versions by (version, content hash): a stored version never changes, so this never goes stale
_PARSED: dict[tuple[str, str], Catalogue] = {}
