"""The feature flags imported tours link to: read from the source with the flags their conditions
depend on, then matched here by key — created when missing, updated when different.

Each flag goes through the flag API's serializer and services, like a `POST`/`PUT` would.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import DatabaseError, transaction
from rest_framework.exceptions import APIException, ValidationError

from accounts.models import Project
from core.errors import DomainError
from flags.models import FeatureFlag
from flags.serializers import FeatureFlagSerializer
from flags.services import feature_flag_create, feature_flag_update, filters_validate
from tours.services.transfer.errors import database_error_text, error_text
from tours.services.transfer.matching import flag_dependency_ids, flag_filters_remap, flag_input_build
from tours.services.transfer.report import CREATED, UNCHANGED, UPDATED, ImportReport
from tours.services.transfer.sources import Source

MAX_FLAGS = 10_000  # bounds a dependency walk over a source that answers nonsense


def flags_fetch(*, source: Source, flag_ids: Iterable[int]) -> tuple[dict[int, dict], dict[int, str]]:
    """The source's flags by id, with every flag their conditions depend on; why others are missing.

    Network only: runs before anything is written here.
    """
    fetched: dict[int, dict] = {}
    missing: dict[int, str] = {}
    pending = list(dict.fromkeys(flag_ids))
    while pending and len(fetched) + len(missing) < MAX_FLAGS:
        flag_id = pending.pop(0)
        if flag_id in fetched or flag_id in missing:
            continue
        flag = source.flag(flag_id)
        if flag is None:
            missing[flag_id] = f"feature flag {flag_id} was not found in the source"
            continue
        fetched[flag_id] = flag
        pending.extend(flag_dependency_ids(flag.get("filters")))
    return fetched, missing


def flag_import(*, project: Project, flag: Mapping[str, Any], flag_ids: Mapping[int, int]) -> tuple[FeatureFlag, str]:
    """Create or update the local flag with the source flag's key; (flag, CREATED | UPDATED | UNCHANGED)."""
    if flag.get("deleted"):
        raise ValidationError("it is deleted in the source")
    data = flag_input_build(flag, filters=flag_filters_remap(flag.get("filters"), flag_ids))
    if data["filters"] is None:
        del data["filters"]
    key = data.get("key")
    local = (
        FeatureFlag.objects.filter(project=project, key=key, deleted=False).first() if isinstance(key, str) else None
    )
    serializer = FeatureFlagSerializer(local, data=data)
    serializer.is_valid(raise_exception=True)
    validated = dict(serializer.validated_data)
    if local is None:
        return feature_flag_create(project=project, user=None, **validated), CREATED
    del validated["key"]
    if "filters" in validated:  # normalised as stored, so equal filters compare equal
        validated["filters"] = filters_validate(validated["filters"], project=project, flag=local)
    changes = {name: value for name, value in validated.items() if getattr(local, name) != value}
    if not changes:
        return local, UNCHANGED
    return feature_flag_update(flag=local, user=None, **changes), UPDATED


def flags_import(
    *, project: Project, fetched: Mapping[int, dict], missing: Mapping[int, str], report: ImportReport
) -> tuple[dict[int, int], dict[int, str]]:
    """Import the fetched flags, dependencies first, each in its own transaction.

    Returns source id → local id, and source id → why it could not be imported (a tour linking such
    a flag fails with that reason).
    """
    local_ids: dict[int, int] = {}
    errors: dict[int, str] = dict(missing)

    def visit(flag_id: int, path: frozenset[int]) -> None:
        if flag_id in local_ids or flag_id in errors:
            return
        flag = fetched[flag_id]
        label = f"feature flag '{flag.get('key')}'"
        for dependency in flag_dependency_ids(flag.get("filters")):
            if dependency == flag_id:
                continue  # the validator reports a self-reference
            if dependency in path:
                errors[flag_id] = f"{label}: circular dependency on feature flag {dependency}"
                return
            visit(dependency, path | {flag_id})
            if dependency in errors:
                errors[flag_id] = f"{label} depends on a flag that cannot be imported ({errors[dependency]})"
                return
        try:
            with transaction.atomic():
                local, status = flag_import(project=project, flag=flag, flag_ids=local_ids)
        except (APIException, DomainError, DatabaseError) as error:
            detail = database_error_text(error) if isinstance(error, DatabaseError) else error_text(error)
            errors[flag_id] = f"{label}: {detail}"
            return
        local_ids[flag_id] = local.id
        report.flags[status] += 1

    for flag_id in fetched:
        visit(flag_id, frozenset())
    return local_ids, errors
