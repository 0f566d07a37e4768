"""The error the pure filters checks raise; `filters_validate` turns it into a 400 (attr `filters`)."""


class FiltersInvalid(Exception):
    def __init__(self, detail: str, code: str = "invalid_input") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
