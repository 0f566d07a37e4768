"""Create, update and soft-delete feature flags — the one write path for the REST API and for tours.

All functions may run inside the caller's transaction (tours call them from theirs): they open no
savepoint of their own, so a failure rolls back the caller's whole write. Refusals are domain errors
(`core.errors`), turned into 400/409 envelopes by the API.
"""

from typing import Any

from django.db import IntegrityError, transaction

from activity.changes import instance_snapshot
from core.errors import Conflict, InvalidInput
from flags.models import FeatureFlag
from flags.payloads import payloads_keep_secrets
from flags.services.activity import flag_activity_created, flag_activity_updated
from flags.services.dependencies import FlagNode, flag_dependency_refs, flag_ref_to_id
from flags.services.errors import FiltersInvalid
from flags.services.filters import filters_clean
from flags.services.keys import KEY_NOT_UNIQUE, flag_key_validate, key_error

# Fields a caller may set besides key/name/filters/active; `creation_context` is accepted and
# dropped (PostHog uses it for analytics only).
OPTIONAL_FIELDS = frozenset(
    {"deleted", "ensure_experience_continuity", "has_encrypted_payloads", "evaluation_runtime", "bucketing_identifier"}
)
UPDATABLE_FIELDS = frozenset({"key", "name", "filters", "active"}) | OPTIONAL_FIELDS
MAX_DEPENDENTS_LISTED = 5


def _project_flag_nodes(*, project, exclude_id: int | None) -> dict[int, FlagNode]:
    rows = FeatureFlag.objects.filter(project=project, deleted=False).values_list("id", "key", "active", "filters")
    return {
        flag_id: FlagNode(key=key, active=active, dependency_refs=tuple(flag_dependency_refs(filters)))
        for flag_id, key, active, filters in rows
        if flag_id != exclude_id
    }


def filters_validate(filters: Any, *, project, flag: FeatureFlag | None = None) -> dict:
    """Validate and normalise flag filters; raises `InvalidInput` on `filters`."""
    try:
        # Other flags are loaded only when there are flag dependencies to resolve.
        needs_flags = isinstance(filters, dict) and bool(flag_dependency_refs(filters))
        return filters_clean(
            filters,
            flag_id=flag.pk if flag is not None else None,
            flag_key=flag.key if flag is not None else None,
            project_flags=_project_flag_nodes(project=project, exclude_id=flag.pk if flag else None)
            if needs_flags
            else None,
        )
    except FiltersInvalid as error:
        raise InvalidInput(error.detail, attr="filters", code=error.code) from None


def _unknown_fields_check(fields: set[str], allowed: frozenset[str]) -> None:
    unknown = fields - allowed - {"creation_context"}
    if unknown:
        raise TypeError(f"Unknown feature flag field(s): {', '.join(sorted(unknown))}")


def feature_flag_create(
    *,
    project,
    user,
    key: str,
    name: str = "",
    filters: dict | None = None,
    active: bool = True,
    savepoint: bool = True,
    **extra: Any,
) -> FeatureFlag:
    """Create a flag (version 1). A soft-deleted flag with the same key is hard-deleted first."""
    _unknown_fields_check(set(extra), OPTIONAL_FIELDS)
    extra.pop("creation_context", None)
    flag_key_validate(key, project=project)
    filters = filters_validate({"groups": []} if filters is None else filters, project=project)
    try:
        with transaction.atomic(savepoint=savepoint):
            FeatureFlag.objects.filter(project=project, key=key, deleted=True).delete()
            flag = FeatureFlag.objects.create(
                project=project,
                key=key,
                name=name,
                filters=filters,
                active=active,
                version=1,
                created_by=user,
                last_modified_by=user,
                **extra,
            )
            flag_activity_created(flag=flag, user=user)
            return flag
    except IntegrityError:  # a concurrent create took the key between the check and the insert
        raise key_error(KEY_NOT_UNIQUE, "unique") from None


