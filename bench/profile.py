"""Profile single requests in-process (cProfile), on the same seeded data as `make bench`.

    scripts/with-postgres.sh .venv/bin/python -m bench.profile [SCENARIO ...] [--repeat N] [--top N]

Seeds the PostgreSQL half's data set, sends each scenario's request once to warm up, then N times
under cProfile through `django.test.Client`, and prints the top functions by cumulative and by own
time, plus the wall time per request (`--plain`: the median and fastest wall times, unprofiled). Not part of `make bench`; for finding what a slow row spends.
"""

import argparse
import cProfile
import io
import pstats
import time

from bench.driver import _django_setup, _headers, _meta


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenarios", nargs="*", default=["public_gzip", "flags", "capture", "list", "retrieve"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--part", default="postgresql")
    parser.add_argument("--plain", action="store_true", help="time the requests without the profiler")
    args = parser.parse_args()
    _django_setup()
    from django.core.management import call_command
    from django.test import Client

    from bench import scenarios as sc
    from bench.seed import seed
    from tests.gateway_client import install

    install()  # public paths through the gateway, as gunicorn serves them

    call_command("migrate", verbosity=0, interactive=False)
    seeded = seed(plan=sc.PLANS[args.part])
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # planner statistics, as `make bench` has them
            cursor.execute("ANALYZE")
    scenarios = sc.build(part=args.part, seeded=seeded, etag=None)
    client = Client(HTTP_HOST="127.0.0.1")  # a host ALLOWED_HOSTS accepts
    for sid in args.scenarios:
        scenario = scenarios[sid]
        t = scenario.templates[0]
        meta = _meta(_headers(scenario, seeded.key))

        def send(i: int, t=t, meta=meta):
            body = t.body.replace("{n}", f"profile{i}") if isinstance(t.body, str) else (t.body or "")
            return client.generic(t.method, t.path.replace("{n}", f"profile{i}"), data=body,
                                  content_type="application/json", **meta)  # fmt: skip

        send(-1)
        if args.plain:
            times = []
            for i in range(args.repeat):
                started = time.perf_counter()
                response = send(i)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            print(f"{sid}: -> {response.status_code}, median {times[len(times) // 2]:.1f} ms, min {times[0]:.1f} ms")
            continue
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for i in range(args.repeat):
            response = send(i)
        profiler.disable()
        wall = (time.perf_counter() - started) / args.repeat * 1000
        print(f"\n===== {sid}: {t.method} {t.path[:100]} -> {response.status_code}, {wall:.1f} ms/request (profiled)")
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
