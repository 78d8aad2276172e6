"""The designer's document templates as a service: what is in force, the versions, a preview, a publication.

A publication is one unit of work: the designer's role checked, the template checked, the version stored and the
audit event written (who, when, which document, from which day, the wording before and after), together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from engine import Engine, clock, history
from engine.errors import InvalidInput, PermissionDenied
from engine.identity import Actor
from handlers import document_templates as wording
from handlers import rulesets
from handlers.document_samples import sample_doc
from handlers.models import DocumentTemplate
from handlers.render import to_pdf
from handlers.timefmt import local_day

__all__ = ["DESIGNERS", "DocumentTemplateService", "TemplateVersion"]

#: Who may publish a document's wording.
DESIGNERS = frozenset({"designer"})


@dataclass(frozen=True)
class TemplateVersion:
    """One wording of a document: published (with its day and author) or the shipped default."""

    kind: str
    body: str
    effective_from: date | None = None
    published_at: datetime | None = None
    published_by: str | None = None


class DocumentTemplateService:
    """Reads and publishes the wording of the dossier's documents."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def today(self) -> date:
        return local_day(clock.now())

    def in_force(self, kind: str, day: date | None = None) -> TemplateVersion:
        """The wording of ``kind`` used for dossiers submitted on ``day`` (today by default)."""
        day = day or self.today()
        with self.engine.db.reading() as session:
            found = [v for v in wording.versions(session, kind) if v.effective_from <= day]
        return _view(found[0]) if found else TemplateVersion(kind, wording.shipped(kind))

    def versions(self, kind: str) -> list[TemplateVersion]:
        """The published versions of ``kind``, newest effective date first, then the shipped default."""
        with self.engine.db.reading() as session:
            rows = wording.versions(session, kind)
            return [*map(_view, rows), TemplateVersion(kind, wording.shipped(kind))]

    def preview(self, kind: str, body: str) -> bytes:
        """The PDF of ``kind`` for a sample dossier worded by ``body`` (InvalidInput naming ``body``); nothing is
        stored."""
        wording.require_kind(kind)
        with self.engine.db.reading() as session:
            _, rules = rulesets.in_force(session, self.today())
        return to_pdf(sample_doc(kind, rules, clock.now(), body))

    def publish(self, actor: Actor, kind: str, effective_from: date, body: str) -> TemplateVersion:
        """Publish ``body`` as the wording of ``kind`` from ``effective_from`` (today or later). PermissionDenied
        unless a designer (or an administrator); InvalidInput naming ``body`` or ``effective_from``; Conflict if
        that day has a version."""
        with self.engine.db.transaction() as session:
            if not (actor.is_admin or actor.groups & DESIGNERS):
                raise PermissionDenied(f"{actor.username} may not publish document templates")
            wording.require_kind(kind)
            _, rules = rulesets.in_force(session, self.today())
            sample_doc(kind, rules, clock.now(), body)  # the check: syntax, names, bounds, over the sample values
            before = [v for v in wording.versions(session, kind) if v.effective_from <= effective_from]
            row = wording.publish(session, kind, effective_from, body, actor.username, self.today())
            history.record(
                session,
                actor.username,
                "document_template_published",
                before={"body": before[0].body if before else wording.shipped(kind)},
                after={"body": body},
                details={"kind": kind, "effective_from": effective_from.isoformat(), "version": row.id},
            )
            return _view(row)


    def roll_back(self, actor: Actor, kind: str, effective_from: date) -> TemplateVersion:
        """Publish the wording ``kind`` had before its newest version (the shipped one before the first) again,
        from ``effective_from``: a new version, audited as a publication with its before and after. InvalidInput
        naming ``kind`` when nothing was published yet; otherwise as :meth:`publish`. One transaction."""
        with self.engine.db.transaction() as session:
            wording.require_kind(kind)
            published = sorted(wording.versions(session, kind), key=lambda v: (v.effective_from, v.id), reverse=True)
            if not published:
                raise InvalidInput("nothing to roll back", {"kind": ["mẫu này chưa có phiên bản nào được công bố"]})
            previous = published[1].body if len(published) > 1 else wording.shipped(kind)
            return self.publish(actor, kind, effective_from, previous)


def _view(row: DocumentTemplate) -> TemplateVersion:
    return TemplateVersion(row.kind, row.body, row.effective_from, row.published_at, row.published_by)
