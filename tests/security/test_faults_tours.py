"""A failure in the middle of a tour write with flag sync leaves nothing half-written.

The fault strikes after the tour row was written and while its internal targeting flag is being
written: in-process (the flag's save, or its delete, raises) on both databases, and on PostgreSQL also
inside the database (a trigger refuses the flag row's INSERT/UPDATE/DELETE). The answer is the 500
error envelope — never an HTML page — and the tour, its flag and the activity log are exactly as
before: every column, `updated_at`, the flag's `version` and `filters` included. Runs with real
commits (`transactional_db`), so a write committed before the fault would be seen.
"""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.models.signals import post_delete
from rest_framework.test import APIClient

from activity.models import ActivityLog
from flags.models import FeatureFlag
from tests.support.errors import assert_error
from tests.support.tenants import make_tenant
from tours.models import ProductTour

pytestmark = pytest.mark.django_db(transaction=True)

SERVER_ERROR = {"type": "server_error", "code": "error", "detail": "A server error occurred.", "attr": None}
STEPS = [{"id": "s1", "type": "modal", "title": "Welcome"}]
PLAN = {"key": "plan", "value": "pro", "operator": "exact", "type": "person"}
TRIGGER_FUNCTION = "ptapi_test_refuse_flag_write"


class InjectedFault(RuntimeError):
    pass


# --- fault injectors -------------------------------------------------------------------------------


@contextmanager
def flag_save_raises(monkeypatch):
    """`FeatureFlag.save` raises: a flag INSERT (create) or UPDATE (sync) fails after the tour was saved."""
    original = FeatureFlag.save

    def failing_save(self, *args, **kwargs):
        raise InjectedFault("injected: flag save")

    with monkeypatch.context() as patch:
        patch.setattr(FeatureFlag, "save", failing_save)
        yield
    assert FeatureFlag.save is original


@contextmanager
def flag_delete_raises():
    """A flag row's delete raises right after the row went (the tour row is already gone by then)."""

    def fail(sender, instance, **kwargs):
        raise InjectedFault("injected: flag delete")

    post_delete.connect(fail, sender=FeatureFlag, dispatch_uid="fault-injection")
    try:
        yield
    finally:
        post_delete.disconnect(sender=FeatureFlag, dispatch_uid="fault-injection")


@contextmanager
def database_refuses_flag_writes():
    """PostgreSQL: a trigger makes every INSERT, UPDATE and DELETE of a flag row fail inside the database."""
    table = FeatureFlag._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE FUNCTION {TRIGGER_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'injected: flag write refused by the database'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER {TRIGGER_FUNCTION} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_FUNCTION}()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_FUNCTION} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER_FUNCTION}()")


@pytest.fixture(params=["in_process", "database_trigger"])
def fault(request, monkeypatch):
    """How the flag write fails: `fault(action)` is a context manager for a write (`save`) or `delete`."""
    if request.param == "database_trigger":
        if connection.vendor != "postgresql":
            pytest.skip("the trigger fault runs on PostgreSQL (the in-process fault covers SQLite)")
        return lambda action: database_refuses_flag_writes()
    return lambda action: flag_save_raises(monkeypatch) if action == "save" else flag_delete_raises()


# --- helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def tenant_client():
    tenant = make_tenant()
    client = APIClient(raise_request_exception=False)  # what a real client gets: the rendered 500
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant.key}")
    return tenant, client


def tour_row(tour_id) -> dict:
    return ProductTour.objects.values().get(pk=tour_id)


def flag_row(flag_id) -> dict:
    return FeatureFlag.objects.values().get(pk=flag_id)


def state() -> dict:
    """Every tour, flag and activity row, by id: what 'exactly as before' compares."""
    return {
        "tours": {row["id"]: row for row in ProductTour.objects.values()},
        "flags": {row["id"]: row for row in FeatureFlag.objects.values()},
        "activity": sorted(ActivityLog.objects.values_list("id", flat=True)),
    }


def assert_server_error(response):
    body = assert_error(response, 500)
    assert body == SERVER_ERROR
    assert response["Content-Type"].startswith("application/json")


