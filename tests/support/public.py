"""The public SDK endpoint `/api/product_tours`: the request, its answers and their CORS headers."""

URL = "/api/product_tours"
ORIGIN = "https://shop.example.com"
MISSING = {
    "type": "authentication_error",
    "code": "missing_api_key",
    "detail": "Project token not provided. You can find your project token in your PostHog project settings.",
    "attr": None,
}
INVALID = {
    "type": "authentication_error",
    "code": "invalid_api_key",
    "detail": "Project token invalid. You can find your project token in your PostHog project settings.",
    "attr": None,
}


def get_tours(client, token, **extra):
    return client.get(URL, {"token": token}, HTTP_ORIGIN=ORIGIN, **extra)


def tours_of(response) -> list[dict]:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["product_tours"]
    return body["product_tours"]


def assert_cors(response, origin: str = ORIGIN) -> None:
    assert response["Access-Control-Allow-Origin"] == origin
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert response["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "X-Requested-With,Content-Type"
    assert response["Vary"] in ("Origin", "Origin, Accept-Encoding")  # the latter on tours answers (gzip)
