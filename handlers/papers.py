"""Papers of a dossier: uploads checked against the rule set's size and type limits, bytes in the store.

The web layer calls :func:`upload` for each file a proposing unit sends and passes the returned metadata in
the dossier's data; the ``dossier.register`` handler (and the supplement) check that metadata again and keep
it in the ``paper`` table. The workflow itself only ever holds this small metadata, never the bytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

from engine.errors import InvalidInput
from handlers.catalogue import Catalogue
from handlers.storage import Store

__all__ = ["SUFFIXES", "base_name", "check_listed", "evidence", "missing_papers", "sniff", "upload", "uploaded"]

SUFFIXES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def sniff(data: bytes) -> str | None:
    """The content type the bytes really have (of those we know), whatever the upload claims."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        except zipfile.BadZipFile:
            return None
    return None


def base_name(filename: str) -> str:
    """A paper's file name without the folders a client may send with it (``C:\\Users\\…\\to-trinh.pdf``,
    ``../../x.pdf``): the name is shown and sent back, the file itself is kept under its digest."""
    return PurePosixPath(filename.replace("\\", "/")).name or "paper"


def upload(store: Store, rules: Catalogue, code: str, filename: str, data: bytes) -> dict[str, Any]:
    """Check one uploaded paper against the limits, store it, and return its metadata."""
    problems: dict[str, list[str]] = {}
    if code not in rules.papers:
        problems["code"] = [f"unknown paper {code!r}; one of {', '.join(sorted(rules.papers))}"]
    return {"code": code, **_store(store, rules, filename, data, problems)}


def evidence(store: Store, rules: Catalogue, filename: str, data: bytes) -> dict[str, Any]:
    """An evidence file (a cluster member's self-score), held to the same limits as a paper."""
    return _store(store, rules, filename, data, {})


def _store(
    store: Store, rules: Catalogue, filename: str, data: bytes, problems: dict[str, list[str]]
) -> dict[str, Any]:
    """Check size and real type against the rule set, store the bytes, return the metadata."""
    if len(data) > rules.max_paper_bytes:
        problems["file"] = [f"{len(data)} bytes is over the limit of {rules.max_paper_bytes} bytes"]
    elif not data:
        problems["file"] = ["the file is empty"]
    kind = sniff(data)
    if kind is None or kind not in rules.paper_types:
        problems.setdefault("file", []).append(f"only {', '.join(rules.paper_types)} files are accepted")
    if problems:
        raise InvalidInput(f"paper {filename!r} cannot be accepted", problems)
    assert kind is not None
    stored = store.put(data, SUFFIXES.get(kind, ""))
    return {
        "filename": base_name(filename)[:255],
        "content_type": kind,
        "size": stored.size,
        "key": stored.key,
        "sha256": stored.sha256,
    }


def uploaded(store: Store, key: str) -> bool:
    """Whether ``key`` names a file an earlier upload stored (a malformed key names none)."""
    try:
        return bool(key) and store.exists(key)
    except ValueError:
        return False


def check_listed(store: Store, rules: Catalogue, papers: Sequence[Mapping[str, Any]]) -> None:
    """Metadata in a dossier's data must describe files that were uploaded within the limits."""
    problems: dict[str, list[str]] = {}
    for i, paper in enumerate(papers):
        where = f"papers[{i}]"
        if paper.get("code") not in rules.papers:
            problems.setdefault(where, []).append(f"unknown paper {paper.get('code')!r}")
        if paper.get("content_type") not in rules.paper_types:
            problems.setdefault(where, []).append(f"type {paper.get('content_type')!r} is not accepted")
        if not isinstance(paper.get("size"), int) or not 0 < paper["size"] <= rules.max_paper_bytes:
            problems.setdefault(where, []).append(f"size must be 1 … {rules.max_paper_bytes} bytes")
        if not paper.get("key") or not store.exists(str(paper["key"])):
            problems.setdefault(where, []).append("the file was not uploaded")
    if problems:
        raise InvalidInput("the dossier's papers are not acceptable", problems)


def missing_papers(rules: Catalogue, required: tuple[str, ...], present: set[str]) -> list[dict[str, str]]:
    """The required papers not among ``present``, with their names, in the catalogue's order."""
    return [{"code": code, "name": rules.papers.get(code, code)} for code in required if code not in present]
