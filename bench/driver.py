"""One database's half of `make bench`: migrate, seed, count queries, serve with gunicorn, drive load.

    python -m bench.driver --part postgresql|sqlite --out PART.json   (DATABASE_URL must be set)

Queries per request are counted in this process, not in the server: each scenario's request is sent
twice through `django.test.Client` against the same database under `CaptureQueriesContext`; the
second (steady-state) count is reported, the first as "cold" (it includes one-off work such as the
API key's hourly `last_used_at` write and the public endpoint's cache fill). The server runs the
project's own gunicorn config in its own session and is stopped in `finally`, also on SIGTERM/SIGINT.
"""

import argparse
import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOW_MS = 250.0


def _django_setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["BENCH_FLOOR_VIEW"] = "1"
    os.environ["RATE_LIMIT_ENABLED"] = "0"
    os.environ.pop("DEBUG", None)
    os.environ["LOG_LEVEL"] = "WARNING"  # this process only; the server logs as in production (bench/server.py)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def _meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k.lower() != "content-type"}


def count_queries(*, client, templates: list, headers: dict[str, str]) -> dict:
    """Send `templates` in rotation (cold first, then steady state); report the second request's queries
    (steady) and the first's (cold), and the median unloaded wall time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.revision_memo import revision_memos_clear

    # So that the first request is cold in this process too, as after a restart.
    revision_memos_clear()
    counts, response, captured, walls = [], None, None, []
    deadline = time.monotonic() + 2.0
    # Two requests for the counts (cold, steady); more, while time allows, for a stable median wall time.
    for attempt in range(8):
        if attempt >= 2 and time.monotonic() > deadline:
            break
        t = templates[attempt % len(templates)]
        uniq = f"probe{attempt}-{time.monotonic_ns()}"
        sent_path = t.path.replace("{n}", uniq)
        sent_body = t.body.replace("{n}", uniq) if isinstance(t.body, str) else (t.body or "")
        db_seconds = [0.0]

        def timed(execute, sql, params, many, context, db_seconds=db_seconds):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                db_seconds[0] += time.perf_counter() - began

        content_type = headers.get("Content-Type", "application/json")
        with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timed):
            started = time.perf_counter()
            response = client.generic(t.method, sent_path, data=sent_body, content_type=content_type, **_meta(headers))
            wall = time.perf_counter() - started
        counts.append(len(ctx.captured_queries))
        if attempt >= 1:
            walls.append((wall, db_seconds[0]))
        if attempt == 1:
            captured = ctx.captured_queries
    median = sorted(walls)[len(walls) // 2]
    return {
        "queries": counts[1],
        "queries_cold": counts[0],
        "status": response.status_code,
        "response_bytes": len(response.content),
        # One unloaded request in this process: where its time goes (database vs. Python).
        "inprocess_ms": round(median[0] * 1000, 2),
        "inprocess_db_ms": round(median[1] * 1000, 2),
        "inprocess_samples": len(walls),
        "sql": [q["sql"][:240] for q in captured],
    }


def _headers(scenario, key: str) -> dict[str, str]:
    return {**({"Authorization": f"Bearer {key}"} if scenario.auth else {}), **scenario.headers}


def _probe_templates(sid: str, templates: list) -> list:
    """What `count_queries` sends: `/e` alternates the two versions of one visitor's batch (so the steady
    request changes the person, as in the load), the mix its first page view, the others their first."""
    if sid == "capture":
        return [templates[0], templates[len(templates) // 2]]
    if sid == "mix":
        return templates[:7]
    return templates[:1]


def _mix_counts(client, templates: list, headers: dict) -> dict:
    """Queries per request of one page view: each request of it counted at steady state, averaged."""
    per = [count_queries(client=client, templates=[t, t], headers=headers) for t in templates[:7]]
    return {
        "queries": round(sum(p["queries"] for p in per) / len(per), 2),
        "queries_cold": round(sum(p["queries_cold"] for p in per) / len(per), 2),
        "status": max(p["status"] for p in per),
        "response_bytes": sum(p["response_bytes"] for p in per),
        "inprocess_ms": round(sum(p["inprocess_ms"] for p in per) / len(per), 2),
        "inprocess_db_ms": round(sum(p["inprocess_db_ms"] for p in per) / len(per), 2),
        "inprocess_samples": sum(p["inprocess_samples"] for p in per),
        "sql": [],
    }


def bare_templates(*, sid: str, templates: list, base_url: str, headers: dict, bare_dir: Path) -> list:
    """Record each template's real answer as a bare-floor answer (bench/wsgi.py); the bare templates."""
    import base64

    from bench.loadgen import Template
    from bench.server import status_of

    skip = {"content-length", "date", "server", "connection", "transfer-encoding"}
    bare, seen = [], {}
    for i, t in enumerate(templates):
        key = (t.method, t.path, t.body)
        if key not in seen:
            body = t.body.replace("{n}", "bare").encode() if isinstance(t.body, str) else t.body
            status, answer_headers, answer = status_of(
                base_url + t.path.replace("{n}", "bare"), method=t.method, body=body, headers=headers
            )
            name = f"{sid}_{i}"
            spec = {
                "status": f"{status} {'OK' if status == 200 else 'Not Modified' if status == 304 else 'Status'}",
                "headers": [[k, v] for k, v in answer_headers.items() if k.lower() not in skip],
                "body": base64.b64encode(answer).decode(),
            }
            (bare_dir / f"{name}.json").write_text(json.dumps(spec))
            seen[key] = name
        bare.append(Template(t.method, f"/_bench/bare/{seen[key]}", t.body))
    return bare


