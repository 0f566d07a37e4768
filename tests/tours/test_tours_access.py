"""Project isolation and API key scopes for every product tour endpoint."""

import uuid

import pytest
from rest_framework.test import APIClient

from tests.support.errors import assert_error
from tests.support.tours import make_tour
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

# (method, path under /product_tours/, body, write action?)
ENDPOINTS = [
    ("get", "", None, False),
    ("post", "", {"name": "New"}, True),
    ("get", "{id}/", None, False),
    ("put", "{id}/", {"name": "Put"}, True),
    ("patch", "{id}/", {"name": "Patched"}, True),
    ("delete", "{id}/", None, True),
]
DETAIL_ENDPOINTS = [e for e in ENDPOINTS if "{id}" in e[1]]


def call(client, project_id, method, path, body, tour_id):
    url = f"/api/projects/{project_id}/product_tours/{path.format(id=tour_id)}"
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


@pytest.mark.parametrize(("method", "path", "body", "write"), DETAIL_ENDPOINTS)
def test_other_projects_tour_is_404(tenant, other_tenant, method, path, body, write):
    theirs = make_tour(other_tenant.project, name="Theirs")
    response = call(tenant.client, tenant.project.id, method, path, body, theirs.id)
    assert_error(response, 404, code="not_found", detail="Not found.")
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


@pytest.mark.parametrize(("method", "path", "body", "write"), DETAIL_ENDPOINTS)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", str(uuid.uuid4()), "%00"])
def test_unknown_or_malformed_tour_id_is_404(tenant, method, path, body, write, bad_id):
    assert_error(call(tenant.client, tenant.project.id, method, path, body, bad_id), 404, code="not_found")


@pytest.mark.parametrize(("method", "path", "body", "write"), ENDPOINTS)
def test_non_member_is_403(tenant, other_tenant, method, path, body, write):
    theirs = make_tour(other_tenant.project, name="Theirs")
    response = call(tenant.client, other_tenant.project.id, method, path, body, theirs.id)
    assert_error(response, 403, code="permission_denied", detail="You don't have access to the project.")
    assert list(ProductTour.objects.values_list("name", flat=True)) == ["Theirs"]


@pytest.mark.parametrize(("method", "path", "body", "write"), ENDPOINTS)
def test_unknown_project_is_404(tenant, method, path, body, write):
    response = call(tenant.client, 999999, method, path, body, uuid.uuid4())
    assert_error(response, 404, detail="Project not found.")


@pytest.mark.parametrize(("method", "path", "body", "write"), ENDPOINTS)
def test_anonymous_is_401(tenant, method, path, body, write):
    tour = make_tour(tenant.project)
    response = call(APIClient(), tenant.project.id, method, path, body, tour.id)
    assert_error(response, 401, code="not_authenticated")


@pytest.mark.parametrize(("method", "path", "body", "write"), ENDPOINTS)
def test_read_only_key(tenant, method, path, body, write):
    tour = make_tour(tenant.project, name="Kept")
    client = tenant.client_with_scopes("product_tour:read")
    response = call(client, tenant.project.id, method, path, body, tour.id)
    if write:
        assert_error(
            response, 403, code="permission_denied", detail="API key missing required scope 'product_tour:write'"
        )
        tour.refresh_from_db()
        assert tour.name == "Kept"
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(("method", "path", "body", "write"), ENDPOINTS)
def test_write_key_can_read_and_write(tenant, method, path, body, write):
    tour = make_tour(tenant.project)
    client = tenant.client_with_scopes("product_tour:write")
    assert call(client, tenant.project.id, method, path, body, tour.id).status_code in (200, 201, 204)


@pytest.mark.parametrize(("method", "path", "body", "write"), ENDPOINTS)
def test_unrelated_scope_is_403(tenant, method, path, body, write):
    tour = make_tour(tenant.project)
    client = tenant.client_with_scopes("feature_flag:write")
    needed = "product_tour:write" if write else "product_tour:read"
    assert_error(
        call(client, tenant.project.id, method, path, body, tour.id),
        403,
        detail=f"API key missing required scope '{needed}'",
    )


def test_key_scoped_to_another_project(tenant, other_tenant):
    client = tenant.client_with_scopes("*", scoped_projects=[other_tenant.project.id])
    assert_error(
        client.get(f"/api/projects/{tenant.project.id}/product_tours/"),
        403,
        detail=f"API key does not have access to the requested project: ID {tenant.project.id}.",
    )


def test_current_project_alias(tenant):
    tour = make_tour(tenant.project)
    body = tenant.client.get("/api/projects/@current/product_tours/").json()
    assert [row["id"] for row in body["results"]] == [str(tour.id)]
    assert (
        tenant.client.patch(
            f"/api/projects/@current/product_tours/{tour.id}", {"name": "Via alias"}, format="json"
        ).status_code
        == 200
    )


@pytest.mark.parametrize(("method", "path"), [("post", "{id}/"), ("put", ""), ("patch", ""), ("delete", "")])
def test_methods_a_route_does_not_have_are_405(tenant, method, path):
    tour = make_tour(tenant.project)
    for client in (tenant.client, tenant.client_with_scopes("product_tour:read")):
        response = call(client, tenant.project.id, method, path, {}, tour.id)
        assert_error(response, 405, code="method_not_allowed", detail=f'Method "{method.upper()}" not allowed.')
