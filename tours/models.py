import uuid

from django.conf import settings
from django.db import models

# What a tour's representation and its flag sync read besides the row: select these with the tour.
TOUR_RELATIONS = ("internal_targeting_flag", "linked_flag", "created_by")


class ProductTour(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="product_tours")
    name = models.CharField(max_length=400)
    description = models.TextField(blank=True, default="")
    internal_targeting_flag = models.ForeignKey(
        "flags.FeatureFlag", null=True, blank=True, on_delete=models.SET_NULL, related_name="targeted_tours"
    )
    linked_flag = models.ForeignKey(
        "flags.FeatureFlag", null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_tours"
    )
    content = models.JSONField(default=dict, blank=True)
    draft_content = models.JSONField(null=True, blank=True, default=None)
    auto_launch = models.BooleanField(default=False)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=models.Q(archived=False),
                name="unique_product_tour_name_per_project",
            )
        ]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="tour_project_created_idx"),
            # The public SDK query: launched, non-archived tours of a project.
            models.Index(
                fields=["project", "start_date"],
                condition=models.Q(archived=False, start_date__isnull=False),
                name="tour_public_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """A PostHog-style survey; here only the ones product tour survey steps create (type `api`).

    Linked to its tour by a FK rather than PostHog's M2M: a survey backs exactly one step of one tour,
    so ownership is one column (`tour_surveys_sync` reuses only surveys of the same tour) and the
    survey outlives the tour's hard delete (SET_NULL) with its dates ended.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="surveys")
    product_tour = models.ForeignKey(
        ProductTour, null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_surveys"
    )
    # Text, not PostHog's varchar(400): the name is derived from a tour name of up to 400 characters.
    name = models.TextField()
    description = models.TextField(blank=True, default="")
    type = models.CharField(max_length=40, default="api")
    questions = models.JSONField(default=list, blank=True)
    appearance = models.JSONField(null=True, blank=True)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    enable_partial_responses = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["project", "-created_at"], name="survey_project_created_idx")]

    def __str__(self) -> str:
        return self.name


class ProjectToursRevision(models.Model):
    """A value that changes whenever anything a project's tour responses show changes.

    Written only by database triggers (migration 0005), in the writing transaction: on every insert,
    update and delete of the project's tours and feature flags, and on changes to a tour creator's
    shown fields. Whoever writes — the API, the admin, `QuerySet.update()`, raw SQL — the value moves.
    Each change draws a random 63-bit value, so a rolled-back change never hands its value to a later,
    different state. `tours.services.remembered_responses` keys remembered responses on it.

    No foreign key to the project: Django deletes a project's tours after this row, and their triggers
    write it again; an orphaned row is harmless and ids are not reused.
    """

    project_id = models.BigIntegerField(primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"project {self.project_id}: {self.value}"
