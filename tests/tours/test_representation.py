"""One tour shape everywhere: list, search, retrieve and write responses all render through
`ProductTourSerializer`; list pages carry a weak ETag derived from the project's revision. Both databases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.renderers import datetime_render
from tests.support.tours import create, make_flag, make_tour, patch, tour_url, tours_url
from tours.models import ProductTour
from tours.services.targeting import targeting_filters_strip

pytestmark = pytest.mark.django_db

LEGACY_STEP = {"id": "s1", "type": "element", "selector": "#go", "content": None}
BIG = 123456789012345678901234567890  # beyond 64 bits: orjson refuses it, the API must not


def _listed(tenant, tour_id, **params) -> dict:
    body = tenant.client.get(tours_url(tenant), {"limit": 1000, **params}).json()
    return next(row for row in body["results"] if row["id"] == str(tour_id))


def _retrieved(tenant, tour_id) -> dict:
    response = tenant.client.get(tour_url(tenant, tour_id))
    assert response.status_code == 200, response.content
    return response.json()


def test_list_retrieve_and_write_responses_agree(tenant):
    tenant.user.first_name, tenant.user.hedgehog_config = "Ada", {"color": "blue", "use_as_profile": True}
    tenant.user.save()
    linked = make_flag(tenant.project, key="beta")
    targeting = {"groups": [{"properties": [{"key": "plan", "value": ["pro"], "operator": "exact", "type": "person"}]}]}
    created = create(tenant, {"name": "Everything", "description": "Ünïcode ✓", "auto_launch": True,
                              "linked_flag_id": linked.id, "targeting_flag_filters": targeting,
                              "content": {"steps": [LEGACY_STEP], "appearance": {"radius": BIG}}})  # fmt: skip
    assert created.status_code == 201, created.content
    tour_id = created.json()["id"]
    drafted = tenant.client.patch(tour_url(tenant, tour_id, "draft/"), {"name": "Draft name"}, format="json")
    assert drafted.status_code == 200

    listed, retrieved, draft_response = _listed(tenant, tour_id), _retrieved(tenant, tour_id), drafted.json()
    assert listed == retrieved == draft_response
    assert retrieved["content"]["steps"][0] == {**LEGACY_STEP, "type": "modal", "elementTargeting": "auto"}
    assert retrieved["content"]["appearance"] == {"radius": BIG}
    assert retrieved["targeting_flag_filters"]["groups"][0]["properties"] == targeting["groups"][0]["properties"]
    tour = ProductTour.objects.select_related("internal_targeting_flag").get(pk=tour_id)
    assert retrieved["targeting_flag_filters"] == targeting_filters_strip(
        tour_id=tour_id, filters=tour.internal_targeting_flag.filters
    )
    assert retrieved["internal_targeting_flag"]["filters"] == tour.internal_targeting_flag.filters
    assert retrieved["internal_targeting_flag"]["team_id"] == tenant.project.id
    assert retrieved["linked_flag"]["key"] == "beta" and retrieved["linked_flag"]["evaluation_tags"] == []
    assert retrieved["description"] == "Ünïcode ✓"
    assert retrieved["has_draft"] is True and retrieved["draft_content"]["name"] == "Draft name"
    assert retrieved["created_by"]["first_name"] == "Ada"
    assert retrieved["created_by"]["hedgehog_config"] == {"use_as_profile": True, "color": "blue",
                                                          "accessories": None, "skin": None}  # fmt: skip
    assert retrieved["created_by"]["uuid"] == str(tenant.user.uuid)
    assert retrieved["created_at"].endswith("Z") and retrieved["updated_at"] == datetime_render(tour.updated_at)


def test_tour_without_flags_creator_or_draft(tenant):
    tour = make_tour(tenant.project, name="Bare", content={"steps": []})
    for body in (_listed(tenant, tour.id), _retrieved(tenant, tour.id)):
        assert body["internal_targeting_flag"] is None and body["linked_flag"] is None
        assert body["targeting_flag_filters"] is None
        assert body["created_by"] is None
        assert body["draft_content"] is None and body["has_draft"] is False
        assert body["content"] == {"steps": []}
        assert body["start_date"] is None and body["end_date"] is None


def test_edit_shows_at_once(tenant):
    tour = make_tour(tenant.project, name="Memo", content={"steps": [LEGACY_STEP]})
    assert _retrieved(tenant, tour.id)["content"]["steps"][0]["type"] == "modal"
    assert (
        patch(tenant, tour.id, {"content": {"steps": [{"id": "s1", "type": "modal", "title": "New"}]}}).status_code
        == 200
    )
    assert _retrieved(tenant, tour.id)["content"]["steps"] == [{"id": "s1", "type": "modal", "title": "New"}]
    assert _listed(tenant, tour.id)["content"]["steps"][0]["title"] == "New"


def test_search_results_carry_the_match_type(tenant):
    make_tour(tenant.project, name="Invoices tour", created_by=tenant.user)
    body = tenant.client.get(tours_url(tenant), {"search": "invoices"}).json()
    assert [(row["name"], row["search_match_type"]) for row in body["results"]] == [("Invoices tour", "exact")]
    assert body["results"][0]["created_by"]["email"] == tenant.user.email
    assert "search_match_type" not in tenant.client.get(tours_url(tenant)).json()["results"][0]


def _count_queries(tenant, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert tenant.client.get(url, **headers).status_code in (200, 304)
    return len(queries)


@pytest.mark.parametrize("tours", [5, 40])
def test_list_and_retrieve_query_counts_do_not_grow_with_tours(tenant, tours):
    """Key, project (with membership and revision), then a list reads its page and count, a retrieve its tour
    with both flags and the creator joined; a revalidated list page reads nothing more."""
    flag = make_flag(tenant.project, key="q-flag")
    creator = User.objects.create_user(email="other@example.com")
    ids = [make_tour(tenant.project, name=f"Q{i}", linked_flag=flag, created_by=creator).id for i in range(tours)]
    tenant.client.get(tenant.url())  # the key's first use writes `last_used_at` (hourly)
    assert _count_queries(tenant, tour_url(tenant, ids[0])) == 3
    assert _count_queries(tenant, tours_url(tenant)) == 4
    etag = tenant.client.get(tours_url(tenant))["ETag"]
    assert _count_queries(tenant, tours_url(tenant), HTTP_IF_NONE_MATCH=etag) == 2


def test_list_etag_revalidates_until_any_shown_row_changes(tenant):
    """The page's tag follows the project's revision, which moves with writes that bypass the ORM too."""
    linked = make_flag(tenant.project, key="versioned")
    tour = make_tour(tenant.project, name="Versioned", linked_flag=linked, created_by=tenant.user)

    def revalidate():
        first = tenant.client.get(tours_url(tenant))
        assert first["ETag"].startswith('W/"')
        again = tenant.client.get(tours_url(tenant), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
        return first["ETag"]

    tags = [revalidate()]
    assert tenant.client.get(tours_url(tenant), {"limit": 1}).get("ETag") != tags[0]  # per request
    ProductTour.objects.filter(pk=tour.pk).update(name="Renamed by update()")
    tags.append(revalidate())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE flags_featureflag SET key = 'raw-sql' WHERE id = %s", [linked.id])
    tags.append(revalidate())
    User.objects.filter(pk=tenant.user.pk).update(first_name="Grace")
    tags.append(revalidate())
    assert len(set(tags)) == 4
    row = tenant.client.get(tours_url(tenant)).json()["results"][0]
    assert (row["name"], row["linked_flag"]["key"], row["created_by"]["first_name"]) == (
        "Renamed by update()",
        "raw-sql",
        "Grace",
    )
    stale = tenant.client.get(tours_url(tenant), HTTP_IF_NONE_MATCH=tags[0])
    assert stale.status_code == 200 and stale["ETag"] == tags[-1]


def test_unknown_and_foreign_ids_are_404(tenant, other_tenant):
    foreign = make_tour(other_tenant.project, name="Theirs")
    for tour_id in (foreign.id, "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = tenant.client.get(tour_url(tenant, tour_id))
        assert response.status_code == 404
        assert response.json()["type"] == "invalid_request"
