"""Memory and recycling, on the page-view mix (PostgreSQL part of `make bench`):

- soak: `requests` requests of the mix with recycling off (`GUNICORN_MAX_REQUESTS=0`), each worker's
  RSS sampled every second: it must stay flat and under 200 MiB;
- recycling: the mix with workers replaced every 5,000-7,000 requests, with the application preloaded
  in the master (production) and, as the control, without (each replacement imports Django itself).
  The p99 and the worst latency show what a replacement costs the requests around it.
"""

import json
import threading
import time
from pathlib import Path

from bench import loadgen
from bench.server import Server

RSS_LIMIT_MIB = 200.0
# Each worker replaced every 5,000-7,000 requests: four times production's rate (20,000-22,000), so that a
# short run holds several replacements.
RECYCLE_EVERY = 5000
RECYCLE_JITTER = 2000
RECYCLE_SECONDS = 40.0


class _Sampler(threading.Thread):
    """Every second: each live worker's RSS (MiB), by pid."""

    def __init__(self, server: Server):
        super().__init__(daemon=True)
        self.server, self.samples, self.stop = server, [], threading.Event()

    def run(self) -> None:
        began = time.monotonic()
        while not self.stop.wait(1.0):
            memory = self.server.worker_memory()
            self.samples.append(
                {"t": round(time.monotonic() - began, 1), "rss": {pid: m.get("VmRSS") for pid, m in memory.items()}}
            )


def _combined(runs: list[dict]) -> dict:
    """Several consecutive load runs as one: counts added, percentiles the worst of the runs."""
    seconds = sum(r["seconds"] for r in runs)
    requests = sum(r["requests"] for r in runs)
    errors = {k: sum(r["errors"][k] for r in runs) for k in runs[0]["errors"]}
    return {
        "requests": requests, "seconds": round(seconds, 2), "rps": round(requests / seconds, 1) if seconds else 0.0,
        **{k: max(r[k] for r in runs) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")},
        "errors": errors, "error_count": sum(errors.values()), "command": runs[-1]["command"], "runs": len(runs),
    }  # fmt: skip


def _run(*, env: dict, log_path: Path, templates, headers, load, tool: str, seconds: float, requests: int = 0) -> dict:
    """Serve and load for `seconds`, or, with `requests`, until that many were answered (at most 240 s)."""
    server = Server(env=env, log_path=log_path)
    try:
        server.start()
        offset = server.log_offset()
        sampler = _Sampler(server)
        sampler.start()
        runs, began = [], time.monotonic()
        while True:
            runs.append(loadgen.run(tool=tool, base_url=server.base_url, templates=templates, headers=headers,
                                    load=load, seconds=seconds))  # fmt: skip
            done = sum(r["requests"] for r in runs)
            elapsed = time.monotonic() - began
            if done >= requests or elapsed > 240:
                break
            rate = done / max(elapsed, 0.1)  # the rest, at the rate seen so far (plus a margin)
            seconds = max(2.0, min(240 - elapsed, (requests - done) / max(rate, 1.0) * 1.05))
        measured = _combined(runs)
        sampler.stop.set()
        sampler.join()
        server.drain()
        restarts = server.workers_restarted_since(offset)
        failures = _failures(log_path, offset)
    finally:
        server.stop()
    return {"server": server.describe()["env"], "measured": measured, "restarts": restarts, "samples": sampler.samples,
            "failures": failures}  # fmt: skip


def _failures(log_path: Path, offset: int) -> dict:
    """Answers of 400 and above in the server's request log, counted by method, path and status."""
    counts: dict[str, int] = {}
    with open(log_path, "rb") as log:
        log.seek(offset)
        for line in log:
            if b'"status": ' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry.get("status"), int) and entry["status"] >= 400:
                key = f"{entry.get('method')} {entry.get('path')} {entry['status']}"
                counts[key] = counts.get(key, 0) + 1
    return counts


def _rss_summary(samples: list[dict], requests: int) -> dict:
    """Per worker: RSS after the first 10 % of the run (warm), at the end, and the peak."""
    per: dict[int, list[float]] = {}
    for sample in samples:
        for pid, rss in sample["rss"].items():
            if rss is not None:
                per.setdefault(pid, []).append(rss)
    workers = {}
    for pid, values in per.items():
        warm = values[max(0, len(values) // 10)]
        workers[str(pid)] = {
            "warm": warm,
            "end": values[-1],
            "peak": max(values),
            "growth": round(values[-1] - warm, 1),
        }
    peak = max((w["peak"] for w in workers.values()), default=None)
    growth = max((w["growth"] for w in workers.values()), default=None)
    return {
        "workers": workers,
        "peak_mib": peak,
        "max_growth_mib": growth,
        "requests": requests,
        "flat": growth is not None and growth < 10.0,
        "under_limit": peak is not None and peak < RSS_LIMIT_MIB,
    }


def soak_and_recycling(
    *, env: dict, log_dir: Path, part: str, templates, headers, load, tool: str, requests: int, rps_hint: float
) -> dict:
    seconds = max(5.0, min(60.0, requests / max(rps_hint, 1.0) / 3))  # a first part; the rest at its rate
    soak = _run(env={**env, "GUNICORN_MAX_REQUESTS": "0"}, log_path=log_dir / f"gunicorn-{part}-soak.log",
                templates=templates, headers=headers, load=load, tool=tool, seconds=seconds, requests=requests)  # fmt: skip
    result = {"soak": {**soak, "rss": _rss_summary(soak["samples"], soak["measured"]["requests"])}}
    for label, preload in (("recycling_preloaded", "1"), ("recycling_not_preloaded", "0")):
        run_env = {**env, "GUNICORN_MAX_REQUESTS": str(RECYCLE_EVERY), "GUNICORN_MAX_REQUESTS_JITTER": str(RECYCLE_JITTER),
                   "GUNICORN_PRELOAD_APP": preload}  # fmt: skip
        result[label] = _run(env=run_env, log_path=log_dir / f"gunicorn-{part}-{label}.log", templates=templates,
                             headers=headers, load=load, tool=tool, seconds=RECYCLE_SECONDS)  # fmt: skip
    return result
