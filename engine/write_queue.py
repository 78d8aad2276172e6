"""Writers of one SQLite file queue on a file lock instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A writer that finds the lock taken sleeps in its busy
handler for 1, 2, 5, 10 … 100 ms before it looks again, so under load the lock often lies idle while the
next writer sleeps, and the waits add up to long tails. A blocking ``flock`` on a file next to the
database wakes the next writer as soon as the lock is let go. The queue only orders writers that go
through it; SQLite's own lock still guarantees correctness for everyone else.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

#: Marks, in a connection's info, the transaction that holds the queue's lock.
QUEUED = "awardflow.write_queue"
#: Writes (of this process, to this file) between two checkpoints: about SQLite's 1000 pages of WAL at a
#: completion's 20–40 pages.
CHECKPOINT_EVERY = 32


class WriteQueue:
    """One exclusive file lock per SQLite file, taken when a write transaction begins, let go when it ends."""

    def __init__(self, database_path: str) -> None:
        self.path = f"{database_path}-writers"
        self._held = threading.local()
        self._writes = 0
        self._count = threading.Lock()

    def enter(self, conn: Any) -> None:
        """Wait for the lock before ``conn`` begins to write (a thread that holds it already, for an
        outer transaction, does not wait: SQLite's own lock decides then, as without the queue)."""
        if getattr(self._held, "fd", None) is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._held.fd = fd
        conn.info[QUEUED] = True

    def leave(self, conn: Any) -> bool:
        """``conn`` (a connection or its pool record: they share ``info``) is done: let the next writer in
        (closing the file releases the lock). Called after the COMMIT, so the next writer finds SQLite's
        lock free and does not fall into its sleeping busy handler. Whether ``conn`` held the lock."""
        if not conn.info.pop(QUEUED, False):
            return False
        fd, self._held.fd = self._held.fd, None
        os.close(fd)
        return True

    def checkpoint_due(self) -> bool:
        """Count a write that left the queue; True for every :data:`CHECKPOINT_EVERY`-th."""
        with self._count:
            self._writes += 1
            return self._writes % CHECKPOINT_EVERY == 0
