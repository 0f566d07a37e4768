"""DESIGN.md §3.5: every tour response carries an ETag; If-Match is optional, stale → 412 and nothing changes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.errors import PreconditionFailed
from core.etags import if_match_satisfied
from tests.support.errors import assert_error
from tests.support.tours import create, make_tour, tour_url, tours_url
from tours.models import ProductTour
from tours.services.etags import if_match_check, tour_etag

STALE_DETAIL = "The resource has changed since it was fetched (If-Match does not match its ETag)."
ETAG = '"0123456789abcdef0123456789abcdef"'


# --- pure -----------------------------------------------------------------------------------


def test_tour_etag_is_a_strong_quoted_tag_of_id_and_updated_at():
    moment = datetime(2025, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    tag = tour_etag(tour_id="a", updated_at=moment)
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34 and not tag.startswith("W/")
    assert tag == tour_etag(tour_id="a", updated_at=moment.astimezone(timezone(timedelta(hours=5))))  # same instant
    assert tag != tour_etag(tour_id="b", updated_at=moment)
    assert tag != tour_etag(tour_id="a", updated_at=moment + timedelta(microseconds=1))


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (ETAG, True),
        ("*", True),
        (f'"other", {ETAG}', True),
        (ETAG.strip('"'), True),  # unquoted, as hand-written curl commands send it
        (f"W/{ETAG}", False),  # If-Match uses the strong comparison
        ('"other"', False),
        ("garbage", False),
    ],
)
def test_if_match_satisfied(header, ok):
    assert if_match_satisfied(header=header, etag=ETAG) is ok


@pytest.mark.parametrize("header", [None, "", "   "])
def test_absent_if_match_passes(header):
    if_match_check(header=header, etag=ETAG)


def test_stale_if_match_raises():
    with pytest.raises(PreconditionFailed):
        if_match_check(header='"old"', etag=ETAG)


# --- ETag on responses ----------------------------------------------------------------------


def etag_of(tour_id) -> str:
    tour = ProductTour.objects.get(pk=tour_id)
    return tour_etag(tour_id=tour.pk, updated_at=tour.updated_at)


@pytest.mark.django_db
def test_responses_carry_the_current_etag(tenant):
    created = create(tenant, {"name": "Tagged"})
    tour_id = created.json()["id"]
    assert created.status_code == 201 and created["ETag"] == etag_of(tour_id)

    retrieved = tenant.client.get(tour_url(tenant, tour_id))
    status = tenant.client.get(tour_url(tenant, tour_id, "draft_status/"))
    assert retrieved["ETag"] == status["ETag"] == created["ETag"]

    client = tenant.client
    requests = [
        lambda: client.patch(tour_url(tenant, tour_id), {"description": "x"}, format="json"),
        lambda: client.put(tour_url(tenant, tour_id), {"name": "Tagged"}, format="json"),
        lambda: client.patch(tour_url(tenant, tour_id, "draft/"), {"name": "D"}, format="json"),
        lambda: client.get(tour_url(tenant, tour_id, "draft_status/")),
        lambda: client.delete(tour_url(tenant, tour_id, "discard_draft/")),
        lambda: client.post(tour_url(tenant, tour_id, "publish_draft/"), {"name": "P"}, format="json"),
    ]
    seen = [created["ETag"]]
    for request in requests:
        response = request()
        assert response.status_code == 200, response.json()
        assert response["ETag"] == etag_of(tour_id)
        seen.append(response["ETag"])
    # Every write moved the tag (draft_status after the draft save repeats it).
    assert seen[4] == seen[3] and len(set(seen)) == len(seen) - 1


@pytest.mark.django_db
def test_delete_has_no_etag_and_a_list_a_weak_one(tenant):
    tour = make_tour(tenant.project)
    assert tenant.client.get(tours_url(tenant))["ETag"].startswith('W/"')  # never satisfies If-Match
    response = tenant.client.delete(tour_url(tenant, tour.id))
    assert response.status_code == 204 and "ETag" not in response


# --- If-Match on every writing operation ----------------------------------------------------

# (method, path suffix, body, success status)
OPERATIONS = {
    "patch": ("patch", "", {"name": "Changed"}, 200),
    "put": ("put", "", {"name": "Changed"}, 200),
    "delete": ("delete", "", None, 204),
    "draft": ("patch", "draft/", {"name": "Changed"}, 200),
    "publish_draft": ("post", "publish_draft/", {"name": "Changed"}, 200),
    "publish_draft_no_body": ("post", "publish_draft/", None, 200),
    "discard_draft": ("delete", "discard_draft/", None, 200),
    "draft_status": ("get", "draft_status/", None, 200),
}


def send(tenant, tour_id, operation, if_match=None):
    method, suffix, body, _ = OPERATIONS[operation]
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    url = tour_url(tenant, tour_id, suffix)
    if body is None:
        return getattr(tenant.client, method)(url, **headers)
    return getattr(tenant.client, method)(url, body, format="json", **headers)


def snapshot(tour_id):
    return ProductTour.objects.filter(pk=tour_id).values("name", "draft_content", "updated_at").first()


@pytest.fixture
def tour(tenant):
    return make_tour(tenant.project, name="Original", draft_content={"name": "Drafted"})


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS)
def test_stale_if_match_is_412_and_changes_nothing(tenant, tour, operation):
    stale = etag_of(tour.id)
    ProductTour.objects.filter(pk=tour.id).update(updated_at=tour.updated_at + timedelta(seconds=1))  # a write
    before = snapshot(tour.id)
    response = send(tenant, tour.id, operation, if_match=stale)
    assert_error(response, 412, type="invalid_request", code="precondition_failed", detail=STALE_DETAIL, attr=None)
    assert snapshot(tour.id) == before


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("which", ["fresh", "absent", "star", "list"])
def test_matching_or_absent_if_match_succeeds(tenant, tour, operation, which):
    header = {"fresh": etag_of(tour.id), "absent": None, "star": "*", "list": f'"nope", {etag_of(tour.id)}'}[which]
    response = send(tenant, tour.id, operation, if_match=header)
    expected = OPERATIONS[operation][3]
    assert response.status_code == expected, response.content
    if expected == 204:
        assert not ProductTour.objects.filter(pk=tour.id).exists()
    elif operation != "draft_status":
        assert snapshot(tour.id)["updated_at"] > tour.updated_at
        assert response["ETag"] == etag_of(tour.id)


@pytest.mark.django_db
def test_weak_tag_does_not_match(tenant, tour):
    response = send(tenant, tour.id, "patch", if_match=f"W/{etag_of(tour.id)}")
    assert_error(response, 412, code="precondition_failed")


@pytest.mark.django_db
def test_lost_update_is_prevented(tenant, tour):
    """Two editors read the same version; the second write is refused instead of silently overwriting."""
    tag = tenant.client.get(tour_url(tenant, tour.id))["ETag"]
    first = send(tenant, tour.id, "draft", if_match=tag)
    assert first.status_code == 200
    second = tenant.client.patch(
        tour_url(tenant, tour.id, "draft/"), {"description": "B"}, format="json", HTTP_IF_MATCH=tag
    )
    assert_error(second, 412, code="precondition_failed")
    assert ProductTour.objects.get(pk=tour.id).draft_content == {"name": "Changed"}
    third = tenant.client.patch(
        tour_url(tenant, tour.id, "draft/"), {"description": "B"}, format="json", HTTP_IF_MATCH=first["ETag"]
    )
    assert third.status_code == 200
    assert ProductTour.objects.get(pk=tour.id).draft_content == {"name": "Changed", "description": "B"}


@pytest.mark.django_db
def test_stale_publish_with_body_merges_nothing(tenant, tour):
    stale = etag_of(tour.id)
    send(tenant, tour.id, "draft")
    response = tenant.client.post(
        tour_url(tenant, tour.id, "publish_draft/"), {"description": "Late"}, format="json", HTTP_IF_MATCH=stale
    )
    assert_error(response, 412)
    tour.refresh_from_db()
    assert tour.name == "Original" and tour.draft_content == {"name": "Changed"}


@pytest.mark.django_db
def test_if_match_star_on_another_projects_tour_is_404(tenant, other_tenant):
    theirs = make_tour(other_tenant.project)
    response = tenant.client.patch(tour_url(tenant, theirs.id, "draft/"), {"name": "x"}, format="json",
                                   HTTP_IF_MATCH="*")  # fmt: skip
    assert_error(response, 404, code="not_found")


@pytest.mark.django_db
def test_invalid_body_with_fresh_tag_is_400(tenant, tour):
    response = tenant.client.patch(
        tour_url(tenant, tour.id), {"content": "nope"}, format="json", HTTP_IF_MATCH=etag_of(tour.id)
    )
    assert_error(response, 400, attr="content")