def flag_dependents(flag: FeatureFlag) -> list[FeatureFlag]:
    """Live, active flags of the project whose conditions depend on `flag`."""
    candidates = (
        FeatureFlag.objects.filter(project_id=flag.project_id, deleted=False, active=True)
        .exclude(pk=flag.pk)
        .only("id", "key", "filters")
        .order_by("key")
    )
    return [
        other
        for other in candidates
        if any(flag_ref_to_id(ref) == flag.pk for ref in flag_dependency_refs(other.filters))
    ]


def _soft_delete_check(flag: FeatureFlag) -> None:
    dependents = flag_dependents(flag)
    if not dependents:
        return
    names = [f"{other.key} (ID: {other.id})" for other in dependents[:MAX_DEPENDENTS_LISTED]]
    if len(dependents) > MAX_DEPENDENTS_LISTED:
        names.append(f"and {len(dependents) - MAX_DEPENDENTS_LISTED} more")
    raise InvalidInput(
        f"Cannot delete this feature flag because other flags depend on it: {', '.join(names)}. "
        "Please update or delete the dependent flags first."
    )


def _conflict_check(current: FeatureFlag, changed: set[str], expected_version: int | None) -> None:
    if expected_version is None or expected_version == (current.version or 0):
        return
    field_versions = current.field_versions if isinstance(current.field_versions, dict) else {}
    if any(field_versions.get(name, 0) > expected_version for name in changed):
        editor = current.last_modified_by.email if current.last_modified_by is not None else "another user"
        raise Conflict(
            f"The feature flag was updated by {editor} since you started editing it. Please refresh and try again."
        )


def feature_flag_update(
    *,
    flag: FeatureFlag,
    user,
    expected_version: int | None = None,
    flag_project=None,
    savepoint: bool = True,
    **changes: Any,
) -> FeatureFlag:
    """Apply `changes` (model field names) under a row lock, bump `version`, save.

    `expected_version` is the version the client started from: when it is stale and a field this
    update changes was changed since, the update is refused with a 409. `flag_project` is the flag's
    project when the caller holds it (saves reading it again). `savepoint=False` when the caller's
    transaction rolls back whole on any error (a tour write): no savepoint of its own then.
    `flag` is updated in place and returned.
    """
    _unknown_fields_check(set(changes), UPDATABLE_FIELDS)
    changes.pop("creation_context", None)
    with transaction.atomic(savepoint=savepoint):
        current = FeatureFlag.objects.select_for_update().get(pk=flag.pk)
        if flag_project is not None and flag_project.pk == current.project_id:
            current.project = flag_project
        before = instance_snapshot(current)
        undeleting = changes.get("deleted") is False and current.deleted
        if ("key" in changes and changes["key"] != current.key) or undeleting:
            flag_key_validate(changes.get("key", current.key), project=current.project, flag=current)
        if "filters" in changes:
            if current.has_encrypted_payloads:
                changes["filters"] = payloads_keep_secrets(
                    new_filters=changes["filters"], stored_filters=current.filters
                )
            changes["filters"] = filters_validate(changes["filters"], project=current.project, flag=current)
        changed = {name for name, value in changes.items() if getattr(current, name) != value}
        _conflict_check(current, changed, expected_version)
        if "deleted" in changed and changes["deleted"] is True:
            _soft_delete_check(current)

        new_version = (current.version or 0) + 1
        for name, value in changes.items():
            setattr(current, name, value)
        field_versions = dict(current.field_versions) if isinstance(current.field_versions, dict) else {}
        current.field_versions = {**field_versions, **{name: new_version for name in sorted(changed)}}
        current.version = new_version
        current.last_modified_by = user
        try:
            current.save()
        except IntegrityError:  # a concurrent write took the key between the check and the save
            raise key_error(KEY_NOT_UNIQUE, "unique") from None
        flag_activity_updated(before=before, after=current, user=user)

    for model_field in FeatureFlag._meta.concrete_fields:
        setattr(flag, model_field.attname, getattr(current, model_field.attname))
    flag.last_modified_by = user
    return flag


def feature_flag_soft_delete(*, flag: FeatureFlag, user) -> FeatureFlag:
    """PostHog's delete: mark `deleted` (hidden, key reusable). Refused while active flags depend on it."""
    return feature_flag_update(flag=flag, user=user, deleted=True)
