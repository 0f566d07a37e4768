import pytest


@pytest.fixture(autouse=True)
def _activity_log_errors_raise(settings):
    # In production a failed log write is logged and swallowed; here it must fail the test.
    settings.ACTIVITY_LOG_RAISE_ERRORS = True