def run_part(*, part: str, out: Path, load, tool: str, log_dir: Path, soak_requests: int) -> dict:
    _django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench import loadgen, sysinfo
    from bench import scenarios as sc
    from bench.seed import seed
    from bench.server import Server, status_of, tree_cpu_seconds
    from tests.gateway_client import install

    install()  # the test client reaches the public endpoints through the gateway, as gunicorn does
    result: dict = {"part": part, "machine": sysinfo.machine(), "versions": sysinfo.versions()}
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    result["database"] = sysinfo.database_version(connection)
    seeded = seed(plan=sc.PLANS[part])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would leave them
            cursor.execute("ANALYZE")
    result["seed"] = {
        "seconds": round(time.monotonic() - started, 1),
        "bootstrap_command": " ".join(seeded.bootstrap_command[1:]),
        "projects": {
            label: {"tours": v["tours"], "launched": sc.PLANS[part][label][1]} for label, v in seeded.projects.items()
        },
    }

    anon = Client(HTTP_HOST="127.0.0.1")
    keyed = Client(HTTP_HOST="127.0.0.1")
    etag = anon.get(f"/api/product_tours?token={seeded.projects['site']['token']}").headers.get("ETag")
    scenarios = sc.build(part=part, seeded=seeded, etag=etag)
    queries = {}
    for sid, scenario in scenarios.items():
        client = keyed if scenario.auth else anon
        headers = _headers(scenario, seeded.key)
        if sid == "mix":
            queries[sid] = _mix_counts(client, scenario.templates, headers)
        else:
            queries[sid] = count_queries(
                client=client, templates=_probe_templates(sid, scenario.templates), headers=headers
            )
    probes = []
    for label, sid, path in sc.query_probes(seeded=seeded):
        scenario = scenarios.get(sid)
        if scenario is None:  # not run on this database
            continue
        counted = count_queries(client=keyed if scenario.auth else anon, templates=[loadgen.Template("GET", path)],
                                headers=_headers(scenario, seeded.key))  # fmt: skip
        probes.append({"label": label, "scenario": sid, "queries": counted["queries"], "queries_cold": counted["queries_cold"],
                       "status": counted["status"]})  # fmt: skip
    result["query_probes"] = probes
    pg_root = None
    if connection.vendor == "postgresql":
        # The postmaster's pid, to add up the database's CPU per request (backends are its children).
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            data_directory = cursor.fetchone()[0]
        try:
            pg_root = int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pg_root = None
    connection.close()

    bare_dir = log_dir / f"bare-{part}"
    bare_dir.mkdir(exist_ok=True)
    env = {**os.environ, "BENCH_BARE_DIR": str(bare_dir)}
    server = Server(env=env, log_path=log_dir / f"gunicorn-{part}.log")
    result["server"] = server.describe()
    result["load"] = {"tool": tool, "tool_version": loadgen.tool_version(tool), **load.__dict__}
    rows = []
    one_client = dataclasses.replace(load, threads=1, connections=1)

    def measure(templates, headers, seconds, run_load=load):
        return loadgen.run(tool=tool, base_url=server.base_url, templates=templates, headers=headers, load=run_load,
                           seconds=seconds)  # fmt: skip

    try:
        server.start()
        (log_dir / f"gunicorn-{part}.pid").write_text(str(server.process.pid))  # for bench/run.sh's trap
        result["memory_after_start"] = {str(k): v for k, v in server.worker_memory().items()}
        for sid, scenario in scenarios.items():
            headers = _headers(scenario, seeded.key)
            t = scenario.templates[0]
            body = t.body.replace("{n}", "precheck").encode() if isinstance(t.body, str) else t.body
            status, _, answer = status_of(
                server.base_url + t.path.replace("{n}", "precheck"), method=t.method, body=body, headers=headers
            )
            row = {"id": sid, "title": scenario.title, "method": t.method, "path": t.path, "expect": scenario.expect,
                   "precheck_status": status, **{k: v for k, v in queries[sid].items()}}  # fmt: skip
            if status != scenario.expect:
                if sid in sc.OPTIONAL and status in (404, 405):
                    row["state"] = "not available yet"
                else:
                    row["state"] = "error"
                    row["detail"] = answer[:300].decode(errors="replace")
                rows.append(row)
                print(f"bench[{part}]: {sid}: {row['state']} (HTTP {status})", file=sys.stderr)
                continue
            if sid in sc.ONE_CLIENT:  # latency with one client, no floor: the editor's API
                measure(scenario.templates, headers, min(1.0, load.warmup_seconds), one_client)
                server.drain()
                measured = measure(scenario.templates, headers, load.seconds / 2, one_client)
                server.drain()
                row.update(measured)
                row["one_client"] = {k: measured[k] for k in ("rps", "p50_ms", "p99_ms", "error_count", "command")}
            else:
                bare = None
                if sid in sc.PUBLIC:
                    bare = bare_templates(sid=sid, templates=scenario.templates, base_url=server.base_url,
                                          headers=headers, bare_dir=bare_dir)  # fmt: skip
                if load.warmup_seconds > 0:
                    measure(scenario.templates, headers, load.warmup_seconds)
                    server.drain()
                floors = [measure(bare, headers, load.floor_seconds)["rps"]] if bare else []
                server.drain()
                cpu_before, db_before, log_offset = (
                    server.cpu_seconds(),
                    tree_cpu_seconds(pg_root) if pg_root else 0.0,
                    server.log_offset(),
                )
                measured = measure(scenario.templates, headers, load.seconds)
                server.drain()
                # CPU per request, from the kernel's accounting: robust where throughput is not (a shared machine).
                served = server.requests_logged_since(log_offset, "/") or measured["requests"]
                row["served_requests"] = served
                row["server_cpu_ms_per_request"] = (
                    round((server.cpu_seconds() - cpu_before) / served * 1000, 3) if served else None
                )
                if pg_root:
                    row["db_cpu_ms_per_request"] = (
                        round((tree_cpu_seconds(pg_root) - db_before) / served * 1000, 3) if served else None
                    )
                if bare:
                    # Others' work on a shared machine comes and goes: the floor is measured right before
                    # and right after the scenario, and their mean is the ratio's denominator.
                    floors.append(measure(bare, headers, load.floor_seconds)["rps"])
                    server.drain()
                    row["bare_floor_rps"] = round(sum(floors) / len(floors), 1)
                    row["bare_floors"] = floors
                row.update(measured)
            row["state"] = "ok" if measured["error_count"] == 0 else "errors"
            row["memory"] = {str(k): v for k, v in server.worker_memory().items()}
            row["load_average"] = [round(x, 2) for x in os.getloadavg()]  # others' work on a shared machine shows here
            rows.append(row)
            print(
                f"bench[{part}]: {sid}: {measured['rps']} req/s (bare floor {row.get('bare_floor_rps', '-')}),"
                f" p50 {measured['p50_ms']} ms, p99 {measured['p99_ms']} ms, {row['queries']} queries,"
                f" errors {measured['error_count']}",
                file=sys.stderr,
            )
    finally:
        server.stop()
    result["scenarios"] = rows
    mix = scenarios.get("mix")
    if soak_requests and mix is not None:
        from bench.soak import soak_and_recycling

        result["soak"] = soak_and_recycling(
            env=env, log_dir=log_dir, part=part, templates=mix.templates, headers=_headers(mix, seeded.key),
            load=load, tool=tool, requests=soak_requests,
            rps_hint=next((r["rps"] for r in rows if r["id"] == "mix" and r.get("rps")), 1000.0),
        )  # fmt: skip
    result["seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(result, indent=2)
    # Throwaway credentials, but results get committed: never write a key or token into them.
    text = text.replace(seeded.key, "phx_REDACTED")
    for label, project in seeded.projects.items():
        text = text.replace(project["token"], f"phc_REDACTED_{label}")
    out.write_text(text)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["postgresql", "sqlite"], required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--tool", choices=["wrk", "python"], default="wrk")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--floor-seconds", type=float, default=3)
    parser.add_argument("--soak-requests", type=int, default=0, help="page-view mix requests of the soak (0: none)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("DATABASE_URL must be set (bench/run.sh sets it)")
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    from bench.loadgen import Load

    load = Load(threads=args.threads, connections=args.connections, seconds=args.seconds, warmup_seconds=args.warmup,
                floor_seconds=args.floor_seconds)  # fmt: skip
    run_part(part=args.part, out=args.out, load=load, tool=args.tool, log_dir=args.log_dir,
             soak_requests=args.soak_requests)  # fmt: skip


if __name__ == "__main__":
    main()
