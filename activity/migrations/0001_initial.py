"""The activity log moves here from `accounts` (which created its table in accounts 0002): the model
changes app in Django's state only; the table and its rows stay as they are (renamed in 0002)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import activity.models


def content_type_move(apps, schema_editor, *, old: str, new: str) -> None:
    """Keep permissions (and admin history) attached to the model: its content type changes app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="activitylog").exists():
        ContentType.objects.filter(app_label=old, model="activitylog").update(app_label=new)


def forwards(apps, schema_editor):
    content_type_move(apps, schema_editor, old="accounts", new="activity")


def backwards(apps, schema_editor):
    content_type_move(apps, schema_editor, old="activity", new="accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_activitylog"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ActivityLog",
                    fields=[
                        ("id", models.UUIDField(default=activity.models.time_ordered_uuid, editable=False,
                                                primary_key=True, serialize=False)),
                        ("was_impersonated", models.BooleanField(null=True)),
                        ("is_system", models.BooleanField(null=True)),
                        ("activity", models.CharField(max_length=79)),
                        ("item_id", models.CharField(blank=True, max_length=72, null=True)),
                        ("scope", models.CharField(max_length=79)),
                        ("detail", models.JSONField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("organization", models.ForeignKey(blank=True, db_constraint=False, null=True,
                                                           on_delete=django.db.models.deletion.DO_NOTHING,
                                                           related_name="+", to="accounts.organization")),
                        ("project", models.ForeignKey(blank=True, db_constraint=False, null=True,
                                                      on_delete=django.db.models.deletion.DO_NOTHING,
                                                      related_name="+", to="accounts.project")),
                        ("user", models.ForeignKey(blank=True, null=True,
                                                   on_delete=django.db.models.deletion.SET_NULL,
                                                   related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "accounts_activitylog",
                        "indexes": [
                            models.Index(fields=["project", "scope", "item_id"], name="activity_project_scope_item"),
                            models.Index(fields=["project", "-created_at"], name="activity_project_created"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("project__isnull", False), ("organization__isnull", False),
                                                   _connector="OR"),
                                name="activity_log_has_project_or_organization",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
