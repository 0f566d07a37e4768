"""Fallback load generator when wrk is not installed: processes × threads of blocking http.client.

`python -m bench.pyload SPEC.json` prints one `BENCH_JSON {...}` line shaped like bench/loadgen's wrk
output. It imports no Django, so it is a plain client process like wrk. Python's per-request cost
is higher than wrk's, so on a 2-core machine it takes more CPU from the server: ratios to the floor
(measured with the same client) stay comparable, absolute numbers are lower.
"""

import base64
import http.client
import json
import multiprocessing
import secrets
import sys
import threading
import time
from urllib.parse import urlsplit


def _worker(spec: dict, process_index: int, threads: int, queue) -> None:
    url = urlsplit(spec["base_url"])
    began = time.perf_counter()
    deadline = time.monotonic() + spec["seconds"]
    nonce = secrets.token_hex(4)
    lock = threading.Lock()
    latencies: list[int] = []
    errors = {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}
    sent_bytes = [0]

    def loop(thread_index: int) -> None:
        conn = None
        counter = 0
        local: list[int] = []
        local_errors = dict.fromkeys(errors, 0)
        received = 0
        templates = spec["templates"]
        while time.monotonic() < deadline:
            counter += 1
            t = templates[counter % len(templates)]
            uniq = f"{nonce}-{process_index}-{thread_index}-{counter}"
            path = t["path"].replace("{n}", uniq)
            if t.get("body_b64"):
                body = base64.b64decode(t["body_b64"])
            else:
                body = t["body"].replace("{n}", uniq).encode() if t["body"] is not None else None
            start = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=spec["timeout"])
                conn.request(t["method"], path, body=body, headers=spec["headers"])
                response = conn.getresponse()
                received += len(response.read())
                if response.status > 399:
                    local_errors["status"] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except TimeoutError:
                local_errors["timeout"] += 1
                conn = None
                continue
            except ConnectionRefusedError:
                local_errors["connect"] += 1
                conn = None
                time.sleep(0.01)
                continue
            except (OSError, http.client.HTTPException):
                local_errors["read"] += 1
                conn = None
                continue
            local.append(int((time.perf_counter() - start) * 1e6))
        with lock:
            latencies.extend(local)
            for key, value in local_errors.items():
                errors[key] += value
            sent_bytes[0] += received

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    queue.put({"latencies": latencies, "errors": errors, "bytes": sent_bytes[0], "elapsed": elapsed})


def _percentile(values: list[int], p: float) -> int:
    if not values:
        return 0
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main(path: str) -> None:
    with open(path) as handle:
        spec = json.load(handle)
    processes = max(1, spec["processes"])
    per_process = [
        spec["connections"] // processes + (1 if i < spec["connections"] % processes else 0) for i in range(processes)
    ]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    children = [
        context.Process(target=_worker, args=(spec, i, per_process[i], queue), daemon=True) for i in range(processes)
    ]
    for child in children:
        child.start()
    parts = [queue.get(timeout=spec["seconds"] + spec["timeout"] + 20) for _ in children]
    for child in children:
        child.join(timeout=5)
    duration = max(part["elapsed"] for part in parts)
    latencies = sorted(v for part in parts for v in part["latencies"])
    errors = {key: sum(part["errors"][key] for part in parts) for key in parts[0]["errors"]}
    result = {
        "requests": len(latencies),
        "duration_us": int(duration * 1e6),
        "bytes": sum(part["bytes"] for part in parts),
        **errors,
        "p50_us": _percentile(latencies, 50),
        "p90_us": _percentile(latencies, 90),
        "p99_us": _percentile(latencies, 99),
        "max_us": latencies[-1] if latencies else 0,
        "mean_us": sum(latencies) / len(latencies) if latencies else 0.0,
    }
    print("BENCH_JSON " + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
