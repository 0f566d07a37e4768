"""Token handling, CORS, methods and malformed requests of `GET /api/product_tours`."""

import pytest

from tests.support.public import INVALID, MISSING, ORIGIN, URL, assert_cors, get_tours, tours_of
from tests.support.tours import make_tour

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(tenant):
    make_tour(tenant.project, launched=True, name="Visible")
    return tenant.project.api_token


def names(response) -> list[str]:
    return [tour["name"] for tour in tours_of(response)]


def test_missing_token_is_401_missing_api_key_with_cors(client):
    response = client.get(URL, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 401
    assert response.json() == MISSING
    assert response["Content-Type"] == "application/json"
    assert_cors(response)


@pytest.mark.parametrize("query", ["?token=", "?token=%20%20", "?api_key=", "?other=phc_x"])
def test_empty_or_blank_token_is_missing(client, query):
    response = client.get(URL + query, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 401
    assert response.json() == MISSING


@pytest.mark.parametrize(
    "bad_token",
    ["phc_doesnotexist", "x", "a" * 200, "a" * 201, "a" * 5000, "phc_\x00abc", "phc_é\u200b", "' OR 1=1 --"],
)
def test_unknown_token_is_401_invalid_api_key_identical_for_every_shape(client, token, bad_token):
    response = client.get(URL, {"token": bad_token}, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 401
    assert response.json() == INVALID
    assert_cors(response)


def test_prefix_or_case_variant_of_a_real_token_is_invalid(client, token):
    for variant in (token[:-1], token + "x", token.upper(), token[4:]):
        assert get_tours(client, variant).json() == INVALID


@pytest.mark.parametrize("bad_token", ["a" * 201, "phc_\x00abc"])
def test_impossible_tokens_are_refused_without_a_query(client, django_assert_num_queries, bad_token):
    with django_assert_num_queries(0):
        assert client.get(URL, {"token": bad_token}).json() == INVALID


def test_unknown_token_costs_one_indexed_lookup(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert get_tours(client, "phc_unknown").json() == INVALID


def test_token_from_query_token_or_api_key(client, token):
    assert names(client.get(URL, {"token": token})) == ["Visible"]
    assert names(client.get(URL + "/", {"api_key": token})) == ["Visible"]
    assert names(client.get(URL, {"token": f"  {token} "})) == ["Visible"]  # stripped, like PostHog


def test_query_token_wins_over_api_key(client, token):
    assert client.get(URL, {"token": "phc_wrong", "api_key": token}).json() == INVALID


@pytest.mark.parametrize("field", ["api_key", "token"])
def test_token_from_post_form(client, token, field):
    response = client.post(URL, {field: token}, HTTP_ORIGIN=ORIGIN)
    assert names(response) == ["Visible"]
    assert_cors(response)


@pytest.mark.parametrize(
    "body",
    [
        lambda t: {"token": t},
        lambda t: {"$token": t},
        lambda t: {"api_key": t},
        lambda t: {"properties": {"token": t}},
        lambda t: [{"token": t}, {"token": "phc_other"}],
    ],
)
def test_token_from_post_json(client, token, body):
    assert names(client.post(URL, body(token), content_type="application/json")) == ["Visible"]


def test_post_multipart_form(client, token):
    assert names(client.post(URL, {"token": token})) == ["Visible"]  # test client default: multipart


@pytest.mark.parametrize("body", [{"token": 123}, {"token": ["phc_x"]}, {"token": {"a": 1}}])
def test_non_string_json_token_is_invalid(client, token, body):
    assert client.post(URL, body, content_type="application/json").json() == INVALID


@pytest.mark.parametrize("body", [{}, [], "null", {"properties": "x"}, {"token": ""}, {"token": None}])
def test_json_without_token_is_missing(client, body):
    assert client.post(URL, body, content_type="application/json").json() == MISSING


@pytest.mark.parametrize(
    "data, content_type",
    [
        ("{not json", "application/json"),
        (b"\xff\xfe\xfd", "application/json"),
        ("[" * 100_000, "application/json"),
        ("--x\r\nbroken", "multipart/form-data; boundary="),
    ],
)
def test_malformed_post_body_is_400_envelope(client, data, content_type):
    response = client.generic("POST", URL, data, content_type=content_type, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"type", "code", "detail", "attr"}
    assert (body["type"], body["code"], body["attr"]) == ("invalid_request", "parse_error", None)
    assert_cors(response)


def test_oversize_body_is_413_envelope(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post(URL, {"token": "x" * 500}, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_options_preflight_is_empty_200_with_cors(client):
    response = client.options(URL, HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert response.status_code == 200
    assert response.content == b""
    assert_cors(response)


def test_preflight_allows_requested_tracing_headers_only(client):
    response = client.options(
        URL + "/", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_HEADERS="traceparent, X-Secret,request-id"
    )
    assert response["Access-Control-Allow-Headers"] == "X-Requested-With,Content-Type,traceparent,request-id"


def test_success_response_has_cors(client, token):
    assert_cors(get_tours(client, token))


def test_origin_is_reduced_to_scheme_and_host(client, token):
    response = client.get(URL, {"token": token}, HTTP_ORIGIN="http://localhost:3000/some/path")
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert client.get(URL, {"token": token}, HTTP_ORIGIN="null")["Access-Control-Allow-Origin"] == "*"
    assert client.get(URL, {"token": token}, HTTP_ORIGIN="http://[::1")["Access-Control-Allow-Origin"] == "*"


def test_no_origin_means_no_allow_origin(client, token):
    response = client.get(URL, {"token": token})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_405_envelope(client, token, method):
    response = getattr(client, method)(URL + f"?token={token}", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 405
    assert response.json() == {
        "type": "invalid_request",
        "code": "method_not_allowed",
        "detail": f'Method "{method.upper()}" not allowed.',
        "attr": None,
    }
    assert_cors(response)


def test_head_behaves_like_get(client, token):
    response = client.head(URL, {"token": token})
    assert response.status_code == 200
    assert response["ETag"]


def test_no_csrf_token_needed_for_post(token):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, {"token": token})
    assert names(response) == ["Visible"]


def test_session_or_key_authentication_is_not_accepted_instead_of_a_token(tenant):
    response = tenant.client.get(URL)
    assert response.status_code == 401
    assert response.json() == MISSING
