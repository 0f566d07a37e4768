from django.db import models


class CapturedEvent(models.Model):
    """Product tour and survey events posthog-js sends, kept for later analytics."""

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=400)
    distinct_id = models.CharField(max_length=400)
    properties = models.JSONField(default=dict)
    timestamp = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "event", "-created_at"], name="captured_event_idx"),
            # `purge_events` deletes by age, in batches.
            models.Index(fields=["created_at"], name="captured_event_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.distinct_id})"
