"""A per-process map of the most recently stored entries, for optimisations that may forget."""

from collections import OrderedDict
from collections.abc import Callable
from typing import Any


def _one(value: Any) -> int:
    return 1


class RecentItems(OrderedDict):
    """Entries weighing at most `limit` in all: storing a key makes it the newest, and the oldest go
    beyond the limit. By default each entry weighs 1 (a count); `weigh` gives another measure (bytes).

    What it holds is only an optimisation's memory, so a race between threads (gthread workers) may lose
    an entry, or skew the running weight until the map empties, but never raises.
    """

    def __init__(self, limit: int, weigh: Callable[[Any], int] = _one):
        super().__init__()
        self.limit, self.weigh, self.weight = limit, weigh, 0

    def store(self, key, value) -> None:
        weight = self.weigh(value)
        if weight > self.limit:
            return
        try:
            if key in self:
                self.weight -= self.weigh(self.pop(key))
            self[key] = value
            self.weight += weight
            while self.weight > self.limit:
                self.weight -= self.weigh(self.popitem(last=False)[1])
        except KeyError:  # another thread dropped it first
            pass
        if not self:
            self.weight = 0

    def clear(self) -> None:
        super().clear()
        self.weight = 0
