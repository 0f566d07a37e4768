"""Account operations: users, organizations, projects and personal API keys."""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Organization, OrganizationMembership, PersonalAPIKey, Project, User
from accounts.scopes import scope_is_valid
from accounts.signals import personal_api_key_changed
from accounts.tokens import generate_personal_api_key, hash_key_value, mask_key_value


@dataclass(frozen=True)
class CreatedKey:
    key: PersonalAPIKey
    value: str  # the plaintext, shown once


def personal_api_key_create(
    *,
    user: User,
    label: str,
    scopes: list[str],
    scoped_projects: list[int] | None = None,
    scoped_organizations: list[str] | None = None,
    actor: User | None = None,
) -> CreatedKey:
    """Mint a key for `user`; `actor` (default: `user`) is who the activity log names."""
    invalid = [s for s in scopes if not scope_is_valid(s)]
    if invalid:
        raise ValueError(f"Invalid scope: {invalid[0]}")
    value = generate_personal_api_key()
    with transaction.atomic():
        key = PersonalAPIKey.objects.create(
            user=user,
            label=label[:40],
            scopes=list(scopes),
            scoped_projects=[int(p) for p in scoped_projects or []],
            scoped_organizations=[str(o) for o in scoped_organizations or []],
            secure_value=hash_key_value(value),
            mask_value=mask_key_value(value),
        )
        personal_api_key_changed.send(PersonalAPIKey, key=key, activity="created", actor=actor or user)
    return CreatedKey(key=key, value=value)


def personal_api_key_delete(*, key: PersonalAPIKey, actor: User | None) -> None:
    """Delete a key (it stops working at once); logged where the key reached, by `actor`."""
    with transaction.atomic():
        personal_api_key_changed.send(PersonalAPIKey, key=key, activity="deleted", actor=actor)
        key.delete()


@dataclass(frozen=True)
class BootstrapResult:
    user: User
    organization: Organization
    project: Project
    api_key: CreatedKey


@transaction.atomic
def account_bootstrap(
    *,
    email: str,
    organization_name: str = "Default organization",
    project_name: str = "Default project",
    scopes: list[str] | None = None,
    scoped_projects: list[int] | None = None,
    ai_approved: bool = True,
    password: str | None = None,
) -> BootstrapResult:
    """Idempotently ensure user, organization (user is owner) and project; always mint a new key."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password)
    organization = Organization.objects.filter(name=organization_name, memberships__user=user).first()
    if organization is None:
        organization = Organization.objects.create(name=organization_name, is_ai_data_processing_approved=ai_approved)
        OrganizationMembership.objects.create(
            organization=organization, user=user, level=OrganizationMembership.Level.OWNER
        )
    project = Project.objects.filter(organization=organization, name=project_name).order_by("id").first()
    if project is None:
        project = Project.objects.create(organization=organization, name=project_name)
    if user.current_project_id is None or user.current_organization_id is None:
        user.current_organization = organization
        user.current_project = project
        user.save(update_fields=["current_organization", "current_project"])
    api_key = personal_api_key_create(
        user=user, label="bootstrap", scopes=scopes or ["*"], scoped_projects=scoped_projects
    )
    return BootstrapResult(user=user, organization=organization, project=project, api_key=api_key)
