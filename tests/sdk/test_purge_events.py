"""`manage.py purge_events [--days N]`: stored events past retention are deleted, in batches."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sdk.models import CapturedEvent
from sdk.services.retention import events_purge

pytestmark = pytest.mark.django_db


def event_aged(project, days: float, name: str = "product tour shown") -> CapturedEvent:
    event = CapturedEvent.objects.create(project=project, event=name, distinct_id="u")
    CapturedEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=days))
    return event


def run(*args) -> str:
    out = StringIO()
    call_command("purge_events", *args, stdout=out)
    return out.getvalue()


def test_default_retention_keeps_90_days(tenant, settings):
    assert settings.EVENTS_RETENTION_DAYS == 90
    old, edge, fresh = event_aged(tenant.project, 91), event_aged(tenant.project, 89.9), event_aged(tenant.project, 0)
    assert run() == "Deleted 1 event(s) older than 90 day(s).\n"
    assert set(CapturedEvent.objects.values_list("id", flat=True)) == {edge.id, fresh.id}
    assert not CapturedEvent.objects.filter(pk=old.pk).exists()


def test_days_option_and_setting(tenant, settings):
    event_aged(tenant.project, 10)
    keep = event_aged(tenant.project, 2)
    assert run("--days", "5") == "Deleted 1 event(s) older than 5 day(s).\n"
    settings.EVENTS_RETENTION_DAYS = 1
    assert run() == "Deleted 1 event(s) older than 1 day(s).\n"
    assert not CapturedEvent.objects.filter(pk=keep.pk).exists()


def test_deletes_in_batches(tenant):
    for _ in range(7):
        event_aged(tenant.project, 100)
    with CaptureQueriesContext(connection) as queries:
        assert events_purge(older_than_days=90, batch_size=3) == 7
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("DELETE")]
    assert len(deletes) == 3  # 3 + 3 + 1
    assert not CapturedEvent.objects.exists()


@pytest.mark.parametrize("args", [("--days", "0"), ("--days", "-3"), ("--batch-size", "0")])
def test_bad_options_are_refused(tenant, args):
    event_aged(tenant.project, 400)
    with pytest.raises(CommandError):
        run(*args)
    assert CapturedEvent.objects.count() == 1