def launched_tour(tenant, client) -> dict:
    """A launched, auto-launching tour with targeting: it has an active internal flag."""
    response = client.post(
        tenant.url("product_tours/"),
        {
            "name": "Onboarding",
            "auto_launch": True,
            "start_date": "2025-01-01T00:00:00Z",
            "content": {"steps": STEPS},
            "targeting_flag_filters": {"groups": [{"properties": [PLAN], "rollout_percentage": 100}]},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["internal_targeting_flag"] is not None and body["internal_targeting_flag"]["active"] is True
    return body


# --- tests -----------------------------------------------------------------------------------------


def test_create_fails_while_creating_the_flag_and_leaves_no_tour_and_no_flag(tenant_client, fault):
    tenant, client = tenant_client
    before = state()
    with fault("save"):
        response = client.post(
            tenant.url("product_tours/"),
            {"name": "Launch me", "auto_launch": True, "content": {"steps": STEPS}},
            format="json",
        )
    assert_server_error(response)
    assert state() == before
    assert not ProductTour.objects.filter(name="Launch me").exists()
    assert not FeatureFlag.objects.exists()


def test_update_fails_while_syncing_the_flag_and_changes_nothing(tenant_client, fault):
    tenant, client = tenant_client
    tour = launched_tour(tenant, client)
    flag_id = tour["internal_targeting_flag"]["id"]
    before = state()
    tour_before, flag_before = tour_row(tour["id"]), flag_row(flag_id)

    with fault("save"):
        # New name, stopped (flag deactivates) and new targeting (flag filters rebuilt): tour and flag both change.
        response = client.patch(
            tenant.url(f"product_tours/{tour['id']}/"),
            {
                "name": "Renamed",
                "end_date": "2025-02-01T00:00:00Z",
                "targeting_flag_filters": {"groups": [{"properties": [], "rollout_percentage": 50}]},
            },
            format="json",
        )
    assert_server_error(response)
    assert tour_row(tour["id"]) == tour_before
    assert flag_row(flag_id) == flag_before
    assert state() == before

    # Without the fault the same update goes through: the injected failure was the only obstacle.
    response = client.patch(
        tenant.url(f"product_tours/{tour['id']}/"), {"end_date": "2025-02-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert flag_row(flag_id)["active"] is False and flag_row(flag_id)["version"] == flag_before["version"] + 1


def test_publish_draft_fails_while_syncing_the_flag_and_keeps_the_draft(tenant_client, fault):
    tenant, client = tenant_client
    tour = launched_tour(tenant, client)
    flag_id = tour["internal_targeting_flag"]["id"]
    draft = {
        "name": "Drafted name",
        "targeting_flag_filters": {"groups": [{"properties": [], "rollout_percentage": 10}]},
    }
    response = client.patch(tenant.url(f"product_tours/{tour['id']}/draft/"), draft, format="json")
    assert response.status_code == 200, response.content
    before = state()
    tour_before, flag_before = tour_row(tour["id"]), flag_row(flag_id)
    assert tour_before["draft_content"]["name"] == "Drafted name"

    with fault("save"):
        # The optional body is merged into the draft first; that merge goes too.
        response = client.post(
            tenant.url(f"product_tours/{tour['id']}/publish_draft/"), {"description": "merged"}, format="json"
        )
    assert_server_error(response)
    assert tour_row(tour["id"]) == tour_before  # live fields, updated_at and the draft exactly as before
    assert flag_row(flag_id) == flag_before
    assert state() == before


def test_delete_fails_while_deleting_the_flag_and_keeps_tour_and_flag(tenant_client, fault):
    tenant, client = tenant_client
    tour = launched_tour(tenant, client)
    flag_id = tour["internal_targeting_flag"]["id"]
    before = state()

    with fault("delete"):
        response = client.delete(tenant.url(f"product_tours/{tour['id']}/"))
    assert_server_error(response)
    assert state() == before
    assert client.get(tenant.url(f"product_tours/{tour['id']}/")).status_code == 200
    assert client.get(tenant.url(f"feature_flags/{flag_id}/")).json()["id"] == flag_id
