"""Every project-scoped route × method, generated from the URL conf (tests/security/routes.py):

(a) a member of another organization gets 403 on the foreign project, (b) another project's object under
one's own project is 404 and stays untouched, (c) a key scoped to another project gets 403, (d) a key with
only `<object>:read` (the object of the scope the action requires, per `required_scopes_for`) gets 403 on
every write action and through on every read action. New endpoints are covered by themselves; a new
resource type needs a factory below (the test says so).
"""

import itertools

import pytest
from rest_framework.test import APIClient

from accounts.models import Project
from accounts.scopes import scope_is_valid
from flags.models import FeatureFlag
from flags.views import FeatureFlagViewSet
from tests.factories import ProjectFactory, make_key
from tests.security.routes import Case, project_cases
from tests.support.errors import assert_error
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

CASES = project_cases()
DETAIL_CASES = [case for case in CASES if case.route.detail]
_serial = itertools.count(1)

# What the walker found when this test was written. The matrix must keep covering at least these
# (method, route name) pairs: if it finds fewer, the walker broke, not the API.
KNOWN_CASES = {
    ("GET", "project-detail"),
    ("GET", "project_activity_log-list"),
    ("GET", "project_feature_flags-list"),
    ("POST", "project_feature_flags-list"),
    ("GET", "project_feature_flags-all-activity"),
    ("GET", "project_feature_flags-detail"),
    ("PUT", "project_feature_flags-detail"),
    ("PATCH", "project_feature_flags-detail"),
    ("DELETE", "project_feature_flags-detail"),
    ("GET", "project_feature_flags-activity"),
    ("GET", "project_product_tours-list"),
    ("POST", "project_product_tours-list"),
    ("GET", "project_product_tours-all-activity"),
    ("GET", "project_product_tours-detail"),
    ("PUT", "project_product_tours-detail"),
    ("PATCH", "project_product_tours-detail"),
    ("DELETE", "project_product_tours-detail"),
    ("GET", "project_product_tours-activity"),
    ("PATCH", "project_product_tours-draft"),
    ("GET", "project_product_tours-draft-status"),
    ("POST", "project_product_tours-publish-draft"),
    ("DELETE", "project_product_tours-discard-draft"),
    ("POST", "project_product_tours-generate"),
    ("GET", "project_surveys-list"),
    ("GET", "project_surveys-detail"),
}

# Actions that refuse every object alike, so an id learns nothing: the answer they give instead of 404
# (checked to be the same for one's own object). PostHog's flags have no hard delete.
REFUSED_FOR_EVERY_OBJECT = {(FeatureFlagViewSet, "destroy"): 405}


def _tour(project: Project) -> ProductTour:
    return ProductTour.objects.create(project=project, name=f"Isolation tour {next(_serial)}", content={"steps": []})


def _flag(project: Project) -> FeatureFlag:
    return FeatureFlag.objects.create(project=project, key=f"isolation-flag-{next(_serial)}", name="isolation")


def _survey(project: Project):
    from tours.models import Survey

    return Survey.objects.create(project=project, name=f"Isolation survey {next(_serial)}")


# One real object per resource type, keyed by the label of the viewset's queryset model.
OBJECT_FACTORIES = {"tours.ProductTour": _tour, "flags.FeatureFlag": _flag, "tours.Survey": _survey}


def object_create(case: Case, project: Project):
    queryset = getattr(case.route.view_class, "queryset", None)
    model = queryset.model if queryset is not None else None
    factory = OBJECT_FACTORIES.get(model._meta.label if model is not None else None)
    if factory is None:
        name = model._meta.label if model is not None else f"{case.route.view_class.__name__} (it has no `queryset`)"
        pytest.fail(f"add a factory for {name} to OBJECT_FACTORIES in {__name__}")
    return factory(project)


def snapshot(obj) -> list[dict]:
    return list(type(obj).objects.filter(pk=obj.pk).values())


