"""Queries compiled once and run with new values give what the ORM gives, converters included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.authentication import personal_api_key_lookup
from accounts.models import PersonalAPIKey, Project
from accounts.precompiled import PrecompiledQuery, instance_from_row, row_columns
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PATHS = row_columns(Project)[0]
BY_NAME = PrecompiledQuery(
    lambda name, above: Project.objects.filter(name=name, id__gt=above).order_by("id").values_list(*PATHS),
    name="(placeholder name)",
    above=-99_000_001,
)


def test_rows_match_the_orm_for_each_new_value():
    first, second = ProjectFactory(name="One"), ProjectFactory(name="Two")
    for project in (first, second):
        with CaptureQueriesContext(connection) as captured:
            rows = BY_NAME.rows(name=project.name, above=0)
        assert len(captured) == 1  # seen by Django's query logging like any other query
        assert rows == list(Project.objects.filter(pk=project.pk).values_list(*PATHS))
        rebuilt = instance_from_row(Project, rows[0], 0)
        assert (rebuilt.pk, rebuilt.name, rebuilt.created_at, rebuilt.organization_id) == (
            project.pk, project.name, project.created_at, project.organization_id
        )  # fmt: skip
        assert rebuilt.created_at.tzinfo is not None
    assert BY_NAME.rows(name="One", above=first.pk) == []
    assert BY_NAME.rows(name="nobody", above=0) == []


def test_converted_values_json_and_key_with_user(tenant):
    key = personal_api_key_lookup(tenant.key)
    stored = PersonalAPIKey.objects.select_related("user").get(pk=key.pk)
    assert key.scopes == stored.scopes and isinstance(key.scopes, list)  # JSON decoded
    assert key.user == stored.user and key.user.uuid == stored.user.uuid and key.user.email == tenant.user.email
    assert personal_api_key_lookup("phx_" + "x" * 40) is None
    tenant.user.is_active = False
    tenant.user.save()
    assert personal_api_key_lookup(tenant.key) is None


def test_a_placeholder_that_does_not_reach_the_parameters_is_refused():
    # `icontains` sends `%Abc%`: the placeholder is not among the parameters as it was given.
    broken = PrecompiledQuery(
        lambda name: Project.objects.filter(name__icontains=name).values_list("id"),
        name="Abc",
    )
    with pytest.raises(ValueError):
        broken.rows(name="abc")
