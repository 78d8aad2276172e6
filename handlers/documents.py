"""Generated documents: render a template to PDF (and DOCX where an official edits it), store the file,
and keep a row that says what it is, for which dossier, made when and by whom."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine import clock
from handlers.models import Document, Dossier
from handlers.render import Doc, to_docx, to_pdf
from handlers.storage import Store

__all__ = ["latest", "save"]

_RENDER = {"pdf": to_pdf, "docx": to_docx}
#: a document's row, giving back its id (built once)
_INSERT = insert(Document).returning(Document.id)


def save(
    session: Session,
    store: Store,
    dossier: Dossier,
    kind: str,
    doc: Doc,
    actor: str,
    formats: tuple[str, ...] = ("pdf",),
) -> list[dict[str, Any]]:
    """Render ``doc`` in each format, store it and record it; returns what the task data may keep."""
    saved = []
    for fmt in formats:
        data = _RENDER[fmt](doc) if store.renders else b""
        stored = store.put(data, f".{fmt}")
        filename = f"{dossier.code}-{_slug(kind)}.{fmt}"
        row = {
            "dossier_id": dossier.id,
            "kind": kind,
            "title": doc.title,
            "format": fmt,
            "filename": filename,
            "storage_key": stored.key,
            "size": stored.size,
            "sha256": stored.sha256,
            "created_at": clock.now(),
            "created_by": actor,
        }
        # one statement for the row and its id (an added object made a flush of its own through the unit of work)
        document_id = session.execute(_INSERT, row).scalar_one()
        saved.append({"id": document_id, "kind": kind, "format": fmt, "filename": filename})
    return saved


def latest(session: Session, dossier_id: int, kind: str, fmt: str = "pdf") -> Document | None:
    stmt = select(Document).where(Document.dossier_id == dossier_id, Document.kind == kind, Document.format == fmt)
    return session.scalars(stmt.order_by(Document.id.desc()).limit(1)).first()


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.encode("ascii", "ignore").decode().lower()).strip("-")