def call(client: APIClient, case: Case, url: str):
    if case.method in ("post", "put", "patch"):
        return getattr(client, case.method)(url, {}, format="json")
    return getattr(client, case.method)(url)


def url_for(case: Case, project: Project):
    obj = object_create(case, project) if case.route.detail else None
    return case.route.url(project.id, obj.pk if obj is not None else None), obj


@pytest.fixture(autouse=True)
def _ai_configured(settings):
    # `generate` checks its configuration before the tour; configured (at an address nothing listens on),
    # the object checks are what answers. No test here reaches the upstream.
    settings.OPENAI_API_KEY = "sk-isolation-test"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"


def test_matrix_covers_at_least_the_known_routes():
    found = {(case.method.upper(), case.route.name) for case in CASES}
    assert found >= KNOWN_CASES, sorted(KNOWN_CASES - found)


def scope_object_of(case: Case) -> str:
    """The object of the one scope the action requires (usually the viewset's `scope_object`)."""
    [required] = case.required_scopes()
    return required.split(":")[0]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_action_needs_a_scope(case):
    # Without one, personal API keys are refused outright ("does not support personal API key access").
    required = case.required_scopes()
    assert required and len(required) == 1, required
    assert all(scope_is_valid(scope) and scope != "*" for scope in required), required


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_member_of_another_organization_gets_403(case, tenant, other_tenant):
    url, obj = url_for(case, other_tenant.project)
    before = snapshot(obj) if obj is not None else None
    response = call(tenant.client, case, url)
    assert_error(
        response,
        403,
        code="permission_denied",
        type="authentication_error",
        detail="You don't have access to the project.",
        attr=None,
    )
    if obj is not None:
        assert snapshot(obj) == before


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_unknown_project_is_404(case, tenant):
    url = case.route.url(2**62, "1" if case.route.detail else None)
    assert_error(call(tenant.client, case, url), 404, code="not_found", detail="Project not found.")


@pytest.mark.parametrize("case", DETAIL_CASES, ids=lambda case: case.id)
def test_object_of_another_project_is_404_and_untouched(case, tenant, other_tenant):
    theirs = object_create(case, other_tenant.project)
    before = snapshot(theirs)
    response = call(tenant.client, case, case.route.url(tenant.project.id, theirs.pk))
    refused = REFUSED_FOR_EVERY_OBJECT.get((case.route.view_class, case.action))
    if refused is None:
        assert_error(response, 404, code="not_found", detail="Not found.", attr=None)
    else:
        own = object_create(case, tenant.project)
        own_response = call(tenant.client, case, case.route.url(tenant.project.id, own.pk))
        assert response.status_code == own_response.status_code == refused
        assert response.content == own_response.content
    assert snapshot(theirs) == before


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_key_scoped_to_another_project_gets_403(case, tenant):
    elsewhere = ProjectFactory(organization=tenant.organization)  # the user is a member of both
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(tenant.user, scoped_projects=[elsewhere.id])}")
    url, obj = url_for(case, tenant.project)
    before = snapshot(obj) if obj is not None else None
    assert_error(
        call(client, case, url),
        403,
        code="permission_denied",
        detail=f"API key does not have access to the requested project: ID {tenant.project.id}.",
    )
    if obj is not None:
        assert snapshot(obj) == before


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_read_only_key_gets_403_on_writes_and_through_on_reads(case, tenant):
    scope_object = scope_object_of(case)
    client = tenant.client_with_scopes(f"{scope_object}:read")
    url, obj = url_for(case, tenant.project)
    before = snapshot(obj) if obj is not None else None
    response = call(client, case, url)
    if case.required_scopes() == [f"{scope_object}:write"]:
        assert_error(
            response, 403, code="permission_denied", detail=f"API key missing required scope '{scope_object}:write'"
        )
        if obj is not None:
            assert snapshot(obj) == before
    else:
        assert response.status_code == 200, (response.status_code, response.content[:300])
