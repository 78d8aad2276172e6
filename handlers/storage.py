"""Where the bytes of papers and generated documents live: a file store, never the database.

Keys are content addresses (``ab/cdef….pdf``), so writing the same bytes twice is harmless and a step that
is retried after an incident leaves no stray copies. ``LocalStore`` writes under a directory; an object-store
backend only has to offer the same three methods.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from engine.settings import Settings

__all__ = ["LocalStore", "Store", "Stored", "default_root"]


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    sha256: str


class Store(Protocol):
    #: whether generated documents are rendered into it (a simulation's store records them only)
    renders: bool

    def put(self, data: bytes, suffix: str = "") -> Stored: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...


def default_root() -> Path:
    """The papers' folder: ``Settings.storage_dir`` (``AWARDFLOW_STORAGE_DIR``)."""
    return Path(Settings.from_env().storage_dir)


class LocalStore:
    """Files under ``root``, written atomically (temporary file, then rename)."""

    renders = True

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()  # once: each key is then checked by its letters alone
        self._inside = os.path.join(self.root, "")  # what every file's path begins with ("/x/", or "/" itself)

    def put(self, data: bytes, suffix: str = "") -> Stored:
        digest = hashlib.sha256(data).hexdigest()
        key = f"{digest[:2]}/{digest[2:]}{suffix}"
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
                tmp.write(data)
            os.replace(tmp.name, path)
        return Stored(key, len(data), digest)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def _path(self, key: str) -> Path:
        """The file of ``key``, which must name one under the root once ``..`` is taken out (only this store
        writes there, so no link inside leads out; resolving each key on disk was a fiftieth of a what-if run)."""
        path = os.path.normpath(os.path.join(self.root, key))
        if not path.startswith(self._inside) or path == str(self.root):
            raise ValueError(f"storage key {key!r} leaves the store")
        return Path(path)


class ScratchStore(LocalStore):
    """A simulation's files: papers are kept (the flow reads them back), generated documents are recorded but
    not rendered — nobody reads them, and rendering PDFs would be most of a run's time."""

    renders = False
