"""Reading a posthog-js request body (`/flags`, `/e`): compression and encodings as the SDK sends them."""

from typing import Any
from urllib.parse import urlencode

from sdk.decoding import payload_decode
from sdk.http import PublicRequest


def request_payload(request: PublicRequest) -> Any:
    """The decoded body of a POST, or the `data` query parameter of a GET (beacons); raises
    `PayloadError` / `PayloadTooLarge`."""
    if request.method == "GET":
        data = request.GET.get("data", "")
        form = urlencode({"data": data}).encode()
        return payload_decode(form, content_type="application/x-www-form-urlencoded") if data else {}
    return payload_decode(request.body, content_type=request.content_type, compression=request.GET.get("compression"))
