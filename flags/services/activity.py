"""Activity entries for feature flags (scope `FeatureFlag`, `detail.name` = the key, as in PostHog).

Called by the flag services inside their transactions, so every write path — the REST API, the
admin, a tour's internal targeting flag — is logged the same way.
"""

import dataclasses

from activity.changes import Change, Detail, changes_between
from activity.encoding import related_renderer_register
from activity.services import log_activity
from flags.models import FeatureFlag
from flags.payloads import filters_redacted

SCOPE = "FeatureFlag"
# Besides PostHog's common exclusions: `field_versions` is bookkeeping for the 409 check (the
# `version` change, which PostHog logs, says the same). PostHog's other FeatureFlag exclusions
# (is_simple_flag, experiment, featureflagoverride, dashboards) are not fields here.
FIELD_EXCLUSIONS = ("field_versions",)


def flag_activity_repr(flag: FeatureFlag) -> dict:
    """How a flag appears inside another item's change (a tour's internal or linked flag)."""
    return {
        "id": flag.id,
        "key": flag.key,
        "name": flag.name,
        "filters": filters_redacted(flag.filters) if flag.has_encrypted_payloads else flag.filters,
        "team_id": flag.project_id,
        "deleted": flag.deleted,
        "active": flag.active,
    }


related_renderer_register(FeatureFlag, flag_activity_repr)


def _log(*, flag: FeatureFlag, user, activity: str, changes: list[Change] | None = None) -> None:
    log_activity(
        organization_id=flag.project.organization_id,
        project_id=flag.project_id,
        user=user,
        item_id=flag.id,
        scope=SCOPE,
        activity=activity,
        detail=Detail(name=flag.key, changes=changes),
    )


def flag_activity_created(*, flag: FeatureFlag, user) -> None:
    _log(flag=flag, user=user, activity="created")


def flag_activity_updated(*, before: FeatureFlag, after: FeatureFlag, user) -> None:
    """`updated`, or `deleted`/`restored` when `deleted` flipped (PostHog); nothing when only `version` moved."""
    changes = changes_between(SCOPE, before, after, exclude=FIELD_EXCLUSIONS)
    if before.has_encrypted_payloads or after.has_encrypted_payloads:
        changes = [_payloads_hidden(change) for change in changes]
    if all(change.field == "version" for change in changes):
        return  # a save that changed nothing still bumps the version
    activity = "updated"
    deleted = next((change for change in changes if change.field == "deleted"), None)
    if deleted is not None:
        activity = "deleted" if deleted.after else "restored"
    _log(flag=after, user=user, activity=activity, changes=changes)


def _payloads_hidden(change: Change) -> Change:
    # Secret payloads stay out of the log (PostHog logs only their ciphertext).
    if change.field != "filters":
        return change
    return dataclasses.replace(change, before=filters_redacted(change.before), after=filters_redacted(change.after))


def flag_activity_hard_deleted(*, flag: FeatureFlag, user) -> None:
    """A row removed for good (a tour's internal flag goes with its tour)."""
    _log(flag=flag, user=user, activity="deleted")
