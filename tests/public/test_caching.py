"""`GET /api/product_tours`: ETags, read-your-writes through the project revision, query counts."""

import pytest
from django.db import transaction

from accounts.models import Project
from sdk.services import tours_payload as public_tours
from tests.support.public import INVALID, get_tours, tours_of
from tests.support.tours import make_flag, make_tour
from tours.models import ProductTour

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(tenant):
    return tenant.project.api_token


def names(response) -> list[str]:
    return [tour["name"] for tour in tours_of(response)]


# --- HTTP caching -----------------------------------------------------------------------------------


def test_200_carries_strong_etag_cache_control_and_vary(client, tenant, token):
    make_tour(tenant.project, launched=True)
    response = get_tours(client, token)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert response["Vary"] == "Origin, Accept-Encoding"
    assert "Content-Encoding" not in response


@pytest.mark.parametrize("header", ["{etag}", "W/{etag}", '"nope", {etag}', "*"])
def test_if_none_match_gives_304_without_body(client, tenant, token, header):
    make_tour(tenant.project, launched=True)
    etag = get_tours(client, token)["ETag"]
    response = get_tours(client, token, HTTP_IF_NONE_MATCH=header.format(etag=etag))
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"


def test_stale_if_none_match_gives_200(client, tenant, token):
    make_tour(tenant.project, launched=True)
    response = get_tours(client, token, HTTP_IF_NONE_MATCH='"0123456789abcdef0123456789abcdef"')
    assert response.status_code == 200
    assert len(tours_of(response)) == 1


