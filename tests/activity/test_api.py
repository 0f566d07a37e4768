"""The activity endpoints: shapes, paging, filters, scopes and project isolation."""

import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from activity.changes import Detail
from activity.services import log_activity
from flags.services import feature_flag_create, feature_flag_soft_delete
from tests.support.activity import change
from tests.support.errors import assert_error
from tests.support.tours import create, make_tour, patch, tour_url

pytestmark = pytest.mark.django_db

ENTRY_KEYS = {"id", "user", "activity", "scope", "item_id", "detail", "created_at"}
SCOPE_MISSING = "API key missing required scope 'activity_log:read'"


def made_tour(tenant, name="A") -> dict:
    response = create(tenant, {"name": name})
    assert response.status_code == 201
    return response.json()


def log(tenant, *, scope="ProductTour", item_id="x", activity="created", user=None, name="n"):
    log_activity(
        organization_id=tenant.organization.id, project_id=tenant.project.id, user=user, item_id=item_id,
        scope=scope, activity=activity, detail=Detail(name=name),
    )  # fmt: skip


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


# --- per-resource pages ----------------------------------------------------------------------


def test_tour_activity_page_shape(tenant):
    tour = made_tour(tenant, "A")
    assert patch(tenant, tour["id"], {"name": "B"}).status_code == 200
    response = tenant.client.get(tour_url(tenant, tour["id"], "activity/"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next", "previous", "total_count"}
    assert (body["next"], body["previous"], body["total_count"]) == (None, None, 2)
    updated, created = body["results"]
    assert set(updated) == ENTRY_KEYS
    assert updated["user"] == {"first_name": tenant.user.first_name, "email": tenant.user.email}
    assert (updated["activity"], updated["scope"], updated["item_id"]) == ("updated", "ProductTour", tour["id"])
    assert updated["detail"] == {
        "changes": [change("ProductTour", "changed", "name", "A", "B")],
        "trigger": None,
        "name": "B",
        "short_id": None,
        "type": None,
    }
    assert created["activity"] == "created" and created["detail"]["changes"] is None
    uuid.UUID(updated["id"])
    assert updated["created_at"] >= created["created_at"]


def test_all_tours_activity_lists_only_tours_newest_first(tenant):
    first, second = made_tour(tenant, "First"), made_tour(tenant, "Second")
    feature_flag_create(project=tenant.project, user=tenant.user, key="not-a-tour")
    body = tenant.client.get(tenant.url("product_tours/activity/")).json()
    assert [(r["item_id"], r["detail"]["name"]) for r in body["results"]] == [
        (second["id"], "Second"),
        (first["id"], "First"),
    ]
    assert body["total_count"] == 2


def test_paging_with_limit_and_page(tenant):
    for i in range(5):
        log(tenant, name=f"n{i}")
    url = tenant.url("product_tours/activity/")
    body = tenant.client.get(url, {"limit": 2}).json()
    assert [r["detail"]["name"] for r in body["results"]] == ["n4", "n3"]
    assert body["total_count"] == 5 and body["previous"] is None
    assert query(body["next"]) == {"limit": "2", "page": "2"} and body["next"].startswith("http://testserver/api/")
    body = tenant.client.get(body["next"]).json()
    assert [r["detail"]["name"] for r in body["results"]] == ["n2", "n1"]
    assert query(body["previous"]) == {"limit": "2", "page": "1"} and query(body["next"])["page"] == "3"
    body = tenant.client.get(url, {"limit": 2, "page": 3}).json()
    assert [r["detail"]["name"] for r in body["results"]] == ["n0"] and body["next"] is None
    body = tenant.client.get(url, {"limit": 2, "page": 9}).json()
    assert (body["results"], body["next"], body["total_count"]) == ([], None, 5)
    assert query(body["previous"])["page"] == "8"
    assert len(tenant.client.get(url).json()["results"]) == 5  # default limit 10


@pytest.mark.parametrize(
    ("params", "attr", "detail"),
    [
        ({"limit": "abc"}, "limit", "A valid integer is required."),
        ({"limit": "0"}, "limit", "Ensure this value is greater than or equal to 1."),
        ({"limit": "1001"}, "limit", "Ensure this value is less than or equal to 1000."),
        ({"page": "-1"}, "page", "Ensure this value is greater than or equal to 1."),
        ({"page": "1.5"}, "page", "A valid integer is required."),
    ],
)
def test_bad_paging_params_are_400(tenant, params, attr, detail):
    for path in ("product_tours/activity/", "feature_flags/activity/"):
        assert_error(
            tenant.client.get(tenant.url(path), params), 400, attr=attr, detail=detail, type="validation_error"
        )


def test_item_activity_of_unknown_malformed_or_foreign_ids_is_404(tenant, other_tenant):
    theirs = made_tour(other_tenant)
    their_flag = feature_flag_create(project=other_tenant.project, user=other_tenant.user, key="theirs")
    for path in (
        f"product_tours/{theirs['id']}/activity/",
        f"product_tours/{uuid.uuid4()}/activity/",
        "product_tours/not-a-uuid/activity/",
        f"feature_flags/{their_flag.id}/activity/",
        "feature_flags/999999/activity/",
        "feature_flags/abc/activity/",
        "feature_flags/99999999999999999999999/activity/",
    ):
        assert_error(tenant.client.get(tenant.url(path)), 404, code="not_found", detail="Not found.")


def test_a_deleted_tour_keeps_its_history(tenant):
    tour = made_tour(tenant, "Gone")
    assert tenant.client.delete(tour_url(tenant, tour["id"])).status_code == 204
    body = tenant.client.get(tour_url(tenant, tour["id"], "activity/")).json()
    assert [r["activity"] for r in body["results"]] == ["deleted", "created"]
    assert body["results"][0]["detail"]["name"] == "Gone"


def test_flag_activity_pages(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="beta")
    other = feature_flag_create(project=tenant.project, user=tenant.user, key="other")
    feature_flag_soft_delete(flag=flag, user=tenant.user)
    body = tenant.client.get(tenant.url(f"feature_flags/{flag.id}/activity/")).json()
    assert [(r["activity"], r["item_id"]) for r in body["results"]] == [
        ("deleted", str(flag.id)),
        ("created", str(flag.id)),
    ]
    assert body["results"][0]["detail"]["changes"][0] == change("FeatureFlag", "changed", "deleted", False, True)
    body = tenant.client.get(tenant.url("feature_flags/activity")).json()  # no trailing slash
    assert [r["item_id"] for r in body["results"]] == [str(flag.id), str(other.id), str(flag.id)]
    assert body["total_count"] == 3


def test_a_tours_internal_flag_shows_in_the_flag_activity(tenant):
    tour = create(tenant, {"name": "Auto", "auto_launch": True}).json()
    flag_id = tour["internal_targeting_flag"]["id"]
    assert tenant.client.delete(tour_url(tenant, tour["id"])).status_code == 204
    body = tenant.client.get(tenant.url(f"feature_flags/{flag_id}/activity/")).json()  # flag row is gone
    assert [r["activity"] for r in body["results"]] == ["deleted", "created"]


def test_system_entries_show_the_system_user(tenant):
    tour = make_tour(tenant.project, name="A")
    log(tenant, item_id=str(tour.id), activity="updated", user=None)  # dropped: no changes
    log_activity(
        organization_id=tenant.organization.id, project_id=tenant.project.id, user=None, item_id=tour.id,
        scope="ProductTour", activity="launched", detail=Detail(name="A"),
    )  # fmt: skip
    (entry,) = tenant.client.get(tour_url(tenant, tour.id, "activity/")).json()["results"]
    assert entry["user"] == {"first_name": "System", "email": None, "is_system": True}


# --- the project log -------------------------------------------------------------------------


def test_project_log_shape(tenant):
    tour = made_tour(tenant, "A")
    response = tenant.client.get(tenant.url("activity_log/"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    (entry,) = body["results"]
    assert set(entry) == {
        "id", "organization_id", "user", "was_impersonated", "is_system", "activity", "item_id", "scope",
        "detail", "created_at", "unread",
    }  # fmt: skip
    assert entry["organization_id"] == str(tenant.organization.id)
    assert entry["user"]["id"] == tenant.user.id and entry["user"]["email"] == tenant.user.email
    assert (entry["activity"], entry["scope"], entry["item_id"]) == ("created", "ProductTour", tour["id"])
    assert (entry["was_impersonated"], entry["is_system"], entry["unread"]) == (False, False, False)
    assert entry["detail"]["name"] == "A" and "context" in entry["detail"]


def test_project_log_cursor_pages_of_100(tenant):
    for i in range(101):
        log(tenant, name=f"n{i}")
    body = tenant.client.get(tenant.url("activity_log/")).json()
    assert len(body["results"]) == 100 and body["previous"] is None
    assert body["results"][0]["detail"]["name"] == "n100"
    last = tenant.client.get(body["next"]).json()
    assert [r["detail"]["name"] for r in last["results"]] == ["n0"]
    assert last["next"] is None and last["previous"] is not None
    assert_error(tenant.client.get(tenant.url("activity_log/"), {"cursor": "garbage"}), 404, code="not_found")


def test_project_log_filters(tenant):
    other_user = tenant.user.__class__.objects.create_user(email="other@example.com")
    log(tenant, scope="ProductTour", item_id="t1", user=tenant.user, name="mine")
    log(tenant, scope="FeatureFlag", item_id="1", user=other_user, name="flag")
    log(tenant, scope="ProductTour", item_id="t2", user=other_user, name="theirs")

    def names(**params):
        response = tenant.client.get(tenant.url("activity_log/"), params)
        assert response.status_code == 200, response.content
        return [r["detail"]["name"] for r in response.json()["results"]]

    assert names(scope="ProductTour") == ["theirs", "mine"]
    assert names(item_id="t1") == ["mine"]
    assert names(scope="FeatureFlag", item_id="t1") == []
    assert names(user=str(other_user.id)) == ["theirs", "flag"]
    assert names(user=str(other_user.uuid)) == ["theirs", "flag"]
    assert names(user=str(other_user.id), scope="ProductTour") == ["theirs"]
    assert names(scope="") == ["theirs", "flag", "mine"]
    assert_error(tenant.client.get(tenant.url("activity_log/"), {"user": "bob"}), 400, attr="user")
    assert_error(
        tenant.client.get(tenant.url("activity_log/"), {"item_id": "a\x00b"}), 400, attr="item_id",
        detail="Null characters are not allowed.",
    )  # fmt: skip


# --- scopes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["product_tours/activity/", "product_tours/{tour}/activity/", "feature_flags/activity/",
     "feature_flags/{flag}/activity/", "activity_log/"],
)  # fmt: skip
def test_activity_needs_activity_log_read(tenant, path):
    tour = make_tour(tenant.project, name="A")
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="f")
    url = tenant.url(path.format(tour=tour.id, flag=flag.id))
    for scopes in (["product_tour:write"], ["feature_flag:write"], ["product_tour:read", "feature_flag:read"]):
        assert_error(tenant.client_with_scopes(*scopes).get(url), 403, code="permission_denied", detail=SCOPE_MISSING)
    assert tenant.client_with_scopes("activity_log:read").get(url).status_code == 200
    assert tenant.client_with_scopes("activity_log:write").get(url).status_code == 200


def test_session_users_need_no_scope(client, tenant):
    made_tour(tenant)
    client.force_login(tenant.user)
    assert client.get(tenant.url("activity_log/")).status_code == 200
    assert client.get(tenant.url("product_tours/activity/")).json()["total_count"] == 1


def test_other_methods_are_405(tenant):
    assert_error(tenant.client.post(tenant.url("activity_log/"), {}, format="json"), 405)
    assert_error(tenant.client.delete(tenant.url("product_tours/activity/")), 405)


def test_anonymous_is_401(anon_client, tenant):
    assert_error(anon_client.get(tenant.url("activity_log/")), 401)
    assert_error(anon_client.get(tenant.url("product_tours/activity/")), 401)


# --- isolation -------------------------------------------------------------------------------


def test_entries_of_another_project_never_appear(tenant, other_tenant):
    tour = made_tour(other_tenant, "Theirs")
    feature_flag_create(project=other_tenant.project, user=other_tenant.user, key="theirs")
    log(other_tenant, scope="ProductTour", item_id=tour["id"])
    for path in ("activity_log/", "product_tours/activity/", "feature_flags/activity/"):
        body = tenant.client.get(tenant.url(path)).json()
        assert body["results"] == [], path
    assert tenant.client.get(tenant.url("activity_log/"), {"item_id": tour["id"]}).json()["results"] == []
    # Another organization's project itself: 403, as everywhere.
    assert_error(
        tenant.client.get(other_tenant.url("activity_log/")), 403, detail="You don't have access to the project."
    )
    assert_error(tenant.client.get(tenant.url("activity_log/").replace(str(tenant.project.id), "987654")), 404)


def test_a_key_scoped_to_another_project_is_refused(tenant):
    from tests.factories import ProjectFactory

    elsewhere = ProjectFactory(organization=tenant.organization)
    client = tenant.client_with_scopes("activity_log:read", scoped_projects=[elsewhere.id])
    assert_error(
        client.get(tenant.url("activity_log/")), 403,
        detail=f"API key does not have access to the requested project: ID {tenant.project.id}.",
    )  # fmt: skip
    assert client.get(f"/api/projects/{elsewhere.id}/activity_log/").status_code == 200
