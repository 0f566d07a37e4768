"""`manage.py purge_events [--days N] [--batch-size N]`: delete captured events past retention (for cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sdk.services.retention import DEFAULT_BATCH_SIZE, events_purge


class Command(BaseCommand):
    help = (
        "Delete captured posthog-js events older than N days (default EVENTS_RETENTION_DAYS), in batches. "
        "Run it daily from cron."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days (default EVENTS_RETENTION_DAYS)."
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows deleted per transaction.")

    def handle(self, *args, days: int | None, batch_size: int, **options) -> None:
        days = settings.EVENTS_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        deleted = events_purge(older_than_days=days, batch_size=batch_size)
        self.stdout.write(f"Deleted {deleted} event(s) older than {days} day(s).")
