from django.conf import settings
from django.db import models


def default_filters() -> dict:
    return {"groups": []}


class FeatureFlagQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted=False)


class FeatureFlag(models.Model):
    """PostHog's feature flag, reduced to the fields product tours and posthog-js need."""

    class EvaluationRuntime(models.TextChoices):
        SERVER = "server"
        CLIENT = "client"
        ALL = "all"

    class BucketingIdentifier(models.TextChoices):
        DISTINCT_ID = "distinct_id"
        DEVICE_ID = "device_id"

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="feature_flags")
    key = models.CharField(max_length=400)
    # PostHog keeps the flag's description in `name`.
    name = models.TextField(blank=True, default="")
    filters = models.JSONField(default=default_filters)
    active = models.BooleanField(default=True)
    deleted = models.BooleanField(default=False)
    ensure_experience_continuity = models.BooleanField(default=False, null=True, blank=True)
    has_encrypted_payloads = models.BooleanField(default=False, null=True, blank=True)
    version = models.IntegerField(default=1, null=True)
    # {field name: version that last changed it}: lets a PATCH with a stale `version` be refused
    # only when a field it changes was changed in between (PostHog's 409 rule).
    field_versions = models.JSONField(default=dict, blank=True, editable=False)
    evaluation_runtime = models.CharField(
        max_length=10, choices=EvaluationRuntime.choices, default=EvaluationRuntime.ALL, null=True, blank=True
    )
    bucketing_identifier = models.CharField(
        max_length=50,
        choices=BucketingIdentifier.choices,
        default=BucketingIdentifier.DISTINCT_ID,
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    objects = FeatureFlagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "key"], condition=models.Q(deleted=False), name="unique_live_flag_key_per_project"
            )
        ]
        indexes = [models.Index(fields=["project", "-created_at"], name="flag_project_created_idx")]

    def __str__(self) -> str:
        return self.key

    @property
    def groups(self) -> list:
        groups = (self.filters or {}).get("groups") if isinstance(self.filters, dict) else None
        return groups if isinstance(groups, list) else []

    @property
    def is_simple_flag(self) -> bool:
        """PostHog: exactly one group, without properties, and no group aggregation."""
        groups = self.groups
        return (
            len(groups) == 1
            and isinstance(groups[0], dict)
            and not groups[0].get("properties")
            and isinstance(self.filters, dict)
            and self.filters.get("aggregation_group_type_index") is None
        )

    @property
    def rollout_percentage(self):
        return self.groups[0].get("rollout_percentage") if self.is_simple_flag else None

    @property
    def variants(self) -> list:
        multivariate = (self.filters or {}).get("multivariate") if isinstance(self.filters, dict) else None
        if isinstance(multivariate, dict) and isinstance(multivariate.get("variants"), list):
            return multivariate["variants"]
        return []


# Persons are what flags are evaluated against; their models live in their own module.
from flags.person_models import Person, PersonDistinctId  # noqa: E402,F401
