"""Merge the drivers' part files (and the standalone modules' files) into `bench/results/latest.json` and
`latest.md`.

    python -m bench.report --out-dir bench/results --commands-file CMDS [--module NAME:PART:FILE ...] PART.json ...

Throughput is reported as a ratio to the bare WSGI floor answering the same bytes under the same gunicorn,
measured right before and after each scenario, because absolute numbers drift on a shared machine while
ratios hold. The trivial Django view's floor is shown next to it.
"""

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from bench.scenarios import MAX_P99_MS, MAX_QUERIES, MIN_RATIO, PUBLIC
from bench.soak import RSS_LIMIT_MIB

# Query counts that must not depend on the number of tours: (scenario, smaller size, larger size).
GROWTH_PAIRS = (("list", 10, 100), ("public_warm", 10, 100))
# A worker replacement must not show in the p99: with recycling, at most this much above the soak's p99.
RECYCLING_P99_FACTOR = 1.5


def django_floor_rps(part: dict) -> float | None:
    values = [r["rps"] for r in part["scenarios"] if r["id"] in ("floor", "floor_end") and r.get("state") == "ok"]
    return sum(values) / len(values) if values else None


def _peak_rss(row: dict) -> float | None:
    memory = row.get("memory") or {}
    values = [m.get("VmHWM") for m in memory.values() if m.get("VmHWM") is not None]
    return max(values) if values else None


def _fmt(value, spec: str = "", none: str = "—") -> str:
    if value is None:
        return none
    return format(value, spec)


def summarize(parts: dict[str, dict]) -> list[dict]:
    rows = []
    for name, part in parts.items():
        django_floor = django_floor_rps(part)
        for row in part["scenarios"]:
            ok = row.get("state") == "ok"
            bare = row.get("bare_floor_rps")
            rows.append({
                "database": name, "id": row["id"], "title": row["title"], "state": row.get("state"),
                "rps": row.get("rps") if ok else None, "bare_floor_rps": bare,
                "ratio": round(row["rps"] / bare, 3) if ok and bare else None,
                "django_ratio": round(row["rps"] / django_floor, 3) if ok and django_floor and row.get("rps") else None,
                "p50_ms": row.get("p50_ms") if ok else None, "p99_ms": row.get("p99_ms") if ok else None,
                "errors": row.get("error_count"), "queries": row.get("queries"), "queries_cold": row.get("queries_cold"),
                "inprocess_ms": row.get("inprocess_ms"), "inprocess_db_ms": row.get("inprocess_db_ms"),
                "response_bytes": row.get("response_bytes"), "peak_rss_mib": _peak_rss(row),
                "server_cpu_ms": row.get("server_cpu_ms_per_request"), "db_cpu_ms": row.get("db_cpu_ms_per_request"),
                "one_client": row.get("one_client"),
            })  # fmt: skip
    return rows


def growth(parts: dict[str, dict]) -> list[dict]:
    rows = []
    for name, part in parts.items():
        probes = {p["label"]: p for p in part.get("query_probes", [])}
        for scenario, small, large in GROWTH_PAIRS:
            a, b = probes.get(f"{scenario}@{small}"), probes.get(f"{scenario}@{large}")
            if not a or not b:
                continue
            stable = a["queries"] == b["queries"] and a["queries_cold"] == b["queries_cold"]
            rows.append({
                "database": name, "scenario": scenario, "sizes": [small, large],
                "queries": [a["queries"], b["queries"]], "queries_cold": [a["queries_cold"], b["queries_cold"]],
                "status": [a["status"], b["status"]], "result": "PASS" if stable else "FAIL",
            })  # fmt: skip
    return rows


def _target(name: str, measured: str, target: str, passed: bool | None) -> dict:
    return {"name": name, "measured": measured, "target": target,
            "result": "PASS" if passed else "FAIL" if passed is not None else "NOT RUN"}  # fmt: skip


