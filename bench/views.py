"""The floor scenario: the cheapest JSON answer the server and its middleware stack can give.

Mounted at `/_bench/floor` only when `BENCH_FLOOR_VIEW=1` (config/urls.py); every other scenario's
throughput is reported as a ratio to this one, measured in the same run.
"""

from django.http import JsonResponse


def floor(request):
    return JsonResponse({"status": "ok"})
