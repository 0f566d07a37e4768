"""A Python client generated from `/api/schema/` (openapi-python-client, offline, into a temp dir) walks
a tour through its life against a real server: pytest-django's `live_server` (a threaded WSGI server on
loopback sharing the test database; PostgreSQL and SQLite), with AI generation on the fake OpenAI server.

Like a client generated from PostHog's schema, the request models are the response components
(PostHog does not split them), so they require the read-only fields; the server ignores those.
"""

import datetime
import importlib
import subprocess
import sys
import urllib.request
import uuid

import pytest

from tests.support.tenants import make_tenant
from tours.models import ProductTour

PACKAGE = "generated_product_tours_client"

STEPS = [
    {
        "id": "step-save",
        "type": "modal",
        "elementTargeting": "manual",
        "selector": "#save",
        "progressionTrigger": "button",
        "contentHtml": "<p>Press to store your work</p>",
        "buttons": {"primary": {"text": "Next", "action": "next_step"}},
        "futureStepKey": {"kept": True},  # unknown keys stay valid
    },
    {"id": "step-done", "type": "modal", "contentHtml": "<p>All done!</p>"},
]
CONTENT = {
    "type": "tour",
    "steps": STEPS,
    "conditions": {"url": "/settings", "urlMatchType": "icontains"},
    "appearance": {"backgroundColor": "#ffffff", "showOverlay": True},
    "displayFrequency": "until_interacted",
}


