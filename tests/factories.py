from datetime import UTC, datetime

import factory

from accounts.models import Organization, OrganizationMembership, Project, User
from accounts.services import personal_api_key_create
from flags.models import FeatureFlag
from flags.services import feature_flag_create
from tours.models import ProductTour


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Sequence(lambda n: f"User{n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    is_ai_data_processing_approved = True


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Project {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMembership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    level = OrganizationMembership.Level.MEMBER


def make_key(user, scopes=("*",), **kwargs) -> str:
    return personal_api_key_create(user=user, label="test", scopes=list(scopes), **kwargs).value


LAUNCHED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def flag_filters(variants: list[str] | None = None) -> dict:
    """Everyone in; with `variants`, split evenly (the first takes the remainder)."""
    filters: dict = {"groups": [{"properties": [], "rollout_percentage": 100}]}
    if variants:
        share = 100 // len(variants)
        filters["multivariate"] = {
            "variants": [
                {"key": key, "rollout_percentage": share + (100 - share * len(variants) if i == 0 else 0)}
                for i, key in enumerate(variants)
            ]
        }
    return filters


class FeatureFlagFactory(factory.django.DjangoModelFactory):
    """A flag written straight to the database (no service), everyone in: `variants=[…]` makes it
    multivariate, `no_groups=True` gives it no condition groups (the model's default filters)."""

    class Meta:
        model = FeatureFlag

    class Params:
        variants: list[str] | None = None
        no_groups = factory.Trait(filters=factory.LazyFunction(lambda: {"groups": []}))

    project = factory.SubFactory(ProjectFactory)
    key = factory.Sequence(lambda n: f"flag-{n}")
    filters = factory.LazyAttribute(lambda flag: flag_filters(flag.variants))


class ServiceFeatureFlagFactory(FeatureFlagFactory):
    """A flag made by `feature_flag_create`, as the API makes it: validated filters (`{"groups": []}`
    unless given), version 1, `user` as its author, and its activity log entry."""

    user = None
    filters = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return feature_flag_create(*args, **kwargs)


class ProductTourFactory(factory.django.DjangoModelFactory):
    """A tour written straight to the database (no service, no targeting flag); `launched=True` gives
    it a start date and one modal step, as the SDK endpoint serves it."""

    class Meta:
        model = ProductTour

    class Params:
        launched = factory.Trait(
            start_date=LAUNCHED, content=factory.LazyFunction(lambda: {"steps": [{"id": "s1", "type": "modal"}]})
        )

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Tour {n}")
    content = factory.LazyFunction(lambda: {"steps": []})
