"""What an import did (or, in a dry run, would do): the counts and errors the commands print."""

from dataclasses import dataclass, field
from typing import Protocol

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"


@dataclass(frozen=True)
class TourError:
    tour_id: str | None
    name: str | None
    detail: str


@dataclass(frozen=True)
class TourOutcome:
    status: str  # CREATED | UPDATED | UNCHANGED | FAILED
    detail: str | None = None


@dataclass
class ImportReport:
    tours: dict[str, int] = field(default_factory=lambda: {CREATED: 0, UPDATED: 0, UNCHANGED: 0, FAILED: 0})
    flags: dict[str, int] = field(default_factory=lambda: {CREATED: 0, UPDATED: 0, UNCHANGED: 0})
    errors: list[TourError] = field(default_factory=list)

    @property
    def has_failures(self) -> bool:
        return self.tours[FAILED] > 0

    def as_json(self) -> dict:
        return {
            "tours": dict(self.tours),
            "flags": dict(self.flags),
            "errors": [{"tour_id": e.tour_id, "name": e.name, "detail": e.detail} for e in self.errors],
        }


class ImportProgress(Protocol):
    """Where an import reports as it goes (the commands draw it on stderr)."""

    def note(self, message: str) -> None: ...

    def start(self, total: int) -> None: ...

    def advance(self, *, tour_id: str | None, name: str | None, outcome: TourOutcome) -> None: ...

    def finish(self) -> None: ...


class SilentProgress:
    def note(self, message: str) -> None:
        pass

    def start(self, total: int) -> None:
        pass

    def advance(self, *, tour_id: str | None, name: str | None, outcome: TourOutcome) -> None:
        pass

    def finish(self) -> None:
        pass
