"""Feature flag operations used by the REST API and by other apps (tours) inside their transaction.

NOTE: skeleton — the flags issue fills in `filters_validate` with PostHog's full rules.
"""

from typing import Any

from flags.models import FeatureFlag


def filters_validate(filters: Any, *, project, flag: FeatureFlag | None = None) -> dict:
    """Validate and normalise flag filters; raises rest_framework ValidationError (attr `filters`)."""
    return filters


def feature_flag_create(
    *, project, user, key: str, name: str = "", filters: dict | None = None, active: bool = True, **extra: Any
) -> FeatureFlag:
    filters = filters_validate(filters if filters is not None else {"groups": []}, project=project)
    return FeatureFlag.objects.create(
        project=project,
        key=key,
        name=name,
        filters=filters,
        active=active,
        created_by=user,
        last_modified_by=user,
        **extra,
    )


def feature_flag_update(*, flag: FeatureFlag, user, **changes: Any) -> FeatureFlag:
    """Apply `changes` (model field names), bump `version`, save. Filters are validated."""
    if "filters" in changes:
        changes["filters"] = filters_validate(changes["filters"], project=flag.project, flag=flag)
    for field, value in changes.items():
        setattr(flag, field, value)
    flag.version = (flag.version or 0) + 1
    flag.last_modified_by = user
    flag.save()
    return flag
