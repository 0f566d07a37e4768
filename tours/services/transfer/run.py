"""An import from start to end: first everything is read from the source (tours, linked flags and the
flags those depend on), then written here — flags first, then each tour in its own transaction, so
one rejected tour fails alone and the rest goes on.

A dry run does the same writes inside one transaction that is rolled back at the end (analytics
events muted): what it reports is what a real run would do, validation included.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from accounts.models import Project
from tours.services.tours import tour_events_muted
from tours.services.transfer.flags import flags_fetch, flags_import
from tours.services.transfer.matching import linked_flag_ids, tours_oldest_first
from tours.services.transfer.report import FAILED, ImportProgress, ImportReport, SilentProgress, TourError
from tours.services.transfer.sources import Source
from tours.services.transfer.tour_import import tour_import


class _RollBack(Exception):
    """Raised at the end of a dry run to undo its writes."""


@contextmanager
def _rolled_back_if(dry_run: bool) -> Iterator[None]:
    if not dry_run:
        yield
        return
    try:
        with transaction.atomic(), tour_events_muted():
            yield
            raise _RollBack
    except _RollBack:
        pass


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def tours_import(
    *, project: Project, source: Source, dry_run: bool = False, progress: ImportProgress | None = None
) -> ImportReport:
    """Import every tour of `source` into `project`; a `SourceError` (before any write) when it cannot be read."""
    progress = progress or SilentProgress()
    tours = tours_oldest_first(source.tours())
    fetched, missing = flags_fetch(source=source, flag_ids=linked_flag_ids(tours))
    progress.note(f"Read {len(tours)} product tours and {len(fetched)} linked feature flags")

    report = ImportReport()
    with _rolled_back_if(dry_run):
        flag_ids, flag_errors = flags_import(project=project, fetched=fetched, missing=missing, report=report)
        progress.start(len(tours))
        for tour in tours:
            outcome = tour_import(project=project, tour=tour, flag_ids=flag_ids, flag_errors=flag_errors)
            report.tours[outcome.status] += 1
            tour_id, name = _text(tour.get("id")), _text(tour.get("name"))
            if outcome.status == FAILED:
                report.errors.append(TourError(tour_id=tour_id, name=name, detail=outcome.detail or "failed"))
            progress.advance(tour_id=tour_id, name=name, outcome=outcome)
        progress.finish()
    return report
