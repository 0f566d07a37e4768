"""DESIGN.md §3.5 under real concurrency: threads with their own PostgreSQL connections hit the API at once.

SQLite has no row locks (it serialises writers on the whole file), so these run on PostgreSQL only.
"""

import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from flags.models import FeatureFlag
from tests.support.tenants import make_tenant
from tests.support.tours import make_tour, tour_url
from tours.models import ProductTour
from tours.services.drafts import DRAFTABLE_FIELDS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="row locks need PostgreSQL"
    ),
]


def run_together(calls: list[Callable[[APIClient], object]], key: str) -> list:
    """Run each call in its own thread (own client, own DB connection), released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index](client)
        except Exception as exc:  # reported by the assertions below, not lost in the thread
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def value_for(field: str, index: int):
    """A value unique to thread `index` (auto_launch has only one value other than the seed's)."""
    return {
        "name": f"name {index}",
        "description": f"description {index}",
        "content": {"steps": [{"id": f"step-{index}"}]},
        "auto_launch": True,
        "targeting_flag_filters": {"groups": [{"properties": [{"key": f"k{index}", "value": "v", "type": "person"}]}]},
        "linked_flag_id": 1000 + index,
    }[field]


SEED = {
    "name": "seed",
    "description": "seed",
    "content": {"steps": []},
    "auto_launch": False,
    "targeting_flag_filters": None,
    "linked_flag_id": None,
}


def test_parallel_draft_saves_of_different_fields_lose_nothing():
    tenant = make_tenant()
    tour = make_tour(tenant.project, name="Contended")
    url = tour_url(tenant, tour.id, "draft/")
    assert tenant.client.patch(url, SEED, format="json").status_code == 200

    sent: dict[str, list] = {field: [] for field in DRAFTABLE_FIELDS}
    calls = []
    for index in range(20):
        field = DRAFTABLE_FIELDS[index % len(DRAFTABLE_FIELDS)]
        body = {field: value_for(field, index)}
        sent[field].append(body[field])
        calls.append(lambda client, body=body: client.patch(url, body, format="json"))

    responses = run_together(calls, tenant.key)
    assert [getattr(r, "status_code", r) for r in responses] == [200] * 20

    # A lost update (read-merge-write without the lock) puts some field back to its seed value.
    draft = ProductTour.objects.get(pk=tour.id).draft_content
    assert set(draft) == set(DRAFTABLE_FIELDS)
    for field in DRAFTABLE_FIELDS:
        assert draft[field] != SEED[field] and draft[field] in sent[field], (field, draft[field])
    live = ProductTour.objects.get(pk=tour.id)
    assert (live.name, live.auto_launch, live.internal_targeting_flag_id) == ("Contended", False, None)


@pytest.mark.parametrize("with_body", [False, True], ids=["draft-only", "body-in-each-publish"])
def test_parallel_publishes_create_exactly_one_flag(with_body):
    tenant = make_tenant()
    tour = make_tour(tenant.project, name="Launch once")
    base = tour_url(tenant, tour.id)
    assert tenant.client.patch(f"{base}draft/", {"auto_launch": True}, format="json").status_code == 200

    if with_body:
        calls = [
            lambda client, i=i: client.post(f"{base}publish_draft/", {"auto_launch": True, "description": f"d{i}"}, format="json")
            for i in range(10)
        ]  # fmt: skip
    else:
        calls = [lambda client: client.post(f"{base}publish_draft/") for _ in range(10)]
    responses = run_together(calls, tenant.key)

    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    if with_body:
        assert statuses == [200] * 10  # each publish saves its own body under the lock, so each has a draft
    else:
        assert statuses == [200] + [400] * 9  # the first publish clears the draft the others wanted
        assert {r.json()["detail"] for r in responses if r.status_code == 400} == {"No draft to publish."}

    flags = list(FeatureFlag.objects.filter(project=tenant.project, key__startswith="product-tour-targeting-"))
    assert len(flags) == 1
    tour.refresh_from_db()
    assert tour.internal_targeting_flag_id == flags[0].id and tour.auto_launch is True
    assert tour.draft_content is None


def test_parallel_if_match_writes_only_one_wins():
    """The If-Match check runs under the row lock: of N writers holding the same tag exactly one succeeds."""
    tenant = make_tenant()
    tour = make_tour(tenant.project, name="Tagged")
    url = tour_url(tenant, tour.id)
    tag = tenant.client.get(url)["ETag"]
    calls = []
    for index in range(10):
        kind, body = ("draft/", {"name": f"draft {index}"}) if index % 2 else ("", {"description": f"live {index}"})
        calls.append(
            lambda client, kind=kind, body=body: client.patch(f"{url}{kind}", body, format="json", HTTP_IF_MATCH=tag)
        )
    statuses = sorted(getattr(r, "status_code", r) for r in run_together(calls, tenant.key))
    assert statuses == [200] + [412] * 9


def test_saves_racing_a_publish_are_never_lost():
    """A publish never interleaves with a merge, so the last save either was published or is the draft.

    Writes happen under the row lock and stamp `updated_at` there, so response timestamps give the
    commit order. Interleaved, a save committed between the publish reading and clearing the draft
    would vanish: older than the publish, yet neither live nor in the draft.
    """
    tenant = make_tenant()
    tour = make_tour(tenant.project, name="Racing")
    base = tour_url(tenant, tour.id)
    assert tenant.client.patch(f"{base}draft/", {"name": "Published"}, format="json").status_code == 200
    bodies = [{"description": f"d{i}", "content": {"steps": [{"id": f"s{i}"}]}} for i in range(12)]
    calls = [lambda client, body=body: client.patch(f"{base}draft/", body, format="json") for body in bodies]
    calls.insert(6, lambda client: client.post(f"{base}publish_draft/"))
    responses = run_together(calls, tenant.key)
    assert [getattr(r, "status_code", r) for r in responses] == [200] * 13

    published = responses.pop(6).json()
    last = max((r.json() for r in responses), key=lambda body: datetime.fromisoformat(body["updated_at"]))
    tour.refresh_from_db()
    assert tour.name == "Published"
    if datetime.fromisoformat(last["updated_at"]) > datetime.fromisoformat(published["updated_at"]):
        assert tour.draft_content == last["draft_content"]
    else:
        assert tour.draft_content is None
        assert (tour.description, tour.content) == (
            last["draft_content"]["description"],
            last["draft_content"]["content"],
        )
