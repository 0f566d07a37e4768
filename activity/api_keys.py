"""Activity entries for personal API keys: one per place the key reaches (PostHog's access locations).

A key scoped to projects is logged in each of those projects; one scoped to organizations, or not
scoped at all (then: every organization of its owner), at organization level (no project), which
the project-level activity endpoints do not list, as in PostHog. Never the key's value or hash.
"""

import uuid
from dataclasses import dataclass

from django.dispatch import receiver

from accounts.models import Organization, PersonalAPIKey, Project, User
from accounts.signals import personal_api_key_changed
from activity.changes import Detail
from activity.services import log_activity

SCOPE = "PersonalAPIKey"


@dataclass(frozen=True)
class PersonalAPIKeyContext:
    user_id: int | None
    user_email: str | None
    user_name: str | None
    organization_name: str | None
    team_name: str | None


def _uuids(values) -> list[uuid.UUID]:
    parsed = []
    for value in values or []:
        try:
            parsed.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return parsed


def _ints(values) -> list[int]:
    parsed = []
    for value in values or []:
        try:
            parsed.append(int(value))
        except (TypeError, ValueError):
            continue
    return parsed


def personal_api_key_locations(key: PersonalAPIKey) -> list[tuple[Organization, Project | None]]:
    if key.scoped_projects:
        projects = Project.objects.filter(id__in=_ints(key.scoped_projects)).select_related("organization")
        return [(project.organization, project) for project in projects.order_by("id")]
    if key.scoped_organizations:
        organizations = Organization.objects.filter(id__in=_uuids(key.scoped_organizations))
    else:
        organizations = Organization.objects.filter(memberships__user_id=key.user_id)
    return [(organization, None) for organization in organizations.order_by("name", "id")]


def personal_api_key_activity_log(*, key: PersonalAPIKey, activity: str, actor: User | None) -> None:
    owner = key.user
    for organization, project in personal_api_key_locations(key):
        log_activity(
            organization_id=organization.id,
            project_id=project.id if project is not None else None,
            user=actor,
            item_id=key.id,
            scope=SCOPE,
            activity=activity,
            detail=Detail(
                name=key.label,
                context=PersonalAPIKeyContext(
                    user_id=owner.id,
                    user_email=owner.email,
                    user_name=owner.get_full_name(),
                    organization_name=organization.name,
                    team_name=project.name if project is not None else None,
                ),
            ),
        )


@receiver(personal_api_key_changed, dispatch_uid="activity_personal_api_key_changed")
def personal_api_key_changed_log(sender, *, key: PersonalAPIKey, activity: str, actor: User | None, **kwargs) -> None:
    personal_api_key_activity_log(key=key, activity=activity, actor=actor)
