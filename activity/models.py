"""The `ActivityLog` row (PostHog's `posthog_activitylog`)."""

import secrets
import threading
import time
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

_sequence_lock = threading.Lock()
_sequence = [secrets.randbits(16)]


def time_ordered_uuid() -> uuid.UUID:
    """PostHog's UUIDT layout: 48 bits of Unix milliseconds, a 16-bit per-process counter, 64 random bits.

    Ids sort like their creation time, so `-created_at, -id` is a stable order for entries written
    in the same millisecond.
    """
    with _sequence_lock:
        _sequence[0] = (_sequence[0] + 1) & 0xFFFF
        sequence = _sequence[0]
    millis = time.time_ns() // 1_000_000
    return uuid.UUID(int=(millis & 0xFFFF_FFFF_FFFF) << 80 | sequence << 64 | secrets.randbits(64))


class ActivityLog(models.Model):
    """One change to one item. Append-only: rows are inserted, never updated.

    `project` and `organization` carry no database constraint and are not cascaded: the log of a
    deleted project or organization survives it, as PostHog keeps plain `team_id`/`organization_id`.
    """

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    project = models.ForeignKey(
        "accounts.Project", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    was_impersonated = models.BooleanField(null=True)
    # True when no user acted (a system or background change); `user` is then empty.
    is_system = models.BooleanField(null=True)
    activity = models.CharField(max_length=79)
    # Always a string: numeric ids, UUIDs and key ids alike, matched exactly.
    item_id = models.CharField(max_length=72, null=True, blank=True)
    scope = models.CharField(max_length=79)
    detail = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False) | models.Q(organization__isnull=False),
                name="activity_log_has_project_or_organization",
            )
        ]
        indexes = [
            models.Index(fields=["project", "scope", "item_id"], name="activity_project_scope_item"),
            models.Index(fields=["project", "-created_at"], name="activity_project_created"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Activity log entries are append-only.")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.scope} {self.item_id} {self.activity}"
