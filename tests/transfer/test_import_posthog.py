"""`manage.py import_posthog` against a second running instance of this service (PostHog's REST API),
over real HTTP: first run, re-run, a changed tour, dry run, refused keys, unreachable hosts, conflicts."""

import pytest

from activity.models import ActivityLog
from flags.models import FeatureFlag
from tests.live import free_port
from tests.support.transfer import new_source_project
from tests.transfer.commands import comparable, import_posthog, run_command, summary
from tests.transfer.source_data import EMAIL_TARGETING, populate
from tours.models import ProductTour, Survey
from tours.services.transfer.posthog_client import PostHogClient
from tours.services.transfer.run import tours_import
from tours.services.transfer.sources import PostHogSource
from tours.services.transfer.tour_import import ID_TAKEN

pytestmark = pytest.mark.django_db

FIRST_RUN = summary(created=4, flags=(2, 0, 0))


@pytest.fixture(scope="module")
def populated(source_instance):
    """One source project with every kind of tour, shared by the tests that only read it."""
    source = new_source_project(source_instance)
    return source, populate(source)


def local_reads(tenant) -> list[dict]:
    response = tenant.client.get(tenant.url("product_tours/?limit=1000"))
    assert response.status_code == 200
    return response.json()["results"]


def assert_same_reads(source, tenant) -> None:
    def local_key(flag_id: int) -> str:
        return FeatureFlag.objects.get(pk=flag_id, project=tenant.project).key

    def source_key(flag_id: int) -> str:
        return source.flag(flag_id)["key"]

    local, remote = local_reads(tenant), source.tours()
    assert [tour["id"] for tour in local] == [tour["id"] for tour in remote]
    for here, there in zip(local, remote, strict=True):
        assert comparable(here, local_key) == comparable(there, source_key), here["name"]


def row_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (ProductTour, FeatureFlag, ActivityLog, Survey))


def user_property_keys(flag: FeatureFlag) -> list[str]:
    return sorted({p["key"] for g in flag.filters["groups"] for p in g["properties"] if not p["key"].startswith("$")})


def test_first_run_copies_every_tour_with_its_id_its_flags_and_reads_the_same(populated, tenant):
    source, made = populated
    run = import_posthog(source, tenant.project, "--json")
    assert run.code == 0, run.stderr
    assert run.json() == FIRST_RUN
    assert_same_reads(source, tenant)

    # Linked flags are matched by key; a dependency points at the local flag.
    gate = FeatureFlag.objects.get(project=tenant.project, key="gate", deleted=False)
    beta = FeatureFlag.objects.get(project=tenant.project, key="beta", deleted=False)
    assert beta.filters["groups"][0]["properties"][0]["key"] == str(gate.pk)
    assert beta.filters["multivariate"] == made.beta_flag["filters"]["multivariate"]
    # Internal targeting flags are built here (their own keys), also the inactive one of a paused tour.
    welcome = ProductTour.objects.select_related("internal_targeting_flag", "linked_flag").get(pk=made.welcome["id"])
    assert welcome.linked_flag == beta
    assert welcome.internal_targeting_flag.key != made.welcome["internal_targeting_flag"]["key"]
    assert welcome.internal_targeting_flag.active is True and user_property_keys(welcome.internal_targeting_flag) == [
        "plan"
    ]
    paused = ProductTour.objects.select_related("internal_targeting_flag").get(pk=made.paused["id"])
    assert paused.auto_launch is False and paused.internal_targeting_flag.active is False
    assert user_property_keys(paused.internal_targeting_flag) == ["email"]
    assert paused.draft_content["linked_flag_id"] == beta.pk  # the draft links the local flag
    # The survey step got a survey here.
    survey = Survey.objects.get(product_tour_id=made.welcome["id"])
    assert welcome.content["steps"][1]["linkedSurveyId"] == str(survey.pk)
    # Written by the system, logged like any write.
    created = ActivityLog.objects.filter(scope="ProductTour", activity="created", project_id=tenant.project.id)
    assert sorted(str(e.item_id) for e in created) == sorted(t["id"] for t in made.all)
    assert all(entry.user is None for entry in created)
    assert "[4/4]" in run.stderr and "Read 4 product tours and 2 linked feature flags" in run.stderr


