from django.db import models


class Person(models.Model):
    """A person of a project, known by one or more distinct ids; flags are evaluated on its properties."""

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="persons")
    properties = models.JSONField(default=dict)
    # Set by `$identify` / `$create_alias`; an identified person is never merged into another (PostHog).
    is_identified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "flags"

    def __str__(self) -> str:
        return f"Person {self.pk}"


class PersonDistinctId(models.Model):
    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="distinct_ids")
    distinct_id = models.CharField(max_length=400)

    class Meta:
        app_label = "flags"
        constraints = [
            models.UniqueConstraint(fields=["project", "distinct_id"], name="unique_distinct_id_per_project")
        ]

    def __str__(self) -> str:
        return self.distinct_id
