"""Tour search latency at 1,000 and 10,000 tours, through the real endpoint, one client.

    python -m bench.search --database-url URL --out FILE.json [--requests 200] [--warmup 10]

Migrates the database, seeds two projects with bench/seed.py's tours (names such as "Invoices tips #12",
descriptions naming two product areas, three-step contents; a share launched with targeting flags), then
serves the project with gunicorn and its own config on a free loopback port and sends
`GET /api/projects/{id}/product_tours/?search=TERM` one request after the other (one client, default page
of 100) for a literal term (`invoices`, one of the seeded product areas: ~5 % of the tours match) and a
typo (`dashbord`: nothing matches literally, so trigram similarity ranks the `dashboards` tours). Each
answer is checked (200, match type, total). The server's CPU per request is reported next to the
wall-clock percentiles: on a shared machine it shows what a request costs when the percentiles also show
the neighbours. Targets, with one client (SQLite, the embedded default): p99 < 50 ms at 1,000 tours and
< 200 ms at 10,000; PostgreSQL is reported without targets. Writes {"title", "columns", "rows",
"targets"} as JSON. Use an empty database.
"""

import argparse
import http.client
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from bench.percentiles import nearest_rank
from bench.server import Server

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# label -> (tours, launched with auto_launch and an internal targeting flag)
PLAN = {"1,000 tours": (1000, 100), "10,000 tours": (10000, 500)}
TERMS = (("invoices", "exact"), ("dashbord", "similar"))
TARGET_P99_MS = {1000: 50.0, 10000: 200.0}  # SQLite


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("CACHE_DIR", tempfile.mkdtemp(prefix="ptapi-bench-search-"))
    os.environ["RATE_LIMIT_ENABLED"] = "0"  # one client sends more than the per-key default allows
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _seed() -> tuple[str, dict[str, tuple[int, int]]]:
    """A personal API key and label -> (project id, tours)."""
    from django.core.management import call_command

    from accounts.models import Project, User
    from bench.seed import tours_create

    out = io.StringIO()
    email = f"bench-search-{uuid.uuid4().hex[:8]}@example.com"
    call_command("bootstrap", "--email", email, "--project", "Search bench", "--json", stdout=out)
    account = json.loads(out.getvalue())
    user = User.objects.get(pk=account["user_id"])
    projects = {}
    for label, (count, launched) in PLAN.items():
        project = Project.objects.create(organization_id=account["organization_id"], name=f"Search bench: {label}")
        tours_create(project=project, user=user, count=count, launched=launched)
        projects[label] = (project.pk, count)
    return account["personal_api_key"], projects


class _Client:
    """One client: one request at a time, over one connection while the server keeps it open."""

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[float, int, bytes]:
        started = time.perf_counter()
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.will_close:
            self.connection.close()
            self.connection = None
        return elapsed, response.status, body


def _measure(client: _Client, path: str, kind: str, *, requests: int, warmup: int) -> tuple[list[float], int]:
    timings, total = [], -1
    for index in range(warmup + requests):
        elapsed, status, body = client.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
        page = json.loads(body)
        kinds = {row.get("search_match_type") for row in page["results"]}
        if not page["results"] or kinds != {kind} or total not in (-1, page["count"]):
            raise RuntimeError(f"GET {path}: unexpected answer (count {page['count']}, match types {kinds})")
        total = page["count"]
        if index >= warmup:
            timings.append(elapsed)
    return timings, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per size and term.")
    parser.add_argument("--warmup", type=int, default=10, help="Untimed requests first (both workers warm).")
    args = parser.parse_args(argv)

    _setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    started = time.perf_counter()
    key, projects = _seed()
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum leaves a production database
    seed_seconds = time.perf_counter() - started
    connection.close()
    print(f"bench.search: {vendor}: seeded in {seed_seconds:.1f}s; timing…", file=sys.stderr)

    rows, targets = [], []
    with tempfile.TemporaryDirectory(prefix="ptapi-bench-search-") as scratch:
        server = Server(env=dict(os.environ), log_path=Path(scratch) / "gunicorn.log")
        # As this measurement has always run: no rate limits, no request log line (the driver's editor
        # scenarios measure those).
        server.env.update(RATE_LIMIT_ENABLED="0", LOG_LEVEL="WARNING")
        try:
            server.start()
            client = _Client(server.port, key)
            for label, (project_id, count) in projects.items():
                for term, kind in TERMS:
                    path = f"/api/projects/{project_id}/product_tours/?search={quote(term)}"
                    _measure(client, path, kind, requests=0, warmup=args.warmup)
                    cpu = server.cpu_seconds()
                    timings, total = _measure(client, path, kind, requests=args.requests, warmup=0)
                    cpu_ms = (server.cpu_seconds() - cpu) * 1000 / len(timings)
                    p50, p99 = statistics.median(timings), nearest_rank(timings, 0.99)
                    rows.append(
                        [vendor, count, term, kind, total, len(timings), round(p50, 1), round(p99, 1),
                         round(max(timings), 1), round(cpu_ms, 1)]
                    )  # fmt: skip
                    print(f"bench.search: {json.dumps(rows[-1])}", file=sys.stderr)
                    if vendor == "sqlite":
                        target = TARGET_P99_MS[count]
                        targets.append(
                            {
                                "name": f"search `{term}` ({'literal' if kind == 'exact' else 'typo'}) p99 at {label}, one client",
                                "measured": round(p99, 1),
                                "target": target,
                                "result": "PASS" if p99 < target else "FAIL",
                            }
                        )
        finally:
            server.stop()

    result = {
        "title": "Tour search latency (GET …/product_tours/?search=, page of 100, one client; targets on SQLite)",
        "columns": [
            "database",
            "tours",
            "term",
            "match type",
            "matches",
            "requests",
            "p50 ms",
            "p99 ms",
            "max ms",
            "server CPU ms/request",
        ],  # fmt: skip
        "rows": rows,
        "targets": targets,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
