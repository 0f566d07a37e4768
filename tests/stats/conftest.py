import pytest
from django.test import Client

from tests.support.stats import launch_tour


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_ORIGIN="https://shop.example.com")


@pytest.fixture
def tour(tenant) -> dict:
    return launch_tour(tenant)