def test_if_none_match_does_not_bypass_the_token(client, tenant, token):
    make_tour(tenant.project, launched=True)
    etag = get_tours(client, token)["ETag"]
    response = get_tours(client, "phc_wrong", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 401
    assert response.json() == INVALID


# --- query counts -----------------------------------------------------------------------------------


def test_warm_request_makes_one_query(client, tenant, token, django_assert_num_queries):
    make_tour(tenant.project, launched=True, linked_flag=make_flag(tenant.project, "beta", no_groups=True))
    first = get_tours(client, token)
    with django_assert_num_queries(1):  # token → project and its revision; the payload is remembered
        second = get_tours(client, token)
    with django_assert_num_queries(1):
        not_modified = get_tours(client, token, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert not_modified.status_code == 304


@pytest.mark.parametrize("count", [1, 25])
def test_cold_request_query_count_does_not_grow_with_tours(client, tenant, token, django_assert_num_queries, count):
    for n in range(count):
        internal = make_flag(tenant.project, f"product-tour-targeting-t{n}", no_groups=True)
        make_tour(
            tenant.project,
            launched=True,
            internal_targeting_flag=internal,
            linked_flag=make_flag(tenant.project, f"l{n}", no_groups=True),
        )
    with django_assert_num_queries(2):  # token → project, then the tours with both flag keys joined
        assert len(tours_of(get_tours(client, token))) == count


# --- freshness: every write moves the project's revision in its own transaction -----------------------


def test_tour_save_shows_up(client, tenant, token):
    tour = make_tour(tenant.project, launched=True, name="Before")
    first = get_tours(client, token)
    tour.name = "After"
    tour.save()
    second = get_tours(client, token)
    assert names(second) == ["After"]
    assert second["ETag"] != first["ETag"]
    assert get_tours(client, token, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_tour_launch_archive_and_delete_show_up(client, tenant, token):
    draft = make_tour(tenant.project, launched=True, name="Draft", start_date=None)
    kept = make_tour(tenant.project, launched=True, name="Kept")
    assert names(get_tours(client, token)) == ["Kept"]
    draft.start_date = kept.start_date
    draft.save()
    assert names(get_tours(client, token)) == ["Draft", "Kept"]
    kept.archived = True
    kept.save()
    assert names(get_tours(client, token)) == ["Draft"]
    draft.delete()
    assert names(get_tours(client, token)) == []


def test_bulk_update_and_raw_sql_show_up(client, tenant, token):
    from django.db import connection

    tour = make_tour(tenant.project, launched=True, name="Before")
    get_tours(client, token)
    ProductTour.objects.filter(pk=tour.pk).update(name="Bulk")
    assert names(get_tours(client, token)) == ["Bulk"]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ProductTour._meta.db_table} SET name = %s WHERE id = %s", ["Raw", tour.pk.hex])
    assert names(get_tours(client, token)) == ["Raw"]


def test_flag_key_change_and_flag_delete_show_up(client, tenant, token):
    flag = make_flag(tenant.project, "beta", no_groups=True)
    make_tour(tenant.project, launched=True, linked_flag=flag)
    assert tours_of(get_tours(client, token))[0]["linked_flag_key"] == "beta"
    flag.key = "beta-2"
    flag.save()
    assert tours_of(get_tours(client, token))[0]["linked_flag_key"] == "beta-2"
    flag.delete()  # the tour's FK is set to null in bulk
    assert tours_of(get_tours(client, token))[0]["linked_flag_key"] is None


def test_write_in_one_project_keeps_the_other_projects_payload(client, tenant, other_tenant, django_assert_num_queries):
    make_tour(other_tenant.project, launched=True)
    tour = make_tour(tenant.project, launched=True)
    get_tours(client, tenant.project.api_token)
    get_tours(client, other_tenant.project.api_token)
    tour.save()
    with django_assert_num_queries(1):
        get_tours(client, other_tenant.project.api_token)
    with django_assert_num_queries(2):  # the payload is built again for the new revision
        get_tours(client, tenant.project.api_token)


def test_token_change_retires_the_old_token_at_once(client, tenant, token):
    make_tour(tenant.project, launched=True, name="Mine")
    assert names(get_tours(client, token)) == ["Mine"]
    new_token = "phc_rotated0123456789"
    assert get_tours(client, new_token).json() == INVALID
    project = Project.objects.get(pk=tenant.project.pk)
    project.api_token = new_token
    project.save()
    assert get_tours(client, token).json() == INVALID
    assert names(get_tours(client, new_token)) == ["Mine"]


def test_renaming_a_project_keeps_its_payload(client, tenant, token, django_assert_num_queries):
    get_tours(client, token)
    project = Project.objects.get(pk=tenant.project.pk)
    project.name = "Renamed"
    project.save()
    with django_assert_num_queries(1):
        assert get_tours(client, token).status_code == 200


def test_project_delete_retires_its_token(client, tenant, token):
    make_tour(tenant.project, launched=True)
    assert get_tours(client, token).status_code == 200
    Project.objects.get(pk=tenant.project.pk).delete()
    assert get_tours(client, token).json() == INVALID


def test_fill_racing_a_commit_is_never_served_after_it(client, tenant, token, monkeypatch):
    """The revision is read before the rows: a payload built while a write commits is remembered under
    the revision before that write, so the next request, which reads the new revision, builds again."""
    tour = make_tour(tenant.project, launched=True, name="Before")
    select = public_tours.public_tours_select

    def select_then_commit_a_write(*, project_id):
        rows = select(project_id=project_id)
        ProductTour.objects.filter(pk=tour.pk).update(name="After")
        return rows

    monkeypatch.setattr(public_tours, "public_tours_select", select_then_commit_a_write)
    assert names(get_tours(client, token)) == ["Before"]  # the racing reader itself answers with what it read
    monkeypatch.setattr(public_tours, "public_tours_select", select)
    assert names(get_tours(client, token)) == ["After"]


# --- real transactions --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_keeps_the_payload_and_a_committed_write_shows(client, django_assert_num_queries):
    from tests.support.tenants import make_tenant

    tenant = make_tenant()
    token = tenant.project.api_token
    tour = make_tour(tenant.project, launched=True, name="Before")
    first = get_tours(client, token)
    assert names(first) == ["Before"]

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            ProductTour.objects.filter(pk=tour.pk).update(name="Rolled back")
            tour.name = "Rolled back"
            tour.save()
            make_flag(tenant.project, "rolled-back-flag", no_groups=True)
            raise RuntimeError("abort")
    with django_assert_num_queries(1):  # the revision rolled back with the write: still remembered
        again = get_tours(client, token)
    assert again.content == first.content

    with transaction.atomic():
        tour.name = "Committed"
        tour.save()
    assert names(get_tours(client, token)) == ["Committed"]


@pytest.mark.django_db(transaction=True)
def test_token_change_rolled_back_keeps_the_token_working(client):
    from tests.support.tenants import make_tenant

    tenant = make_tenant()
    token = tenant.project.api_token
    assert get_tours(client, token).status_code == 200
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            project = Project.objects.get(pk=tenant.project.pk)
            project.api_token = "phc_never_committed"
            project.save()
            raise RuntimeError("abort")
    assert get_tours(client, token).status_code == 200
    assert get_tours(client, "phc_never_committed").json() == INVALID


@pytest.mark.django_db(transaction=True)
def test_new_project_token_works_at_once_even_if_probed_before(client):
    from tests.factories import OrganizationFactory

    token = "phc_chosen_in_advance_0123456789"
    assert get_tours(client, token).json() == INVALID
    Project.objects.create(organization=OrganizationFactory(), api_token=token)
    assert tours_of(get_tours(client, token)) == []


def test_if_none_match_on_post_is_ignored(client, tenant, token):
    make_tour(tenant.project, launched=True)
    etag = get_tours(client, token)["ETag"]
    response = client.post("/api/product_tours", {"token": token}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] == etag


# --- gzip -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip, deflate, br", True),  # what browsers send
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("gzip;q=zero", False),
        ("identity", False),
        ("br", False),
        ("", False),
        ("gzip;q=0, *", False),
    ],
)
def test_accept_encoding(accept_encoding, gzipped):
    from sdk.api.tours import accepts_gzip

    assert accepts_gzip(accept_encoding) is gzipped


def test_gzip_body_is_the_same_json_with_its_own_etag(client, tenant, token):
    import gzip
    import json

    make_tour(tenant.project, launched=True, name="Zipped")
    plain = get_tours(client, token)
    zipped = get_tours(client, token, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped.status_code == 200 and zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == json.loads(plain.content)
    assert len(zipped.content) < len(plain.content)
    assert zipped["ETag"] == plain["ETag"][:-1] + '-gzip"' and zipped["ETag"] != plain["ETag"]
    assert zipped["Vary"] == "Origin, Accept-Encoding"
    # Either tag revalidates: the content behind both is current.
    for etag in (plain["ETag"], zipped["ETag"]):
        not_modified = get_tours(client, token, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified["ETag"] == zipped["ETag"]
    make_tour(tenant.project, launched=True, name="Zipped 2")
    changed = get_tours(client, token, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"])
    assert changed.status_code == 200
    assert [t["name"] for t in json.loads(gzip.decompress(changed.content))["product_tours"]] == ["Zipped", "Zipped 2"]
