"""Keep the public SDK cache honest: every committed write that can change what it serves retires it.

Work is deferred with `transaction.on_commit`, so a rolled-back write never touches the cache, and
`robust=True`, so a cache outage after a commit is logged instead of failing a request that succeeded.
Writes that bypass model signals (`QuerySet.update()`) call `public_tours_invalidate_on_commit` themselves.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from accounts.models import Project
from flags.models import FeatureFlag
from tours.models import ProductTour
from tours.services.public_tours import (
    project_token_forget,
    project_token_remember,
    public_tours_invalidate_on_commit,
)

# The token a Project instance was loaded with, so a save can also retire the old token's mapping.
_LOADED_TOKEN = "_public_sdk_loaded_token"


def _invalidate_on_commit(project_id: int | None, using: str) -> None:
    if project_id is not None:
        public_tours_invalidate_on_commit(project_id=project_id, using=using)


def _forget_tokens_on_commit(tokens: set[str], using: str) -> None:
    def forget() -> None:
        for token in tokens:
            project_token_forget(token=token)

    if tokens:
        transaction.on_commit(forget, using=using, robust=True)


@receiver(post_save, sender=ProductTour, dispatch_uid="public_tours_tour_saved")
@receiver(post_delete, sender=ProductTour, dispatch_uid="public_tours_tour_deleted")
def tour_changed(sender, instance: ProductTour, using: str, **kwargs) -> None:
    _invalidate_on_commit(instance.project_id, using)


# Any flag of the project: a tour may show its key (internal or linked), and telling which would cost
# a query on every flag write; flag writes are rare next to SDK reads.
@receiver(post_save, sender=FeatureFlag, dispatch_uid="public_tours_flag_saved")
@receiver(post_delete, sender=FeatureFlag, dispatch_uid="public_tours_flag_deleted")
def flag_changed(sender, instance: FeatureFlag, using: str, **kwargs) -> None:
    _invalidate_on_commit(instance.project_id, using)


@receiver(post_init, sender=Project, dispatch_uid="public_tours_project_loaded")
def project_loaded(sender, instance: Project, **kwargs) -> None:
    # `__dict__`, not the attribute: a deferred token must not cost a query here.
    instance.__dict__[_LOADED_TOKEN] = instance.__dict__.get("api_token")


@receiver(post_save, sender=Project, dispatch_uid="public_tours_project_saved")
def project_saved(sender, instance: Project, created: bool, using: str, **kwargs) -> None:
    loaded, current = instance.__dict__.get(_LOADED_TOKEN), instance.__dict__.get("api_token")
    if created and current:
        # Overwrites an "unknown" entry for a token someone probed before it existed.
        project_id = instance.pk
        transaction.on_commit(
            lambda: project_token_remember(token=current, project_id=project_id), using=using, robust=True
        )
    elif loaded != current:
        # Tombstones, not a new mapping: two racing token changes could otherwise leave either one cached.
        _forget_tokens_on_commit({token for token in (loaded, current) if token}, using)
    instance.__dict__[_LOADED_TOKEN] = current


@receiver(post_delete, sender=Project, dispatch_uid="public_tours_project_deleted")
def project_deleted(sender, instance: Project, using: str, **kwargs) -> None:
    tokens = {token for token in (instance.__dict__.get(_LOADED_TOKEN), instance.__dict__.get("api_token")) if token}
    _forget_tokens_on_commit(tokens, using)
    _invalidate_on_commit(instance.pk, using)
