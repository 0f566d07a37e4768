"""posthog-js (the real browser SDK) against this service: the right tour for the right person.

The server is gunicorn on the PostgreSQL test database; the page is served from the same origin and
loads posthog-js from /static/. Tours are created and edited through the REST API like a user would.
"""

import time
from datetime import UTC, datetime

import httpx
import pytest

from flags.persons import person_properties_get
from tests.support.tenants import make_tenant

pytestmark = pytest.mark.django_db(transaction=True)

SHOWN_TEXT_JS = """
const host = document.querySelector('[class*="ph-product-tour-container-' + arguments[0] + '"]');
if (!host || !host.shadowRoot) return null;
const box = host.shadowRoot.querySelector('.ph-tour-tooltip, .ph-tour-modal, [class*="ph-tour-"]');
return box ? box.innerText : host.shadowRoot.textContent;
"""


def step(step_id: str, text: str) -> dict:
    return {
        "id": step_id,
        "type": "modal",
        "progressionTrigger": "button",
        "contentHtml": f"<h1>{text}</h1>",
        "content": {
            "type": "doc",
            "content": [{"type": "heading", "attrs": {"level": 1}, "content": [{"type": "text", "text": text}]}],
        },
    }


class Api:
    def __init__(self, base_url: str, tenant):
        self.tenant = tenant
        self.client = httpx.Client(
            base_url=f"{base_url}/api/projects/{tenant.project.id}",
            headers={"Authorization": f"Bearer {tenant.key}"},
            timeout=15,
        )

    def tour_create(self, **body) -> dict:
        body.setdefault("auto_launch", True)
        body.setdefault("start_date", datetime.now(UTC).isoformat())
        response = self.client.post("/product_tours/", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()


def open_app(driver, base_url: str, token: str, distinct_id: str, plan: str | None = None, *, fresh: bool = True):
    params = f"token={token}&distinct_id={distinct_id}" + (f"&plan={plan}" if plan else "")
    if fresh:
        # A new visitor: nothing remembered in the browser (display frequency, identity, cached tours, the
        # tour in progress). Cleared from a page of the same origin that runs no SDK: cleared from the app
        # page itself, posthog-js could still show a tour there after the clear and save it as in progress,
        # and the next load would resume it instead of showing it (no `product tour shown` event).
        driver.get(f"{base_url}/_health")
        driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.get(f"{base_url}/_test/app.html?{params}")


def wait_for_tour_text(driver, tour_id: str, timeout: float = 30.0) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = driver.execute_script(SHOWN_TEXT_JS, tour_id)
        if text:
            return text
        time.sleep(0.25)
    return None


FLAG_FOR_JS = """
const loads = (window.__flagLoads || []).filter(l => l.distinctId === arguments[0]);
if (!loads.length) return null;
const value = loads[loads.length - 1].flags[arguments[1]];
return value === undefined ? false : value;
"""


def flag_seen_by_browser(driver, distinct_id: str, flag_key: str, timeout: float = 30.0):
    """The value posthog-js received from /flags for this person (after identify), or None if none came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(FLAG_FOR_JS, distinct_id, flag_key)
        if value is not None:
            return value
        time.sleep(0.25)
    return None


def assert_not_shown(driver, tour: dict, distinct_id: str) -> None:
    """The SDK got its flag decision for this person, it was negative, and no tour appeared."""
    assert flag_seen_by_browser(driver, distinct_id, tour["internal_targeting_flag"]["key"]) is False
    assert wait_for_tour_text(driver, tour["id"], timeout=4) is None


def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


PRO_TARGETING = {"groups": [{"properties": [{"key": "plan", "value": "pro", "operator": "exact", "type": "person"}]}]}


def test_tour_shown_only_to_targeted_person_then_never_again_after_done(live_server_url, browser):
    tenant = make_tenant()
    api = Api(live_server_url, tenant)
    tour = api.tour_create(
        name="Pro onboarding",
        content={"steps": [step("s1", "Welcome, pro user")], "displayFrequency": "until_interacted"},
        targeting_flag_filters=PRO_TARGETING,
    )
    token = tenant.project.api_token

    open_app(browser, live_server_url, token, "free-user", plan="free")
    assert_not_shown(browser, tour, "free-user")

    open_app(browser, live_server_url, token, "pro-user", plan="pro")
    assert flag_seen_by_browser(browser, "pro-user", tour["internal_targeting_flag"]["key"]) is True
    text = wait_for_tour_text(browser, tour["id"])
    assert text is not None and "Welcome, pro user" in text

    # Done on the last step: posthog-js sets $product_tour_completed/<id> on the person.
    browser.execute_script(
        """const host = document.querySelector('[class*="ph-product-tour-container-' + arguments[0] + '"]');
        host.shadowRoot.querySelector('.ph-tour-button--primary').click();""",
        tour["id"],
    )
    completed = f"$product_tour_completed/{tour['id']}"
    assert wait_until(lambda: completed in person_properties_get(project_id=tenant.project.id, distinct_id="pro-user"))

    # Same person, browser storage cleared: the server-side flag now excludes them.
    open_app(browser, live_server_url, token, "pro-user", plan="pro")
    assert_not_shown(browser, tour, "pro-user")


def test_show_once_tour_not_shown_again_after_first_display(live_server_url, browser):
    tenant = make_tenant()
    api = Api(live_server_url, tenant)
    tour = api.tour_create(
        name="Once",
        content={"steps": [step("s1", "Only once")], "displayFrequency": "show_once"},
    )
    token = tenant.project.api_token
    open_app(browser, live_server_url, token, "someone")
    assert "Only once" in (wait_for_tour_text(browser, tour["id"]) or "")
    shown = f"$product_tour_shown/{tour['id']}"
    assert wait_until(lambda: shown in person_properties_get(project_id=tenant.project.id, distinct_id="someone"))

    open_app(browser, live_server_url, token, "someone")
    assert_not_shown(browser, tour, "someone")


def test_draft_reaches_the_browser_only_after_publish(live_server_url, browser):
    tenant = make_tenant()
    api = Api(live_server_url, tenant)
    tour = api.tour_create(name="Always", content={"steps": [step("s1", "Live text")], "displayFrequency": "always"})
    token = tenant.project.api_token

    api.call(
        "PATCH",
        f"/product_tours/{tour['id']}/draft/",
        json={"content": {"steps": [step("s1", "Draft text")], "displayFrequency": "always"}},
    )
    open_app(browser, live_server_url, token, "viewer")
    text = wait_for_tour_text(browser, tour["id"])
    assert text is not None and "Live text" in text and "Draft text" not in text

    published = api.call("POST", f"/product_tours/{tour['id']}/publish_draft/")
    assert published["has_draft"] is False
    open_app(browser, live_server_url, token, "viewer")
    text = wait_for_tour_text(browser, tour["id"])
    assert text is not None and "Draft text" in text
