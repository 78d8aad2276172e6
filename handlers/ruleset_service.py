"""The designer's rule-set versions: list them, see what a draft changes, publish it as a new immutable version.

Publishing is one command: the designer's role, the draft's rules and its effective date are checked inside
the transaction that stores the version and its audit event (who, when, what changed). Nothing else changes:
a dossier keeps the version in force on the day it was received (:func:`handlers.rulesets.in_force`).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine, clock, history
from engine.errors import InvalidInput, LimitExceeded, NotFound, PermissionDenied
from engine.identity import actor_of
from engine.models import Event
from handlers import rulesets
from handlers.catalogue import Catalogue, CatalogueInvalid, parse
from handlers.models import RuleSet
from handlers.ruleset_diff import Change, changes
from handlers.timefmt import local_day

__all__ = ["MAX_DOCUMENT_BYTES", "PUBLISHED", "PUBLISHERS", "RuleSetService", "VersionRow"]

#: who may publish a rule-set version (besides administrators)
PUBLISHERS = frozenset({"designer"})
#: the audit event of a publication
PUBLISHED = "rule_set_published"
#: the largest rule set a designer may publish (the shipped ones take about 12 KB)
MAX_DOCUMENT_BYTES = 200_000


@dataclass(frozen=True)
class VersionRow:
    """One stored version as the workbench lists it."""

    id: int
    version: str
    name: str
    effective_from: date
    loaded_at: datetime
    in_force: bool
    upcoming: bool
    #: who published it from the workbench (None: loaded from the shipped files)
    published_by: str | None


class RuleSetService:
    """Rule-set versions for the designer's workbench."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def versions(self) -> list[VersionRow]:
        """Every version, the latest effective date first, with the one in force today marked."""
        today = local_day(clock.now())
        with self.engine.db.reading() as session:
            rows = list(session.scalars(select(RuleSet).order_by(RuleSet.effective_from.desc())))
            current = _current(session, today)
            published = session.execute(select(Event.after, Event.actor).where(Event.action == PUBLISHED)).all()
            by = {str((after or {}).get("version")): actor for after, actor in published}
            return [
                VersionRow(
                    r.id,
                    r.version,
                    r.name,
                    r.effective_from,
                    r.loaded_at,
                    current is not None and r.id == current.id,
                    r.effective_from > today,
                    by.get(r.version),
                )
                for r in rows
            ]

    def draft(self) -> dict[str, Any]:
        """A copy of the version in force today: where a new version starts. NotFound when none is."""
        with self.engine.db.reading() as session:
            row = _current(session, local_day(clock.now()))
            if row is None:
                raise NotFound("chưa có bộ quy tắc nào có hiệu lực hôm nay")
            return copy.deepcopy(dict(row.content))

    def content(self, version_id: int) -> dict[str, Any]:
        """The stored document of one version (NotFound for an unknown id)."""
        with self.engine.db.reading() as session:
            row = session.get(RuleSet, version_id)
            if row is None:
                raise NotFound(f"không có phiên bản quy tắc {version_id}")
            return copy.deepcopy(dict(row.content))

    def rules(self, rule_set_id: int) -> Catalogue:
        """The rules of one stored version: a dossier's own, whatever is in force today."""
        with self.engine.db.reading() as session:
            return rulesets.by_id(session, rule_set_id)

    def preview(self, content: dict[str, Any]) -> list[Change]:
        """What the draft changes against the version in force today; InvalidInput naming each refused field."""
        with self.engine.db.reading() as session:
            return self._checked(session, content)

    def publish(self, username: str, content: dict[str, Any], source: str) -> tuple[str, list[Change]]:
        """Store the draft as a new immutable version with its audit event; returns its version and the changes.

        PermissionDenied unless a designer or an administrator; InvalidInput naming the field for bad rules, an
        effective date in the past or not after the version in force, or a version code already used.
        """
        with self.engine.db.transaction() as session:
            actor = actor_of(session, username)
            if not (actor.is_admin or actor.groups & PUBLISHERS):
                raise PermissionDenied("chỉ người thiết kế quy trình được công bố bộ quy tắc")
            found = self._checked(session, content)
            row = rulesets.load(session, content, source)
            history.record(
                session,
                actor.username,
                PUBLISHED,
                after={"version": row.version, "effective_from": row.effective_from.isoformat()},
                details={"source": source, "changes": [c.as_dict() for c in found]},
            )
            return row.version, found

    def roll_back(self, username: str, version: str, effective_from: date) -> tuple[str, list[Change]]:
        """Publish the rules of the version before the newest again, as version ``version`` from
        ``effective_from``: a new version (history stays), audited as a publication with what it changes.
        InvalidInput naming ``version`` when there is no earlier version; otherwise as :meth:`publish`."""
        with self.engine.db.transaction() as session:
            rows = list(session.scalars(select(RuleSet).order_by(RuleSet.effective_from.desc()).limit(2)))
            if len(rows) < 2:
                raise InvalidInput("chưa có phiên bản trước", {"version": ["chỉ có một phiên bản quy tắc"]})
            previous = rows[1]
            content = {**copy.deepcopy(dict(previous.content)), "version": version}
            content["effective_from"] = effective_from.isoformat()
            return self.publish(username, content, f"quay lại phiên bản {previous.version}")

    def _checked(self, session: Session, content: dict[str, Any]) -> list[Change]:
        """The draft's problems (rules, size, dates, codes) as one refusal; else its changes."""
        if len(json.dumps(content, ensure_ascii=False).encode()) > MAX_DOCUMENT_BYTES:
            raise LimitExceeded("bộ quy tắc quá lớn", {"_": [f"không được vượt quá {MAX_DOCUMENT_BYTES // 1000} KB"]})
        try:
            rules = parse(content, "bản nháp")
        except CatalogueInvalid as exc:
            raise CatalogueInvalid("bộ quy tắc không hợp lệ", exc.fields) from None
        today = local_day(clock.now())
        current = _current(session, today)
        problems = rulesets.new_version_problems(session, RuleSet, rules.version, rules.effective_from, today)
        if problems:
            raise InvalidInput("bộ quy tắc chưa công bố được", problems)
        return changes(dict(current.content) if current is not None else {}, content)


def _current(session: Session, day: date) -> RuleSet | None:
    try:
        return rulesets.in_force(session, day)[0]
    except NotFound:
        return None
