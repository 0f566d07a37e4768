"""A per-process map of the most recently stored entries, for optimisations that may forget."""

from collections import OrderedDict


class RecentItems(OrderedDict):
    """At most `limit` entries: storing a key makes it the newest, and the oldest go beyond the limit.

    What it holds is only an optimisation's memory, so a race between threads (gthread workers) may lose
    an entry but never raises.
    """

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def store(self, key, value) -> None:
        try:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.limit:
                self.popitem(last=False)
        except KeyError:  # another thread dropped it first
            pass
