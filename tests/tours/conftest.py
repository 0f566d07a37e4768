import pytest

from tours.services import tours as tour_services


@pytest.fixture
def events():
    """Analytics events the tour services emit, as (event, properties) pairs."""
    recorded: list[tuple[str, dict]] = []

    def hook(event, *, user, tour_id, properties):
        recorded.append((event, {"tour_id": tour_id, **properties}))

    tour_services.EVENT_HOOKS.append(hook)
    yield recorded
    tour_services.EVENT_HOOKS.remove(hook)
