from django.db import models
from django.utils import timezone

# Stats columns are bounded so that a row of the tour index (which carries them on PostgreSQL) stays under
# PostgreSQL's 2,704-byte limit for an index row whatever a client sends.
STATS_EVENT_NAME_MAX = 64  # posthog-js's tour event names are shorter; longer names get no stats columns
STATS_TEXT_MAX = 64  # step id, dismiss reason, survey response


class CapturedEvent(models.Model):
    """Product tour and survey events posthog-js sends, kept for the tour stats.

    The columns the stats filter and group by are extracted from `properties` when the event is
    captured, so a stats query reads indexed columns instead of parsing JSON per row.
    """

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=400)
    distinct_id = models.CharField(max_length=400)
    properties = models.JSONField(default=dict)
    timestamp = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the event happened: its `timestamp` when the client sent one, else when it arrived.
    event_time = models.DateTimeField(default=timezone.now)
    # `$product_tour_id` and `$survey_id` when they are UUIDs (as every tour and survey id is),
    # `$product_tour_step_id` and `$product_tour_dismiss_reason` cut to STATS_TEXT_MAX characters.
    tour_id = models.UUIDField(null=True, blank=True)
    step_id = models.CharField(max_length=STATS_TEXT_MAX, null=True, blank=True)
    survey_id = models.UUIDField(null=True, blank=True)
    dismiss_reason = models.CharField(max_length=STATS_TEXT_MAX, null=True, blank=True)
    # The answer to a survey event's first question (a tour's survey step asks one), as text: "5" for 5.
    survey_response = models.CharField(max_length=STATS_TEXT_MAX, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "event", "-created_at"], name="captured_event_idx"),
            # `purge_events` deletes by age, in batches.
            models.Index(fields=["created_at"], name="captured_event_created_idx"),
            # Tour stats: one tour's events of one kind over a time range. On PostgreSQL the index also
            # carries (INCLUDE) step_id, distinct_id and dismiss_reason, so the stats read the index
            # alone (migration 0004; Django cannot declare an INCLUDE that SQLite would ignore).
            models.Index(
                fields=["project", "tour_id", "event", "event_time"],
                name="captured_event_tour_idx",
                condition=models.Q(tour_id__isnull=False),
            ),
            # A survey's events over a time range (its answers in the stats, its responses newest first).
            # On PostgreSQL it also carries event, tour_id, distinct_id and survey_response (0004).
            models.Index(
                fields=["project", "survey_id", "event_time"],
                name="captured_event_survey_idx",
                condition=models.Q(survey_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.distinct_id})"