def test_rerun_reports_unchanged_and_writes_nothing(populated, tenant):
    source, _ = populated
    assert import_posthog(source, tenant.project).code == 0
    tours = dict(ProductTour.objects.values_list("pk", "updated_at"))
    flags = dict(FeatureFlag.objects.values_list("pk", "version"))
    entries, surveys = ActivityLog.objects.count(), Survey.objects.count()

    run = import_posthog(source, tenant.project, "--json")
    assert (run.code, run.json()) == (0, summary(unchanged=4, flags=(0, 0, 2)))
    assert dict(ProductTour.objects.values_list("pk", "updated_at")) == tours
    assert dict(FeatureFlag.objects.values_list("pk", "version")) == flags
    assert (ActivityLog.objects.count(), Survey.objects.count()) == (entries, surveys)


def test_a_changed_tour_and_flag_are_updated_and_nothing_else(source_project, tenant):
    made = populate(source_project)
    assert import_posthog(source_project, tenant.project).code == 0
    source_project.send(
        "PATCH",
        f"product_tours/{made.welcome['id']}/",
        {"name": "Welcome (new)", "targeting_flag_filters": EMAIL_TARGETING},
    )
    untouched = dict(ProductTour.objects.exclude(pk=made.welcome["id"]).values_list("pk", "updated_at"))

    run = import_posthog(source_project, tenant.project, "--json")
    assert (run.code, run.json()) == (0, summary(updated=1, unchanged=3, flags=(0, 0, 2)))
    welcome = ProductTour.objects.select_related("internal_targeting_flag").get(pk=made.welcome["id"])
    assert welcome.name == "Welcome (new)" and user_property_keys(welcome.internal_targeting_flag) == ["email"]
    assert Survey.objects.filter(product_tour_id=welcome.pk).count() == 1  # the step's survey is reused
    assert dict(ProductTour.objects.exclude(pk=welcome.pk).values_list("pk", "updated_at")) == untouched
    assert_same_reads(source_project, tenant)

    source_project.send("PATCH", f"feature_flags/{made.beta_flag['id']}/", {"name": "Beta, renamed"})
    run = import_posthog(source_project, tenant.project, "--json")
    assert run.json() == summary(unchanged=4, flags=(0, 1, 1))
    assert FeatureFlag.objects.get(project=tenant.project, key="beta").name == "Beta, renamed"


def test_dry_run_writes_nothing_and_reports_what_a_run_would_do(populated, tenant):
    source, _ = populated
    counts = row_counts()
    run = import_posthog(source, tenant.project, "--dry-run", "--json")
    assert (run.code, run.json()) == (0, FIRST_RUN)
    assert row_counts() == counts

    text = import_posthog(source, tenant.project, "--dry-run")
    assert text.stdout.splitlines() == [
        "Dry run: nothing was written; a real run would do this.",
        "Product tours: 4 created, 0 updated, 0 unchanged, 0 failed",
        "Feature flags: 2 created, 0 updated, 0 unchanged",
    ]
    assert import_posthog(source, tenant.project).code == 0
    assert import_posthog(source, tenant.project, "--dry-run", "--json").json() == summary(unchanged=4, flags=(0, 0, 2))


def test_a_key_the_source_refuses_exits_2_and_writes_nothing(populated, tenant):
    source, _ = populated
    run = run_command(
        "import_posthog", "--host", source.url, "--personal-api-key", "phx_not_a_real_key",
        "--source-project", str(source.project_id), "--project", str(tenant.project.id), "--json",
    )  # fmt: skip
    assert run.code == 2 and run.stdout == ""
    last = run.stderr.splitlines()[-1]
    assert last.startswith(f"import_posthog: {source.url} refused the personal API key (401: ")
    assert "Traceback" not in run.stderr and "phx_not_a_real_key" not in run.stderr
    assert not ProductTour.objects.exists()


def test_a_key_without_product_tour_read_exits_2(source_instance, tenant):
    source = new_source_project(source_instance, "feature_flag:read")
    run = import_posthog(source, tenant.project, "--json")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.splitlines()[-1] == (
        f"import_posthog: {source.url} refused the personal API key "
        "(403: API key missing required scope 'product_tour:read')"
    )


