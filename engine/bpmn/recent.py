"""Workflows just serialized, kept in memory so that loading the same blob again needs no deserializing.

A command saves an instance's blob; the next command on that instance (in the same process) usually loads
exactly that text back. Deserializing costs time in proportion to the instance's history, so the adapter
remembers the object behind each blob it wrote and hands it out when that exact text is asked for:

* The key is the whole text (a dict lookup compares it in full, never a hash alone), and the caller must
  also use the same specs and script engine the object holds.
* Taking an object removes it: the caller owns and changes it. Anyone else asking for that text (another
  thread, the same command asking twice) deserializes a copy of its own, as without this cache.
* Serializing an object again replaces its old entry: an object is only ever filed under the blob it
  matches now. A blob whose transaction rolled back is not in the database, so nobody asks for it, and its
  entry just ages out; the committed blob's entry was taken by that transaction's load.
* Entries are bounded by count and by total text size; the oldest go first.

The one rule for callers: after the last ``dump`` of a workflow, change it no more (or dump it again). The
executor saves last, and the adapter's readers hand out copies (``Workflows.data``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

#: Default bounds: enough for the instances a server is working on right now. A kept workflow takes about
#: five times its blob's size in memory (its objects, and the JSON of its finished tasks).
MAX_ENTRIES = 128
MAX_CHARS = 8 * 1024 * 1024


class RecentWorkflows:
    """Blob text → the workflow object that was serialized into exactly that text; thread-safe."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._text_of: dict[int, str] = {}  # id(workflow) → its key; the entry keeps the object alive
        self._chars = 0
        self._lock = threading.Lock()

    def remember(self, text: str, workflow: Any) -> None:
        """``workflow`` was just serialized into ``text``; drop whatever it was filed under before."""
        with self._lock:
            previous = self._text_of.get(id(workflow))
            if previous is not None:
                self._drop(previous)
            if text in self._entries:  # another object with the very same state: keep the newer one
                self._drop(text)
            if len(text) > self.max_chars or self.max_entries < 1:
                return
            self._entries[text] = workflow
            self._text_of[id(workflow)] = text
            self._chars += len(text)
            while len(self._entries) > self.max_entries or self._chars > self.max_chars:
                self._drop(next(iter(self._entries)))

    def take(self, text: str) -> Any | None:
        """The object serialized into exactly ``text``, removed from the cache; None if there is none."""
        with self._lock:
            if text not in self._entries:
                return None
            workflow = self._entries[text]
            self._drop(text)
            return workflow

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._text_of.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, text: str) -> None:
        workflow = self._entries.pop(text)
        del self._text_of[id(workflow)]
        self._chars -= len(text)