def targets(summary: list[dict], parts: dict[str, dict], query_growth: list[dict]) -> list[dict]:
    out = []
    by = {(r["database"], r["id"]): r for r in summary}
    for sid, ratio in MIN_RATIO.items():
        row = by.get(("postgresql", sid))
        if row is None:
            continue
        shown = (
            f"{row['ratio']}× ({row['rps']} vs {row['bare_floor_rps']} req/s)" if row["ratio"] else str(row["state"])
        )
        out.append(_target(f"{row['title']} (PostgreSQL + Redis)", shown, f"≥ {ratio}× bare floor",
                           row["ratio"] is not None and row["ratio"] >= ratio))  # fmt: skip
    for (sid, database), bound in MAX_P99_MS.items():
        row = by.get((database, sid))
        if row is None:
            continue
        one = row.get("one_client") or {}
        p99 = one.get("p99_ms")
        out.append(_target(f"{row['title']} ({database}), one client", f"p99 {p99} ms", f"p99 < {bound:g} ms",
                           p99 is not None and row["state"] == "ok" and p99 < bound))  # fmt: skip
    for sid, bound in MAX_QUERIES.items():
        row = by.get(("postgresql", sid))
        if row is None:
            continue
        if row["state"] == "not available yet":
            out.append(_target(f"{row['title']}: queries", "not available yet", f"≤ {bound}", None))
            continue
        out.append(_target(f"{row['title']}: queries per request", f"{row['queries']} (cold {row['queries_cold']})",
                           f"≤ {bound}", row["queries"] is not None and row["queries"] <= bound))  # fmt: skip
    soak = (parts.get("postgresql") or {}).get("soak")
    if soak:
        rss = soak["soak"]["rss"]
        out.append(_target(
            f"Worker RSS over {rss['requests']:,} requests of the mix (no recycling)",
            f"peak {rss['peak_mib']} MiB, growth {rss['max_growth_mib']} MiB after warm-up",
            f"flat (growth < 10 MiB) and < {RSS_LIMIT_MIB:g} MiB", rss["flat"] and rss["under_limit"]))  # fmt: skip
        base = soak["soak"]["measured"]["p99_ms"]
        recycled = soak["recycling_preloaded"]
        p99 = recycled["measured"]["p99_ms"]
        bound = round(max(base * RECYCLING_P99_FACTOR, base + 10), 1)
        out.append(_target(
            f"p99 with workers recycled ({recycled['restarts']} replacements in {recycled['measured']['seconds']} s)",
            f"p99 {p99} ms, max {recycled['measured']['max_ms']} ms (without recycling: p99 {base} ms)",
            f"p99 ≤ {bound} ms (max(1.5×, +10 ms) of the soak's)", p99 <= bound))  # fmt: skip
    for g in query_growth:
        out.append(_target(f"{g['scenario']} queries do not grow with tours ({g['database']})",
                           f"{g['queries'][0]} at {g['sizes'][0]:,} vs {g['queries'][1]} at {g['sizes'][1]:,}",
                           "equal", g["result"] == "PASS"))  # fmt: skip
    return out


