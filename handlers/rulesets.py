"""Rule-set versions in the database: load the YAML catalogue, and pick the version in force on a day.

A version, once loaded, never changes: loading the same version with other content is refused, so a
dossier received under a version can always be explained by it. Loading is idempotent (the shipped files
are loaded again at every start) and safe when two workers do it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from engine import clock
from engine.errors import Conflict, NotFound
from handlers.catalogue import Catalogue, content_hash, parse, read_yaml
from handlers.models import ClusterRuleSet, RuleSet

__all__ = [
    "SHIPPED",
    "catalogue_of",
    "ensure_shipped",
    "in_force",
    "latest_on",
    "load",
    "load_text",
    "far_ahead",
    "furthest_effective",
    "new_version_problems",
    "parsed_once",
    "read_shipped",
    "shipped_files",
    "store_version",
]

#: The catalogue shipped with the product (processes/catalogue/*.yaml).
SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "catalogue"


def load_text(session: Session, text: str, source: str) -> RuleSet:
    """Load one YAML rule set (see :func:`load`)."""
    return load(session, read_yaml(text, source), source)


def load(session: Session, content: dict[str, object], source: str) -> RuleSet:
    """Store a rule-set version unless it is there already; Conflict if that version differs."""
    catalogue = parse(content, source)
    return store_version(session, RuleSet, catalogue.version, catalogue.name, catalogue.effective_from, content, source)


Versioned = TypeVar("Versioned", RuleSet, ClusterRuleSet)


def store_version(
    session: Session,
    model: type[Versioned],
    version: str,
    name: str,
    effective_from: date,
    content: dict[str, object],
    source: str,
) -> Versioned:
    """Add a checked version to ``model``'s table unless it is there already (returned as it is); Conflict when
    that version was loaded with other content, or another takes effect on the same day."""
    digest = content_hash(content)
    existing = _by_version(session, model, version)
    if existing is None:
        row = model(
            version=version,
            name=name,
            effective_from=effective_from,
            content=content,
            content_hash=digest,
            source=source,
            loaded_at=clock.now(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            existing = _by_version(session, model, version)
            if existing is None:
                raise Conflict(f"{source}: đã có bộ quy tắc khác hiệu lực từ ngày {effective_from:%d/%m/%Y}") from None
        else:
            return row
    if existing.content_hash != digest:
        raise Conflict(
            f"{source}: bộ quy tắc {version} đã được nạp với nội dung khác; "
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
        content = read_shipped(path)
        if content.get("version") not in known:
            load(session, dict(content), path.name)
            added += 1
    return added


def in_force(session: Session, day: date) -> tuple[RuleSet, Catalogue]:
    """The version in force on ``day`` (the latest that took effect on or before it)."""
    row = latest_on(session, RuleSet, day)
    if row is None:
        raise NotFound(f"no award rule set is in force on {day:%d/%m/%Y}; load the catalogue first")
    found = session.info.setdefault(BY_ID_KEY, {})[row.id] = catalogue_of(row)  # what :func:`by_id` then finds
    return row, found


def latest_on(session: Session, model: type[Versioned], day: date) -> Versioned | None:
    """The version of ``model`` that took effect last on or before ``day``; its content (a whole catalogue) is read
    when asked for: its version and hash find it parsed (:func:`parsed_once`)."""
    stmt = _LATEST.get(model)
    if stmt is None:  # built once per model: a registration asks for the rules in force
        stmt = _LATEST[model] = (
            select(model)
            .where(model.effective_from <= bindparam("day"))
            .order_by(model.effective_from.desc())
            .limit(1)
            .options(defer(model.content))
        )
    return session.scalars(stmt, {"day": day}).first()


_LATEST: dict[type[RuleSet | ClusterRuleSet], Any] = {}


#: how far ahead a new version may take effect: rules are published for the coming years, not for year 9999
YEARS_AHEAD = 5


def furthest_effective(today: date) -> date:
    """The last day a version published ``today`` may take effect (:data:`YEARS_AHEAD` years on)."""
    return today.replace(year=today.year + YEARS_AHEAD, day=28 if (today.month, today.day) == (2, 29) else today.day)


def far_ahead(today: date) -> str:
    """Why an effective date is refused as too far ahead, in Vietnamese."""
    return f"phải trong vòng {YEARS_AHEAD} năm tới (đến ngày {furthest_effective(today):%d/%m/%Y})"


def new_version_problems(
    session: Session, model: type[Versioned], version: str, effective_from: date, today: date
) -> dict[str, list[str]]:
    """Why a new version may not be published (by field), in Vietnamese: an effective date in the past, not after
    the version in force, or taken by another version; a version code already used. Empty when it may."""
    current = latest_on(session, model, today)
    problems: dict[str, list[str]] = {}
    if effective_from < today:
        problems["effective_from"] = [f"phải từ hôm nay ({today:%d/%m/%Y}) trở đi"]
    elif effective_from > furthest_effective(today):
        problems["effective_from"] = [far_ahead(today)]
    elif current is not None and effective_from <= current.effective_from:
        problems["effective_from"] = [
            f"phải sau ngày hiệu lực của phiên bản đang áp dụng ({current.effective_from:%d/%m/%Y})"
        ]
    same_day = session.scalar(select(model.version).where(model.effective_from == effective_from))
    if same_day is not None and "effective_from" not in problems:
        problems["effective_from"] = [f"phiên bản {same_day} đã có hiệu lực từ ngày này"]
    if session.scalar(select(model.id).where(model.version == version)) is not None:
        problems["version"] = [f"mã phiên bản {version} đã được dùng"]
    return problems


def by_id(session: Session, rule_set_id: int) -> Catalogue:
    """The rules of a stored version; once parsed, found by its key alone (its content is not read again), and
    that key read once per transaction (a step's service tasks, a list of dossiers ask again and again)."""
    held: dict[int, Catalogue] = session.info.setdefault(BY_ID_KEY, {})
    found = held.get(rule_set_id)
    if found is None:
        found = held[rule_set_id] = _by_id(session, rule_set_id)
    return found


def _by_id(session: Session, rule_set_id: int) -> Catalogue:
    key = session.execute(_KEY_OF, {"id": rule_set_id}).first()
    if key is None:
        raise NotFound(f"no rule set {rule_set_id}")
    found = _PARSED.get((key.version, key.content_hash))
    if found is not None:
        return found
    row = session.get(RuleSet, rule_set_id)
    if row is None:
        raise NotFound(f"no rule set {rule_set_id}")
    return catalogue_of(row)


#: a stored version's key (an id is known only once its row is written: nothing pending to flush first)
_KEY_OF = (
    select(RuleSet.version, RuleSet.content_hash)
    .where(RuleSet.id == bindparam("id"))
    .execution_options(autoflush=False)
)


def catalogue_of(row: RuleSet) -> Catalogue:
    """The parsed rules of a stored version (parsed once: a stored version never changes)."""
    return parsed_once(row, parse, _PARSED)


Parsed = TypeVar("Parsed")


def parsed_once(
    row: RuleSet | ClusterRuleSet, parser: Callable[[dict[str, Any], str], Parsed], cache: dict[tuple[str, str], Parsed]
) -> Parsed:
    """A stored version parsed once per (version, content hash): it never changes, so the cache never goes stale."""
    key = (row.version, row.content_hash)
    found = cache.get(key)
    if found is None:
        found = cache[key] = parser(row.content, row.source)
    return found


def _by_version(session: Session, model: type[Versioned], version: str) -> Versioned | None:
    return session.scalars(select(model).where(model.version == version)).first()


def read_shipped(path: Path) -> dict[str, object]:
    """A shipped YAML file's content (read again only when the file changed)."""
    return _read(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _read(path: Path, _mtime: int) -> dict[str, object]:
    return read_yaml(path.read_text(encoding="utf-8"), path.name)


#: parsed versions by (version, content hash): a stored version never changes, so this never goes stale
_PARSED: dict[tuple[str, str], Catalogue] = {}
#: ``session.info`` key of the rules :func:`by_id` found in the open transaction, by rule set id
BY_ID_KEY = "awardflow.rules_by_id"
