"""The error envelope every API error answers with."""


def assert_error(
    response, status: int, *, code: str | None = None, detail: str | None = None, attr="__any__", type=None
):
    """Assert an error envelope {type, code, detail, attr} with the given values."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    body = response.json()
    assert set(body) >= {"type", "code", "detail", "attr"}, body
    if code is not None:
        assert body["code"] == code, body
    if detail is not None:
        assert body["detail"] == detail, body
    if attr != "__any__":
        assert body["attr"] == attr, body
    if type is not None:
        assert body["type"] == type, body
    return body
