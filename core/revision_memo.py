"""Per-worker memory of values derived from a project's tour data, valid while its revision holds.

The database moves a project's tours revision inside every transaction that writes its tours or flags
(`tours.models.ProjectToursRevision`). A request reads the current revision with the project (one
small indexed query) and asks for a value under it: a value built under another revision is never
served. That is the whole freshness mechanism: no lifetimes, no invalidation messages, so a write is
visible to every request that starts after it commits, on any worker of any instance.
"""

import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

from core.recent import RecentItems

T = TypeVar("T")

_ALL: "weakref.WeakSet[RevisionMemo]" = weakref.WeakSet()


class RevisionMemo:
    """At most `limit` projects' values of one kind, most recently used kept."""

    def __init__(self, limit: int = 1024):
        self._entries = RecentItems(limit)
        _ALL.add(self)

    def get(self, *, project_id: int, revision: Hashable, build: Callable[[], T]) -> T:
        entry = self._entries.get(project_id)
        if entry is not None and entry[0] == revision:
            return entry[1]
        value = build()
        self._entries.store(project_id, (revision, value))
        return value

    def clear(self) -> None:
        self._entries.clear()


def revision_memos_clear() -> None:
    """Forget every remembered value of this worker (tests, where SQLite reuses ids after a rollback;
    a cold start in benchmarks)."""
    for memo in list(_ALL):
        memo.clear()
