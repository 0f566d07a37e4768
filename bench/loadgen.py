"""Drive load at the server from another process: wrk (Debian package) or, without it, `bench.pyload`.

A scenario is a list of request templates; `{n}` in a path or body becomes a value unique to the
run, load thread and request (creates need unique names). One template without `{n}` is sent as
wrk's static request (no Lua per request, so the load generator costs as little CPU as possible).
Both tools report the same dict: requests, duration, errors, p50/p90/p99/max latency in µs.
"""

import base64
import json
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "BENCH_JSON "


@dataclass(frozen=True)
class Template:
    method: str
    path: str
    body: str | bytes | None = None  # bytes: sent as they are (gzip bodies), without `{n}`


@dataclass(frozen=True)
class Load:
    threads: int = 2
    connections: int = 16
    seconds: float = 10.0
    warmup_seconds: float = 3.0
    floor_seconds: float = 2.0  # the floor measured right before and after each scenario
    timeout_seconds: int = 30


def tool_available(name: str) -> bool:
    return name == "python" or shutil.which(name) is not None


def tool_version(name: str) -> str:
    if name == "wrk":
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()
    return f"bench.pyload (Python {sys.version.split()[0]}, multiprocessing + http.client)"


def _lua_str(value: str | bytes) -> str:
    if isinstance(value, bytes):  # every byte as a decimal escape: the script stays ASCII
        return '"' + "".join(f"\\{b:03d}" for b in value) + '"'
    level = "=" * 4
    assert f"]{level}]" not in value
    return f"[{level}[{value}]{level}]"


def _has_n(t: Template) -> bool:
    return "{n}" in t.path or (isinstance(t.body, str) and "{n}" in t.body)


_DONE = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def _wrk_script(templates: list[Template], headers: dict[str, str]) -> str:
    header_lines = "\n".join(f"wrk.headers[ {_lua_str(k)} ] = {_lua_str(v)}" for k, v in headers.items())
    if len(templates) == 1 and not _has_n(templates[0]):
        t = templates[0]
        static = f"wrk.method = {_lua_str(t.method)}\n"
        if t.body is not None:
            static += f"wrk.body = {_lua_str(t.body)}\n"
        return header_lines + "\n" + static + _DONE
    rows = ",\n".join(
        f"  {{ {_lua_str(t.method)}, {_lua_str(t.path)}, {_lua_str(t.body) if t.body is not None else 'nil'},"
        f" {'true' if isinstance(t.body, str) else 'false'} }}"
        for t in templates
    )
    nonce = secrets.token_hex(4)
    dynamic = f"""
local reqs = {{
{rows}
}}
local nonce = "{nonce}"
local counter = 0
local threads_started = 0
function setup(thread)
  threads_started = threads_started + 1
  thread:set("tid", threads_started)
end
function request()
  counter = counter + 1
  local r = reqs[(counter % #reqs) + 1]
  local uniq = nonce .. "-" .. tostring(tid) .. "-" .. tostring(counter)
  local path = (string.gsub(r[2], "{{n}}", uniq))
  local body = nil
  if r[3] then body = r[4] and (string.gsub(r[3], "{{n}}", uniq)) or r[3] end
  local h = {{}}
  for k, v in pairs(wrk.headers) do h[k] = v end
  return wrk.format(r[1], path, h, body)
end
"""
    return header_lines + "\n" + dynamic + _DONE


def _pyload_template(t: Template) -> dict:
    if isinstance(t.body, bytes):
        return {"method": t.method, "path": t.path, "body": None, "body_b64": base64.b64encode(t.body).decode()}
    return {"method": t.method, "path": t.path, "body": t.body}


def _parse(stdout: str) -> dict:
    for line in stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(f"load generator printed no result:\n{stdout[-2000:]}")


def _run_once(tool: str, base_url: str, templates, headers, seconds: float, load: Load, workdir: Path) -> dict:
    if tool == "wrk":
        script = workdir / f"scenario-{secrets.token_hex(3)}.lua"
        script.write_text(_wrk_script(templates, headers))
        url = base_url + templates[0].path
        command = [
            "wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", f"{load.timeout_seconds}s", "-s", str(script), url,
        ]  # fmt: skip
    else:
        spec = workdir / f"scenario-{secrets.token_hex(3)}.json"
        spec.write_text(
            json.dumps(
                {
                    "base_url": base_url,
                    "templates": [_pyload_template(t) for t in templates],
                    "headers": headers,
                    "processes": load.threads,
                    "connections": load.connections,
                    "seconds": seconds,
                    "timeout": load.timeout_seconds,
                }
            )
        )
        command = [sys.executable, "-m", "bench.pyload", str(spec)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + load.timeout_seconds + 30)
    if out.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({out.returncode}): {out.stderr[-2000:]}")
    try:
        result = _parse(out.stdout)
    except RuntimeError as error:
        raise RuntimeError(f"{error}\n{out.stderr[-2000:]}") from None
    result["command"] = shlex.join(command)
    text = script.read_text() if tool == "wrk" else spec.read_text()
    # Rotating templates (100 ids) make long scripts: the report keeps their beginning.
    result["script"] = text if len(text) <= 3000 else text[:3000] + f"\n... ({len(text)} characters in all)"
    return result


def run(
    *, tool: str, base_url: str, templates: list[Template], headers: dict[str, str], load: Load, seconds: float
) -> dict:
    """One measured run of `seconds` (warm-ups are runs whose result the caller ignores)."""
    with tempfile.TemporaryDirectory(prefix="ptapi-bench-") as tmp:
        result = _run_once(tool, base_url, templates, headers, seconds, load, Path(tmp))
    seconds = result["duration_us"] / 1e6
    errors = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "tool": tool,
        "command": result["command"],
        "script": result["script"],
        "requests": result["requests"],
        "seconds": round(seconds, 2),
        "rps": round(result["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p90_ms": round(result["p90_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2),
        "max_ms": round(result["max_us"] / 1000, 2),
        "errors": {k: result[k] for k in ("connect", "read", "write", "status", "timeout")},
        "error_count": errors,
    }
