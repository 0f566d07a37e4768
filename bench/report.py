"""Merge the drivers' part files into `bench/results/latest.json` and `latest.md`.

    python -m bench.report --out-dir bench/results --commands-file CMDS PART.json [PART.json ...]

Throughput is reported as a ratio to the floor of the same server run (the mean of the floor measured
first and last), because absolute numbers drift on a shared machine while ratios hold.
"""

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from bench.scenarios import MAX_P99_MS, MIN_RATIO

# Query counts that must not depend on the number of tours: (scenario, smaller size, larger size).
GROWTH_PAIRS = (("list", 100, 1000), ("retrieve", 100, 1000), ("public_warm", 100, 1000),
                ("search_literal", 1000, 10000), ("search_typo", 1000, 10000))  # fmt: skip


def floor_rps(part: dict) -> float | None:
    values = [r["rps"] for r in part["scenarios"] if r["id"] in ("floor", "floor_end") and r.get("state") == "ok"]
    return sum(values) / len(values) if values else None


def _peak_rss(row: dict) -> float | None:
    memory = row.get("memory") or {}
    values = [m.get("VmHWM") for m in memory.values() if m.get("VmHWM") is not None]
    return max(values) if values else None


def evaluate(row: dict, *, part: str, floor: float | None) -> tuple[str, str | None]:
    """(target text, "PASS"/"FAIL"/None) for one scenario row."""
    if row["id"] in MIN_RATIO and part == "postgresql":
        target = f"≥ {MIN_RATIO[row['id']]}× floor"
        if row.get("state") != "ok" or not floor:
            return target, "FAIL"
        return target, "PASS" if row["rps"] / floor >= MIN_RATIO[row["id"]] else "FAIL"
    if (row["id"], part) in MAX_P99_MS:
        bound = MAX_P99_MS[(row["id"], part)]
        one = row.get("one_client")
        target = f"p99 < {bound:g} ms" + (", one client" if one else "")
        if row.get("state") != "ok" or (one and one["error_count"]):
            return target, "FAIL"
        return target, "PASS" if (one or row)["p99_ms"] < bound else "FAIL"
    return "—", None


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


def summarize(parts: dict[str, dict]) -> list[dict]:
    rows = []
    for name, part in parts.items():
        run_floor = floor_rps(part)
        for row in part["scenarios"]:
            floor = row.get("adjacent_floor_rps") or run_floor
            target, result = evaluate(row, part=name, floor=floor)
            ok = row.get("state") == "ok"
            rows.append({
                "database": name, "id": row["id"], "title": row["title"], "state": row.get("state"),
                "rps": row.get("rps") if ok else None, "floor_rps": round(floor, 1) if floor else None,
                "ratio_to_floor": round(row["rps"] / floor, 3) if ok and floor else None,
                "p50_ms": row.get("p50_ms") if ok else None, "p99_ms": row.get("p99_ms") if ok else None,
                "errors": row.get("error_count"), "queries": row.get("queries"), "queries_cold": row.get("queries_cold"),
                "inprocess_ms": row.get("inprocess_ms"), "inprocess_db_ms": row.get("inprocess_db_ms"),
                "response_bytes": row.get("response_bytes"), "peak_rss_mib": _peak_rss(row),
                "server_cpu_ms": row.get("server_cpu_ms_per_request"), "db_cpu_ms": row.get("db_cpu_ms_per_request"),
                "one_client": row.get("one_client"), "target": target, "result": result,
            })  # fmt: skip
    return rows


def _fmt(value, spec: str = "", none: str = "—") -> str:
    if value is None:
        return none
    return format(value, spec)


