"""The activity log moved from `accounts` to its own app (state-only moves plus a table rename): rows
written before the move are still there after it, and permissions follow the model. Both databases."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_activitylog"), ("activity", None)]  # activity: none applied


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_rows_and_permissions_survive_the_move():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        Organization = old.get_model("accounts", "Organization")
        ContentType = old.get_model("contenttypes", "ContentType")
        organization = Organization.objects.create(name="Moved", slug="moved")
        old.get_model("accounts", "ActivityLog").objects.create(
            organization_id=organization.id, scope="ProductTour", activity="created", item_id="kept"
        )
        # As before the upgrade: the model's content type (and its permissions) belong to `accounts`.
        ContentType.objects.filter(app_label="activity", model="activitylog").delete()
        content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="activitylog")
        Permission = old.get_model("auth", "Permission")
        Permission.objects.get_or_create(
            content_type=content_type, codename="view_activitylog", defaults={"name": "Can view activity log"}
        )

        new = _migrate(latest)
        rows = new.get_model("activity", "ActivityLog").objects.filter(item_id="kept")
        assert [(row.scope, row.activity, row.organization_id) for row in rows] == [
            ("ProductTour", "created", organization.id)
        ]
        assert "activity_activitylog" in connection.introspection.table_names()
        assert "accounts_activitylog" not in connection.introspection.table_names()
        labels = set(
            new.get_model("contenttypes", "ContentType")
            .objects.filter(model="activitylog")
            .values_list("app_label", flat=True)
        )
        assert labels == {"activity"}
        permission = new.get_model("auth", "Permission").objects.get(codename="view_activitylog")
        assert permission.content_type.app_label == "activity"
    finally:
        _migrate(latest)
