"""The server under test: gunicorn with the project's own config, on a free loopback port.

Started in its own session so that stopping it (SIGTERM to the process group, SIGKILL after a grace
period) also ends its workers; `stop()` is safe to call twice and runs from the driver's `finally`.
"""

import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def status_of(
    url: str, *, method: str = "GET", body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return found


def _memory(pid: int) -> dict[str, float]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = round(int(rest.split()[0]) / 1024, 1)  # kB -> MiB
    except OSError:
        pass
    return values


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int, *, with_reaped_children: bool = False) -> float:
    """utime + stime of a process (+ its reaped children's, which is where exited workers' CPU goes)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLOCK_TICKS


def tree_cpu_seconds(root: int) -> float:
    """CPU of a server process tree: the parent with its reaped children, plus the live children."""
    return process_cpu_seconds(root, with_reaped_children=True) + sum(process_cpu_seconds(c) for c in _children(root))


class Server:
    def __init__(self, *, env: dict[str, str], log_path: Path):
        self.port = free_port()
        # The production worker count (config/gunicorn.conf.py's default) unless WEB_CONCURRENCY says otherwise.
        self.workers = int(env.get("WEB_CONCURRENCY") or 2)
        self.base_url = f"http://{HOST}:{self.port}"
        self.env = {
            **env,
            "HOST": HOST,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.workers),
            # Rate limits are counted as in production (in Redis, or the shared store on disk), with budgets
            # the load generator's single address never exhausts.
            "RATE_LIMIT_ENABLED": "1",
            "PUBLIC_RATE_LIMIT": "1000000000/minute",
            "API_RATE_LIMIT": "1000000000/minute",
            "BENCH_FLOOR_VIEW": "1",
            # As in production: one request-log line per request (to a file here), so its cost is measured.
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",  # requests served are counted from these lines
        }
        self.env.pop("DEBUG", None)
        # Production worker settings (config/gunicorn.conf.py: preloaded app, recycling every ~20,000
        # requests) unless the caller's env says otherwise (the soak and recycling runs do).
        self.env.setdefault("GUNICORN_MAX_REQUESTS", "20000")
        # The project's application, plus the bare floor under /_bench/bare/ (bench/wsgi.py).
        self.command = [str(GUNICORN), "-c", "config/gunicorn.conf.py", "bench.wsgi:application"]
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def describe(self) -> dict:
        shown = {k: self.env[k] for k in ("HOST", "PORT", "WEB_CONCURRENCY", "RATE_LIMIT_ENABLED", "PUBLIC_RATE_LIMIT",
                                          "BENCH_FLOOR_VIEW", "GUNICORN_MAX_REQUESTS", "LOG_LEVEL", "LOG_FORMAT")}  # fmt: skip
        if "GUNICORN_PRELOAD_APP" in self.env:
            shown["GUNICORN_PRELOAD_APP"] = self.env["GUNICORN_PRELOAD_APP"]
        shown["DATABASE_URL"] = _redact(self.env.get("DATABASE_URL", ""))
        if self.env.get("REDIS_URL"):
            shown["REDIS_URL"] = self.env["REDIS_URL"]
        prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in shown.items())
        return {"command": f"{prefix} {shlex.join(self.command)}", "env": shown}

    def start(self, *, timeout: float = 60) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                if status_of(self.base_url + "/_health")[0] == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become healthy within {timeout}s; see {self.log_path}")

    def drain(self) -> None:
        """Wait until requests the load generator left queued (it closes, gunicorn still serves them) are done."""
        for _ in range(2):  # one health check per worker, each behind that worker's queue
            status_of(self.base_url + "/_health")

    def worker_pids(self) -> list[int]:
        return sorted(_children(self.process.pid)) if self.process else []

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid) if self.process else 0.0

    def log_offset(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def requests_logged_since(self, offset: int, path_prefix: str) -> int:
        """Requests the server logged (accounts/request_log.py, one line each) for paths under `path_prefix`."""
        needle = f'"path": "{path_prefix}'.encode()
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return sum(1 for line in log if needle in line)

    def workers_restarted_since(self, offset: int) -> int:
        """Workers gunicorn replaced after `max_requests` since `offset` of its log."""
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return sum(1 for line in log if b"Autorestarting worker" in line)

    def worker_memory(self) -> dict[int, dict[str, float]]:
        return {pid: _memory(pid) for pid in self.worker_pids()}

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass


def _redact(url: str) -> str:
    """No secrets in reports: the throwaway clusters have none, but a user's own DATABASE_URL might."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url
