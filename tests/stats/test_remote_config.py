"""Remote config's `productTours` is true only while `GET /api/product_tours` would return a tour, from the
moment a REST API write answers (read-your-writes): projects without live tours skip the tours bundle."""

import pytest

from tests.support.tours import create

pytestmark = pytest.mark.django_db


def product_tours(browser, token: str) -> bool:
    """`productTours` in `/config` and `/config.js`, checked against what the tours endpoint returns."""
    config = browser.get(f"/array/{token}/config").json()["productTours"]
    script = browser.get(f"/array/{token}/config.js").content.decode()
    tours = browser.get("/api/product_tours", {"token": token}).json()["product_tours"]
    assert ('"productTours": true' in script) is config is bool(tours)
    return config


def test_follows_every_write(tenant, browser):
    token = tenant.project.api_token
    assert product_tours(browser, token) is False  # no tour at all

    draft = create(tenant, {"name": "Draft", "content": {"steps": [{"id": "s1", "type": "modal"}]}}).json()
    assert product_tours(browser, token) is False  # not launched: not served

    url = tenant.url(f"product_tours/{draft['id']}/")
    assert tenant.client.patch(url, {"start_date": "2025-01-01T00:00:00Z"}, format="json").status_code == 200
    assert product_tours(browser, token) is True

    # Stopped tours are still served (posthog-js reads the end date itself).
    assert tenant.client.patch(url, {"end_date": "2025-02-01T00:00:00Z"}, format="json").status_code == 200
    assert product_tours(browser, token) is True

    assert tenant.client.patch(url, {"archived": True}, format="json").status_code == 200
    assert product_tours(browser, token) is False

    live = create(tenant, {"name": "Live", "start_date": "2025-01-01T00:00:00Z", "content": {"steps": []}}).json()
    assert product_tours(browser, token) is True
    assert tenant.client.delete(tenant.url(f"product_tours/{live['id']}/")).status_code == 204
    assert product_tours(browser, token) is False


def test_another_projects_tour_does_not_turn_it_on(tenant, other_tenant, browser):
    create(other_tenant, {"name": "Theirs", "start_date": "2025-01-01T00:00:00Z", "content": {"steps": []}})
    assert product_tours(browser, other_tenant.project.api_token) is True
    assert product_tours(browser, tenant.project.api_token) is False
