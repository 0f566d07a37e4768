"""Domain errors: what services raise when they refuse a request. They know nothing of HTTP rendering;
`core.exceptions.exception_handler` turns each into PostHog's error envelope, in one place."""


class DomainError(Exception):
    """A refusal with an HTTP meaning. Subclasses set the status, envelope type, code and default detail."""

    status_code = 400
    type = "validation_error"
    code = "invalid_input"
    default_detail = "Invalid input."

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        self.detail = detail if detail is not None else self.default_detail
        if code is not None:
            self.code = code
        super().__init__(self.detail)


class InvalidInput(DomainError):
    """A 400 on one attribute of the input (`attr`), or on the input as a whole (None)."""

    code = "invalid"  # the envelope says `invalid_input`, as for DRF's own validation errors

    def __init__(self, detail: str, *, attr: str | None = None, code: str | None = None) -> None:
        super().__init__(detail, code=code)
        self.attr = attr


class NotFound(DomainError):
    status_code = 404
    type = "invalid_request"
    code = "not_found"
    default_detail = "Not found."


class PreconditionFailed(DomainError):
    status_code = 412
    type = "invalid_request"
    code = "precondition_failed"
    default_detail = "The resource has changed since it was fetched (If-Match does not match its ETag)."


class Conflict(DomainError):
    status_code = 409
    type = "invalid_request"
    code = "conflict"
    default_detail = "Conflict."
