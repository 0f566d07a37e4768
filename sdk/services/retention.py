"""How long captured events are kept: `EVENTS_RETENTION_DAYS`, enforced by `manage.py purge_events`."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from sdk.models import CapturedEvent

DEFAULT_BATCH_SIZE = 5000


def events_purge(*, older_than_days: int, batch_size: int = DEFAULT_BATCH_SIZE, now: datetime | None = None) -> int:
    """Delete events that arrived more than `older_than_days` days ago, `batch_size` rows per transaction
    (short locks, bounded memory, the table stays usable meanwhile). Returns how many were deleted."""
    if older_than_days < 0 or batch_size < 1:
        raise ValueError("older_than_days must be >= 0 and batch_size >= 1")
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(CapturedEvent.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[:batch_size])
            if not ids:
                return deleted
            deleted += CapturedEvent.objects.filter(id__in=ids).delete()[0]