def _public_table(rows: list[dict]) -> list[str]:
    lines = [
        "| Scenario | req/s | bare floor req/s | × bare floor | × Django floor | p50 ms | p99 ms | errors | queries/req (cold) | CPU ms/req: app + DB | 1 request in-process: ms (DB ms) | body bytes | peak RSS/worker MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row["state"] not in ("ok", "errors"):
            lines.append(f"| {row['title']} | {row['state']} | | | | | | | | | | | |")
            continue
        db = f" + {_fmt(row['db_cpu_ms'], '.2f')}" if row["db_cpu_ms"] is not None else ""
        lines.append(
            f"| {row['title']} | {_fmt(row['rps'], '.1f')} | {_fmt(row['bare_floor_rps'], '.0f')} |"
            f" **{_fmt(row['ratio'], '.3f')}** | {_fmt(row['django_ratio'], '.2f')} | {_fmt(row['p50_ms'])} |"
            f" {_fmt(row['p99_ms'])} | {row['errors']} | {row['queries']} ({row['queries_cold']}) |"
            f" {_fmt(row['server_cpu_ms'], '.2f')}{db} | {row['inprocess_ms']} ({row['inprocess_db_ms']}) |"
            f" {_fmt(row['response_bytes'])} | {_fmt(row['peak_rss_mib'])} |"
        )
    return lines


def _editor_table(rows: list[dict]) -> list[str]:
    lines = [
        "| Scenario | req/s | p50 ms | p99 ms | errors | queries/req (cold) | 1 request in-process: ms (DB ms) | body bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        one = row.get("one_client")
        if row["state"] not in ("ok", "errors") or not one:
            lines.append(f"| {row['title']} | {row['state']} | | | | | | |")
            continue
        lines.append(
            f"| {row['title']} | {one['rps']} | {one['p50_ms']} | {one['p99_ms']} | {one['error_count']} |"
            f" {row['queries']} ({row['queries_cold']}) | {row['inprocess_ms']} ({row['inprocess_db_ms']}) |"
            f" {_fmt(row['response_bytes'])} |"
        )
    return lines


def _soak_lines(soak: dict) -> list[str]:
    s, rss = soak["soak"], soak["soak"]["rss"]
    lines = [
        "### Memory and worker recycling (page-view mix)",
        "",
        f"Soak: {s['measured']['requests']:,} requests of the mix in {s['measured']['seconds']} s with recycling off"
        f" (`GUNICORN_MAX_REQUESTS=0`): p50 {s['measured']['p50_ms']} ms, p99 {s['measured']['p99_ms']} ms,"
        f" max {s['measured']['max_ms']} ms, errors {s['measured']['error_count']}. Worker RSS (MiB, sampled every"
        " second; *warm* = after the first tenth of the run):",
        "",
        "| worker | warm | end | peak | growth |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {pid} | {w['warm']} | {w['end']} | {w['peak']} | {w['growth']} |" for pid, w in rss["workers"].items()
    ]
    lines += [
        "",
        "Recycling: the mix with workers replaced every 5,000–7,000 requests (four times production's rate), with the"
        " application preloaded in the"
        " master (`preload_app`, the production setting) and without it (each replacement imports Django and the"
        " views itself):",
        "",
        "| run | replacements | req/s | p50 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, title in (
        ("recycling_preloaded", "preloaded (production)"),
        ("recycling_not_preloaded", "not preloaded"),
    ):
        run = soak.get(label)
        if run:
            m = run["measured"]
            lines.append(f"| {title} | {run['restarts']} | {m['rps']} | {m['p50_ms']} | {m['p99_ms']} | {m['max_ms']} |"
                         f" {m['error_count']} |")  # fmt: skip
    labels = ("soak", "recycling_preloaded", "recycling_not_preloaded")
    failures = {label: soak[label]["failures"] for label in labels if (soak.get(label) or {}).get("failures")}
    if failures:
        lines += ["", "Answers ≥ 400 in these runs (from the server's request log): " + "; ".join(
            f"{label}: " + ", ".join(f"{k} ×{n}" for k, n in counts.items()) for label, counts in failures.items()
        ) + "."]  # fmt: skip
    return lines + [""]


def _module_lines(modules: list[dict]) -> list[str]:
    lines = []
    for module in modules:
        data = module["data"]
        lines += [f"## {data.get('title', module['name'])} — {module['part']} (`bench.{module['name']}`)", ""]
        columns = data.get("columns") or []
        if columns:
            lines += ["| " + " | ".join(map(str, columns)) + " |", "|" + "---|" * len(columns)]
            for row in data.get("rows") or []:
                cells = [row.get(c, "") for c in columns] if isinstance(row, dict) else list(row)
                lines.append("| " + " | ".join(_fmt(c) for c in cells) + " |")
            lines.append("")
        for t in data.get("targets") or []:
            lines.append(
                f"- **{t.get('result')}** — {t.get('name')}: measured {t.get('measured')}; target {t.get('target')}"
            )
        lines.append("")
    return lines


def markdown(report: dict) -> str:
    m, v = report["machine"], report["versions"]
    load = report["load"]
    lines = [
        "# `make bench` — latest results",
        "",
        f"Generated {report['generated_at']} by `make bench` (bench/run.sh) in {report['total_seconds']} s."
        f" Load generator: **{load['tool_version']}**, {load['threads']} threads, {load['connections']} connections,"
        f" {load['warmup_seconds']:g} s warm-up + {load['seconds']:g} s measured per scenario, the bare floor"
        f" {load['floor_seconds']:g} s right before and after. Server: gunicorn with the production settings"
        " (`config/gunicorn.conf.py`: 2 sync workers, the application preloaded, recycling every ~20,000 requests),"
        " rate limits counted (Redis on PostgreSQL, the shared disk store on SQLite) with budgets the load never"
        " exhausts, one request-log line per request.",
        "",
        "## Targets",
        "",
        "| target | measured | goal | result |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t['name']} | {t['measured']} | {t['target']} | **{t['result']}** |" for t in report["targets"]]
    lines += [
        "",
        "## Machine and versions",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu_model']} — {m['cores']} cores ({m['cores_usable']} usable) |",
        f"| Memory | {m['memory_mib']} MiB |",
        f"| Kernel | {m['kernel']} |",
        f"| Load average at start | {', '.join(str(x) for x in m['load_average_at_start'])} |",
        f"| Python / Django / DRF | {v['python']} / {v['django']} / {v['djangorestframework']} |",
        f"| gunicorn / psycopg | {v['gunicorn']} / {v['psycopg']} |",
        f"| Databases | {' / '.join(report['databases'].values())} |",
        f"| Load generator | {load['tool_version']} |",
        "",
    ]
    for name, part in report["parts"].items():
        rows = [r for r in report["summary"] if r["database"] == name]
        public = [r for r in rows if r["id"] in PUBLIC]
        editor = [r for r in rows if r.get("one_client")]
        floor = django_floor_rps(part)
        lines += [
            f"## Results — {report['databases'][name]}{' + Redis' if name == 'postgresql' else ''}",
            "",
            f"Seeded in {part['seed']['seconds']} s: "
            + ", ".join(f"{label} {p['tours']} tours ({p['launched']} launched)" for label, p in part["seed"]["projects"].items())
            + f". Trivial Django view (the project's full middleware stack): **{_fmt(floor, '.0f')} req/s**.",
            "",
            "### The page-view hot path",
            "",
            *_public_table(public),
            "",
            "### The editor's API (one client)",
            "",
            *_editor_table(editor),
            "",
        ]  # fmt: skip
        mem0, measured = part.get("memory_after_start", {}), [r for r in part["scenarios"] if r.get("memory")]
        if measured:
            last = measured[-1]["memory"]
            lines += ["Worker memory (MiB): " + "; ".join(
                f"pid {pid}: RSS {mem0.get(pid, {}).get('VmRSS', '?')} after start → {last[pid].get('VmRSS')} at end, peak {last[pid].get('VmHWM')}"
                for pid in last
            ) + " (workers replaced by recycling show as new pids).", ""]  # fmt: skip
        if part.get("soak"):
            lines += _soak_lines(part["soak"])
    lines += [
        "## Query counts against data size",
        "",
        "| Database | Scenario | tours | queries/req (steady) | cold | result |",
        "|---|---|---|---|---|---|",
    ]
    for g in report["query_growth"]:
        lines.append(
            f"| {g['database']} | {g['scenario']} | {g['sizes'][0]:,} vs {g['sizes'][1]:,} |"
            f" {g['queries'][0]} vs {g['queries'][1]} | {g['queries_cold'][0]} vs {g['queries_cold'][1]} | {g['result']} |"
        )
    lines += ["", *_module_lines(report["modules"])]
    lines += [
        "## How it was measured",
        "",
        "- **Bare floor**: a plain WSGI function (bench/wsgi.py, no framework) served by the same gunicorn, workers and"
        " settings, answering the bytes recorded from the scenario's own answers (status, headers, body; the mix"
        " rotates through the same answers in the same proportions). It is measured right before and right after"
        " each public scenario; the ratio is the scenario's throughput over the mean of the two.",
        "- Throughput and latency: the load generator runs as its own process against gunicorn on loopback; each"
        " scenario is warmed up first. `errors` counts connect/read/write errors, timeouts and HTTP status ≥ 400."
        " The editor's scenarios are measured with one client (one connection): their targets are about one"
        " request's time, not the queue 16 connections build in front of 2 workers.",
        "- Queries per request: counted in the driver process (`django.test.Client` through the same gateway as"
        " gunicorn) under `CaptureQueriesContext`: the steady-state count, the first request's in parentheses"
        " (cold: payloads and compiled flags built for the revision). `/e` alternates two versions of a batch"
        " so that the counted request changes the person, as under load. The mix shows the mean over one page view.",
        "- CPU ms/req: CPU time the kernel accounted to the gunicorn workers (app) and to the PostgreSQL server"
        " processes (DB) during the scenario, divided by the requests the server logged. The load generator's"
        " and Redis' CPU is not included; on this 2-core machine they compete with the server, as do the"
        " database and anything else running (other engineers' test suites included: see the load average).",
        "- Peak RSS: `VmHWM` of each gunicorn worker from `/proc/<pid>/status`.",
        "",
        "## Commands",
        "",
        "```",
        *report["commands"],
        "```",
        "",
        "Per scenario (scripts in latest.json; the key and tokens are redacted there):",
        "",
        "```",
    ]
    for name, part in report["parts"].items():
        for row in part["scenarios"]:
            if row.get("command"):
                lines.append(f"[{name}] {row['id']}: {row['command']}")
    lines += ["```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("parts", nargs="+", type=Path)
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--commands-file", type=Path)
    parser.add_argument("--total-seconds", type=float, default=None)
    parser.add_argument("--module", action="append", default=[], help="NAME:PART:FILE of a standalone module's output")
    args = parser.parse_args()
    parts = {}
    for path in args.parts:
        data = json.loads(path.read_text())
        parts[data["part"]] = data
    modules = []
    for spec in args.module:
        name, part, file = spec.split(":", 2)
        try:
            modules.append({"name": name, "part": part, "data": json.loads(Path(file).read_text())})
        except (OSError, ValueError) as exc:
            modules.append({"name": name, "part": part, "data": {"title": f"bench.{name}: unreadable output ({exc})"}})
    first = next(iter(parts.values()))
    summary = summarize(parts)
    query_growth = growth(parts)
    all_targets = targets(summary, parts, query_growth)
    for module in modules:
        for t in module["data"].get("targets") or []:
            all_targets.append({**t, "name": f"{t.get('name')} ({module['part']}, bench.{module['name']})"})
    report = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "total_seconds": args.total_seconds,
        "machine": first["machine"],
        "versions": {**first["versions"], "load_generator": first["load"]["tool_version"]},
        "databases": {name: part["database"] for name, part in parts.items()},
        "load": first["load"],
        "commands": args.commands_file.read_text().splitlines() if args.commands_file else [],
        "summary": summary,
        "query_growth": query_growth,
        "targets": all_targets,
        "modules": modules,
        "parts": parts,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out_dir / "latest.md").write_text(markdown(report))
    print((args.out_dir / "latest.md").read_text())


if __name__ == "__main__":
    main()
