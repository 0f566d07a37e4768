import factory

from accounts.models import Organization, OrganizationMembership, Project, User
from accounts.services import personal_api_key_create


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
