"""Request body limit (`MAX_REQUEST_BODY_BYTES`): a 413 envelope on real endpoints, also for bodies
sent without Content-Length (chunked), which are read only up to the limit."""

import io
import json

import pytest

from flags.models import FeatureFlag
from tests.support.errors import assert_error
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

LIMIT = 2000


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT


def assert_too_large(response):
    assert_error(
        response,
        413,
        code="request_too_large",
        type="invalid_request",
        attr=None,
        detail=f"Request body is too large (limit {LIMIT} bytes).",
    )


def body_of_size(size: int, **fields) -> bytes:
    """A JSON object of exactly `size` bytes, padded through `description`."""
    base = json.dumps({**fields, "description": ""}).encode()
    body = json.dumps({**fields, "description": "d" * (size - len(base))}).encode()
    assert len(body) == size
    return body


def chunked(client, method: str, url: str, body: bytes, *, terminated: bool = True, stream=None):
    """What gunicorn hands Django for `Transfer-Encoding: chunked`: no CONTENT_LENGTH, a terminated input."""
    extra = {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": stream or io.BytesIO(body)}
    if terminated:
        extra["wsgi.input_terminated"] = True
    return client.generic(method, url, b"", content_type="application/json", **extra)


def test_oversize_tour_create_is_413_and_creates_nothing(tenant):
    response = tenant.client.post(
        tenant.url("product_tours/"), body_of_size(LIMIT + 1, name="Big"), content_type="application/json"
    )
    assert_too_large(response)
    assert not ProductTour.objects.exists()


def test_oversize_form_body_is_413(tenant):
    response = tenant.client.post(
        tenant.url("product_tours/"),
        "name=Big&description=" + "d" * LIMIT,
        content_type="application/x-www-form-urlencoded",
    )
    assert_too_large(response)
    assert not ProductTour.objects.exists()


def test_oversize_flag_patch_is_413_and_changes_nothing(tenant):
    flag = FeatureFlag.objects.create(project=tenant.project, key="limits", name="before")
    response = tenant.client.patch(tenant.url(f"feature_flags/{flag.id}/"), {"name": "x" * (LIMIT + 10)}, format="json")
    assert_too_large(response)
    flag.refresh_from_db()
    assert flag.name == "before"


def test_body_of_exactly_the_limit_is_accepted(tenant):
    response = tenant.client.post(
        tenant.url("product_tours/"), body_of_size(LIMIT, name="Exactly"), content_type="application/json"
    )
    assert response.status_code == 201, response.content[:300]


def test_chunked_oversize_body_is_413_through_the_drf_parser(tenant):
    response = chunked(tenant.client, "POST", tenant.url("product_tours/"), body_of_size(LIMIT * 50, name="Big"))
    assert_too_large(response)
    assert not ProductTour.objects.exists()


def test_chunked_oversize_body_is_413_on_flags_too(tenant):
    flag = FeatureFlag.objects.create(project=tenant.project, key="chunked", name="before")
    response = chunked(tenant.client, "PATCH", tenant.url(f"feature_flags/{flag.id}/"), body_of_size(LIMIT + 1))
    assert_too_large(response)
    flag.refresh_from_db()
    assert flag.name == "before"


def test_chunked_body_within_the_limit_is_parsed_not_dropped(tenant):
    response = chunked(tenant.client, "POST", tenant.url("product_tours/"), body_of_size(LIMIT, name="Chunked"))
    assert response.status_code == 201, response.content[:300]
    assert ProductTour.objects.get().name == "Chunked"


def test_chunked_body_is_read_at_most_one_byte_past_the_limit(tenant):
    stream = io.BytesIO(b"x" * (LIMIT * 100))
    assert_too_large(chunked(tenant.client, "POST", tenant.url("product_tours/"), b"", stream=stream))
    assert stream.tell() == LIMIT + 1


class BrokenChunks(io.RawIOBase):
    def read(self, size=-1):
        raise OSError("Invalid chunk size")  # what gunicorn's ChunkedReader raises on bad framing


def test_broken_chunked_framing_is_400_not_500(tenant):
    response = chunked(tenant.client, "POST", tenant.url("product_tours/"), b"", stream=BrokenChunks())
    assert_error(response, 400, code="parse_error", detail="Malformed chunked request body.")


def test_unterminated_input_is_not_read(tenant):
    # Without the server's word that the input ends with the body, reading could block: left alone.
    stream = io.BytesIO(body_of_size(LIMIT * 2, name="Never read"))
    chunked(tenant.client, "POST", tenant.url("product_tours/"), b"", terminated=False, stream=stream)
    assert stream.tell() == 0
    assert not ProductTour.objects.exists()