def test_an_unreachable_host_exits_2_with_one_line(tenant):
    host = f"http://127.0.0.1:{free_port()}"
    run = run_command(
        "import_posthog", "--host", host, "--personal-api-key", "phx_x", "--source-project", "1",
        "--project", str(tenant.project.id),
    )  # fmt: skip
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.splitlines()[-1] == f"import_posthog: cannot reach {host}: Connection refused"
    assert "Traceback" not in run.stderr


def test_bad_arguments_exit_2_with_one_line(populated, tenant):
    source, _ = populated
    missing_project = import_posthog(source, type("P", (), {"id": 987654})())
    assert missing_project.code == 2
    assert missing_project.stderr.splitlines() == ["import_posthog: project 987654 does not exist here (--project)"]

    wrong_source = run_command(
        "import_posthog", "--host", source.url, "--personal-api-key", source.key, "--source-project", "987654",
        "--project", str(tenant.project.id),
    )  # fmt: skip
    assert wrong_source.code == 2
    assert wrong_source.stderr.splitlines()[-1].startswith("import_posthog: ")
    assert "987654" in wrong_source.stderr.splitlines()[-1]

    not_http = run_command(
        "import_posthog", "--host", "ftp://example.com", "--personal-api-key", "k", "--source-project", "1",
        "--project", str(tenant.project.id),
    )  # fmt: skip
    assert not_http.code == 2 and "must be an http(s) URL" in not_http.stderr


def test_an_id_taken_by_another_project_here_fails_that_tour_only(populated, tenant, other_tenant):
    source, made = populated
    ProductTour.objects.create(id=made.banner["id"], project=other_tenant.project, name="Theirs")
    run = import_posthog(source, tenant.project, "--json")
    assert run.code == 1
    assert run.json() == summary(
        created=3,
        failed=1,
        flags=(2, 0, 0),
        errors=[{"tour_id": made.banner["id"], "name": "Old banner", "detail": ID_TAKEN}],
    )
    theirs = ProductTour.objects.get(pk=made.banner["id"])
    assert (theirs.project_id, theirs.name) == (other_tenant.project.id, "Theirs")
    assert ProductTour.objects.filter(project=tenant.project).count() == 3


def test_a_tour_this_service_rejects_fails_alone_with_its_reason(populated, tenant, settings):
    source, made = populated
    local = tenant.client.post(tenant.url("product_tours/"), {"name": "Manual stopped"}, format="json")
    assert local.status_code == 201
    settings.PRODUCT_TOURS_MAX_STEPS = 1  # here, Welcome's two steps are too many

    run = import_posthog(source, tenant.project)
    assert run.code == 1
    assert run.stdout.splitlines() == [
        "Product tours: 2 created, 0 updated, 0 unchanged, 2 failed",
        "Feature flags: 2 created, 0 updated, 0 unchanged",
        f"Failed: {made.welcome['id']} 'Welcome': content: A product tour can have at most 1 steps (got 2).",
        f"Failed: {made.manual['id']} 'Manual stopped': name: A product tour with this name already exists.",
    ]
    assert set(ProductTour.objects.filter(project=tenant.project).values_list("name", flat=True)) == {
        "Manual stopped",  # the local one
        "Old banner",
        "Paused targeting",
    }
    assert not FeatureFlag.objects.filter(project=tenant.project, key__startswith="product-tour-targeting-welcome")


def test_pages_are_followed_and_rate_limits_waited_out(populated, source_instance, tenant):
    source, _ = populated
    waits: list[str] = []
    pages: list[int] = []
    with source_instance.another_server(RATE_LIMIT_ENABLED="1", API_RATE_LIMIT="2/second") as server:
        client = PostHogClient(host=server.url, personal_api_key=source.key, on_wait=waits.append)
        paged = PostHogSource(client=client, project_id=str(source.project_id), page_size=1, on_page=pages.append)
        report = tours_import(project=tenant.project, source=paged)
    assert report.as_json() == FIRST_RUN
    assert pages == [1, 2, 3, 4]  # one tour per page: every `next` link followed
    assert waits and all(wait.startswith(f"{server.url} answered 429; waiting") for wait in waits)
