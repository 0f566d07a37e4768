"""Tour stats: launched tours made through the API, and the stats endpoint's answers."""

from tests.support.tours import create

STEPS = [
    {"id": "welcome", "type": "modal", "title": "Welcome"},
    {"id": "rate", "type": "survey", "survey": {"type": "rating", "questionText": "How easy was it?", "scale": 5}},
    {"id": "finish", "type": "modal", "title": "Done"},
]


def launch_tour(tenant, name: str = "Onboarding", steps: list | None = None) -> dict:
    """A launched tour made through the API (its survey step gets its linked survey ids there)."""
    body = {"name": name, "start_date": "2024-12-01T00:00:00Z", "content": {"steps": steps or STEPS}}
    response = create(tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()


def stats(tenant, tour_id: str, client=None, **params):
    return (client or tenant.client).get(tenant.url(f"product_tours/{tour_id}/stats/"), params)


def stats_of(tenant, tour_id: str, **params) -> dict:
    response = stats(tenant, tour_id, **params)
    assert response.status_code == 200, response.json()
    return response.json()


def count(total: int, unique: int) -> dict:
    return {"total": total, "unique": unique}