@pytest.fixture(scope="module")
def api(live_server, tmp_path_factory, django_db_blocker):
    """The generated client package, imported (generated from the schema the live server serves)."""
    workdir = tmp_path_factory.mktemp("client")
    # The schema needs no database, but the server's request-start hook checks its connection.
    url = f"{live_server.url}/api/schema/?format=json"
    with django_db_blocker.unblock(), urllib.request.urlopen(url, timeout=30) as response:
        (workdir / "schema.json").write_bytes(response.read())
    (workdir / "config.yml").write_text("post_hooks: []\n")  # no formatter run: offline and fast
    proc = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(workdir / "schema.json"),
            "--meta", "none",
            "--output-path", str(workdir / PACKAGE),
            "--config", str(workdir / "config.yml"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Warning" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    sys.path.insert(0, str(workdir))
    try:
        package = importlib.import_module(PACKAGE)
        importlib.import_module(f"{PACKAGE}.models")  # sets `package.models`
        yield package
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _ops(api, *names):
    return [importlib.import_module(f"{api.__name__}.api.product_tours.{name}") for name in names]


def _write_body(api, model, **fields):
    """A create/PUT/publish body: the component requires the read-only fields, which the server ignores."""
    now = datetime.datetime.now(datetime.UTC)
    placeholders = {
        "id": uuid.uuid4(),
        "internal_targeting_flag": None,
        "linked_flag": None,
        "created_at": now,
        "created_by": api.models.UserBasic(id=0, uuid=uuid.uuid4(), email="ignored@example.com", hedgehog_config=None),
        "updated_at": now,
    }
    if model is api.models.ProductTour:
        placeholders.update(targeting_flag_filters=None, draft_content=None, has_draft=False)
    return model(**placeholders, **fields)


@pytest.mark.django_db(transaction=True)
def test_generated_client_walks_a_tour_from_create_to_delete(api, live_server, settings, fake_openai_url):  # noqa: F811
    settings.OPENAI_API_KEY = "sk-test-fake"
    settings.OPENAI_BASE_URL = fake_openai_url
    settings.PRODUCT_TOURS_AI_MODEL = "fake-model-1"
    settings.PRODUCT_TOURS_AI_TIMEOUT_SECONDS = 10
    tenant = make_tenant()
    project_id = str(tenant.project.id)
    client = api.AuthenticatedClient(base_url=live_server.url, token=tenant.key, raise_on_unexpected_status=True)
    m = api.models
    (create, retrieve, list_, update, partial_update, draft, draft_status, publish, discard, generate, destroy) = _ops(
        api,
        "product_tours_create",
        "product_tours_retrieve",
        "product_tours_list",
        "product_tours_update",
        "product_tours_partial_update",
        "product_tours_draft_partial_update",
        "product_tours_draft_status_retrieve",
        "product_tours_publish_draft_create",
        "product_tours_discard_draft_destroy",
        "product_tours_generate_create",
        "product_tours_destroy",
    )

    # create (201, ProductTourSerializerCreateUpdateOnly)
    body = _write_body(
        api,
        m.ProductTourSerializerCreateUpdateOnly,
        name="Onboarding checklist",
        description="Shows new users around",
        content=m.ProductTourSerializerCreateUpdateOnlyContent.from_dict(CONTENT),
    )
    response = create.sync_detailed(project_id, client=client, body=body)
    assert response.status_code == 201
    created = response.parsed
    assert isinstance(created, m.ProductTourSerializerCreateUpdateOnly)
    assert created.name == "Onboarding checklist"
    assert created.id != body.id  # the placeholder was ignored
    assert created.created_by.email == tenant.user.email
    assert created.creation_context == m.ProductTourSerializerCreateUpdateOnlyCreationContextEnum.APP
    assert created.internal_targeting_flag is None and created.linked_flag is None
    tour_id = created.id
    assert ProductTour.objects.get(pk=tour_id).content["steps"][0]["futureStepKey"] == {"kept": True}

    create.sync(
        project_id, client=client, body=_write_body(api, m.ProductTourSerializerCreateUpdateOnly, name="Billing tips")
    )

    # retrieve (ProductTour): content comes back typed, unknown keys kept
    tour = retrieve.sync(project_id, tour_id, client=client)
    assert isinstance(tour, m.ProductTour)
    assert (tour.id, tour.name, tour.has_draft, tour.draft_content) == (tour_id, "Onboarding checklist", False, None)
    assert [step.id for step in tour.content.steps] == ["step-save", "step-done"]
    assert tour.content.steps[0].buttons.primary.text == "Next"
    assert tour.content.steps[0].additional_properties["futureStepKey"] == {"kept": True}
    assert tour.content.conditions.url == "/settings"
    assert tour.content.appearance.show_overlay is True
    assert tour.created_by.email == tenant.user.email

    # list with search (PaginatedProductTourList)
    page = list_.sync(project_id, client=client, search="onboarding", limit=10)
    assert isinstance(page, m.PaginatedProductTourList)
    assert page.count == 1
    assert [(t.id, t.name) for t in page.results] == [(tour_id, "Onboarding checklist")]
    assert list_.sync(project_id, client=client).count == 2

    # PATCH (PatchedProductTourSerializerCreateUpdateOnly → ProductTourSerializerCreateUpdateOnly) and PUT
    patched = partial_update.sync(
        project_id, tour_id, client=client, body=m.PatchedProductTourSerializerCreateUpdateOnly(description="Patched")
    )
    assert isinstance(patched, m.ProductTourSerializerCreateUpdateOnly)
    assert (patched.name, patched.description) == ("Onboarding checklist", "Patched")
    put = update.sync(
        project_id, tour_id, client=client, body=_write_body(api, m.ProductTour, name="Onboarding", description="Put")
    )
    assert isinstance(put, m.ProductTour)
    assert (put.name, put.description) == ("Onboarding", "Put")

    # draft (PATCH → ProductTour): live values unchanged
    drafted = draft.sync(
        project_id, tour_id, client=client, body=m.PatchedProductTourSerializerCreateUpdateOnly(name="Onboarding v2")
    )
    assert isinstance(drafted, m.ProductTour)
    assert drafted.name == "Onboarding"
    assert drafted.has_draft is True
    assert drafted.draft_content["name"] == "Onboarding v2"

    status = draft_status.sync(project_id, tour_id, client=client)
    assert isinstance(status, m.DraftStatusResponse)
    assert status.has_draft is True
    assert isinstance(status.updated_at, datetime.datetime)

    # publish_draft (the body is merged into the draft first; its required `name` is the draft's)
    published = publish.sync(
        project_id,
        tour_id,
        client=client,
        body=_write_body(api, m.ProductTourSerializerCreateUpdateOnly, name="Onboarding v2", description="Published"),
    )
    assert isinstance(published, m.ProductTour)
    assert (published.name, published.description) == ("Onboarding v2", "Published")
    assert published.has_draft is False and published.draft_content is None
    assert draft_status.sync(project_id, tour_id, client=client).has_draft is False

    # discard_draft (DELETE → ProductTour)
    draft.sync(project_id, tour_id, client=client, body=m.PatchedProductTourSerializerCreateUpdateOnly(name="Scrapped"))
    discarded = discard.sync(project_id, tour_id, client=client)
    assert isinstance(discarded, m.ProductTour)
    assert discarded.has_draft is False and discarded.draft_content is None
    assert discarded.name == "Onboarding v2"

    # generate (GenerateRequest → GenerateResponse), on the fake OpenAI server
    generated = generate.sync(
        project_id,
        tour_id,
        client=client,
        body=m.GenerateRequest(
            title="Onboarding",
            goal="Teach saving",
            steps=[m.GenerateRequestStepsItem.from_dict(step) for step in STEPS],
        ),
    )
    assert isinstance(generated, m.GenerateResponse)
    assert all(isinstance(step, m.GenerateStepResponse) for step in generated.steps)
    assert [(s.step_id, s.title, s.description) for s in generated.steps] == [
        ("step-save", "Title 0", "Description of step 0."),
        ("step-done", "Title 1", "Description of step 1."),
    ]

    # delete (204), then the tour is gone
    assert destroy.sync_detailed(project_id, tour_id, client=client).status_code == 204
    assert not ProductTour.objects.filter(pk=tour_id).exists()
    missing = retrieve.sync_detailed(
        project_id, tour_id, client=api.AuthenticatedClient(base_url=live_server.url, token=tenant.key)
    )
    assert missing.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_generated_client_without_a_key_is_refused(api, live_server):
    (retrieve,) = _ops(api, "product_tours_retrieve")
    tenant = make_tenant()
    anonymous = api.Client(base_url=live_server.url)
    response = retrieve.sync_detailed(str(tenant.project.id), uuid.uuid4(), client=anonymous)
    assert response.status_code == 401
    assert response.parsed is None
