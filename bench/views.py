"""The floor scenarios: the cheapest JSON answers the server and its middleware stack can give.

Mounted at `/_bench/floor` only when `BENCH_FLOOR_VIEW=1` (config/urls.py); every other scenario's
throughput is reported as a ratio to the floor, measured in the same run. `?bytes=N` answers N bytes of
static JSON instead: what moving a body of that size costs the server, without any work to build it.
"""

from functools import lru_cache

from django.http import HttpResponse, JsonResponse

MAX_BYTES = 8_000_000


@lru_cache(maxsize=8)
def _padded(size: int) -> bytes:
    frame = (b'{"filler":"', b'"}')
    return frame[0] + b"x" * max(0, size - len(frame[0]) - len(frame[1])) + frame[1]


def floor(request):
    size = request.GET.get("bytes", "")
    if size.isdigit():
        return HttpResponse(_padded(min(int(size), MAX_BYTES)), content_type="application/json")
    return JsonResponse({"status": "ok"})