def markdown(report: dict) -> str:
    m, v = report["machine"], report["versions"]
    lines = [
        "# `make bench` — latest results",
        "",
        f"Generated {report['generated_at']} by `make bench` (bench/run.sh) in {report['total_seconds']} s."
        f" Load generator: **{report['load']['tool_version']}**, {report['load']['threads']} threads,"
        f" {report['load']['connections']} connections, {report['load']['warmup_seconds']:g} s warm-up +"
        f" {report['load']['seconds']:g} s measured per scenario. Server: gunicorn (sync workers,"
        f" `WEB_CONCURRENCY=2`, the project's `config/gunicorn.conf.py`) on 127.0.0.1, `RATE_LIMIT_ENABLED=0`,"
        f" cache: {report['cache']}.",
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
        f"| Load generator | {report['load']['tool_version']} |",
        "",
    ]
    for name, part in report["parts"].items():
        floor = floor_rps(part)
        lines += [
            f"## Results — {report['databases'][name]}",
            "",
            f"Floor: **{_fmt(floor, '.0f')} req/s** (mean of the first and last floor runs); each scenario's"
            ' ratio uses the floor measured right before and after it (column "floor").'
            f" Seeded in {part['seed']['seconds']} s: "
            + ", ".join(
                f"{label} {p['tours']} tours ({p['launched']} launched)"
                for label, p in part["seed"]["projects"].items()
            )
            + ".",
            "",
            "| Scenario | req/s | floor | × floor | p50 ms | p99 ms | errors | queries/req (cold) | CPU ms/req: app + DB | 1 request in-process: ms (DB ms) | body bytes | peak RSS/worker MiB | target | result |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for row in (r for r in report["summary"] if r["database"] == name):
            if row["state"] not in ("ok", "errors"):
                lines.append(
                    f"| {row['title']} | {row['state']} | | | | | | | | | | | {row['target']} | {row['result'] or ''} |"
                )
                continue
            lines.append(
                f"| {row['title']} | {_fmt(row['rps'], '.1f')} | {_fmt(row['floor_rps'], '.0f')} | {_fmt(row['ratio_to_floor'], '.3f')} |"
                f" {_fmt(row['p50_ms'])} | {_fmt(row['p99_ms'])} | {row['errors']} |"
                f" {row['queries']} ({row['queries_cold']}) | {_fmt(row['server_cpu_ms'], '.2f')}"
                f"{' + ' + _fmt(row['db_cpu_ms'], '.2f') if row['db_cpu_ms'] is not None else ''} |"
                f" {row['inprocess_ms']} ({row['inprocess_db_ms']}) |"
                f" {_fmt(row['response_bytes'])} | {_fmt(row['peak_rss_mib'])} | {row['target']} | {row['result'] or ''} |"
            )
        singles = [r for r in part["scenarios"] if r.get("one_client")]
        if singles:
            lines += [
                "",
                "With one client (one connection, no queue in front of the workers):",
                "",
                "| Scenario | req/s | p50 ms | p99 ms | errors |",
                "|---|---:|---:|---:|---:|",
            ]
            lines += [f"| {r['title']} | {r['one_client']['rps']} | {r['one_client']['p50_ms']} |"
                      f" {r['one_client']['p99_ms']} | {r['one_client']['error_count']} |" for r in singles]  # fmt: skip
        mem0, rows = part.get("memory_after_start", {}), [r for r in part["scenarios"] if r.get("memory")]
        if rows:
            last = rows[-1]["memory"]
            lines += ["", "Worker memory (MiB): " + "; ".join(
                f"pid {pid}: RSS {mem0.get(pid, {}).get('VmRSS', '?')} after start → {last[pid].get('VmRSS')} at end, peak {last[pid].get('VmHWM')}"
                for pid in last
            ) + "."]  # fmt: skip
        lines.append("")
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
    lines += [
        "",
        "## Targets",
        "",
    ]
    for t in report["targets"]:
        lines.append(f"- **{t['result']}** — {t['what']}")
    lines += [
        "",
        "## How it was measured",
        "",
        "- Throughput and latency: the load generator runs as its own process against gunicorn on loopback;"
        " each scenario is warmed up first (result discarded; for requests slower than 250 ms in-process the"
        " precheck request is the only warm-up). `errors` counts connect/read/write errors,"
        " timeouts and HTTP status ≥ 400. Before each scenario one request checks the expected status;"
        " endpoints answering 404/405 that are still being built are shown as *not available yet*.",
        "- Queries per request: counted in the driver process, not the server — each scenario's request is"
        " sent twice through `django.test.Client` against the same database under Django's"
        " `CaptureQueriesContext`; the second (steady-state) count is shown, the first in parentheses"
        " (cold: the public endpoint's cache fill, the API key's hourly `last_used_at` write). The same"
        " unloaded request's wall time and database time (an `execute_wrapper` timer) are shown as"
        ' "in-process". Not counted: the per-request `SELECT 1` of `CONN_HEALTH_CHECKS` on a reused'
        " PostgreSQL connection.",
        "- CPU ms/req: CPU time the kernel accounted to the gunicorn workers (app) and to the PostgreSQL"
        " server processes (DB) while the scenario ran, divided by the requests the server logged for it."
        " Unlike req/s it hardly depends on what else the machine runs; the load generator's own CPU is"
        " not included (on this 2-core machine it competes with the server, as do the database and any"
        " other work).",
        "- Peak RSS: `VmHWM` of each gunicorn worker from `/proc/<pid>/status` after the scenario (the"
        " workers are not recycled during the run: `GUNICORN_MAX_REQUESTS=0`).",
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


def targets(summary: list[dict], query_growth: list[dict]) -> list[dict]:
    out = []
    for row in summary:
        if row["result"] is None:
            continue
        p99 = (row["one_client"] or row)["p99_ms"]
        shown = (f"{row['ratio_to_floor']}× floor" if "floor" in row["target"] else f"p99 {p99} ms") \
            if row["state"] == "ok" else row["state"]  # fmt: skip
        out.append(
            {"result": row["result"], "what": f"{row['title']} ({row['database']}): {row['target']}; measured {shown}"}
        )
    for g in query_growth:
        out.append({
            "result": g["result"],
            "what": f"{g['scenario']} queries do not grow with tours ({g['database']}): "
                    f"{g['queries'][0]} at {g['sizes'][0]:,} vs {g['queries'][1]} at {g['sizes'][1]:,}",
        })  # fmt: skip
    for row in summary:
        if row["state"] == "not available yet":
            out.append({"result": "NOT RUN", "what": f"{row['title']} ({row['database']}): endpoint not available yet"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("parts", nargs="+", type=Path)
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--commands-file", type=Path)
    parser.add_argument("--total-seconds", type=float, default=None)
    parser.add_argument("--cache", default="local memory (per worker)")
    args = parser.parse_args()
    parts = {}
    for path in args.parts:
        data = json.loads(path.read_text())
        parts[data["part"]] = data
    first = next(iter(parts.values()))
    summary = summarize(parts)
    query_growth = growth(parts)
    report = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "total_seconds": args.total_seconds,
        "machine": first["machine"],
        "versions": {**first["versions"], "load_generator": first["load"]["tool_version"]},
        "databases": {name: part["database"] for name, part in parts.items()},
        "load": first["load"],
        "cache": args.cache,
        "commands": args.commands_file.read_text().splitlines() if args.commands_file else [],
        "summary": summary,
        "query_growth": query_growth,
        "targets": targets(summary, query_growth),
        "parts": parts,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out_dir / "latest.md").write_text(markdown(report))
    print((args.out_dir / "latest.md").read_text())


if __name__ == "__main__":
    main()
