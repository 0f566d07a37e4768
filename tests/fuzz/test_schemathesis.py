"""Schemathesis over the whole served OpenAPI schema, against a real gunicorn (tests/fuzz/conftest.py).

Every check schemathesis has is on (tests/fuzz/schemathesis.toml says why one is replaced by a
stricter check of ours and which statuses count as accepting valid data), in all four phases:
schema examples, coverage (boundary and invalid values of every parameter and body field), fuzzing,
and stateful sequences along the links schemathesis infers (create → read → update → delete; this is
where `use_after_free` and `ensure_resource_availability` look). Seeded and bounded, so a run is
reproducible and takes about two minutes.
"""

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.live import ROOT

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
METHODS = {"get", "put", "post", "patch", "delete"}
TIME_LIMIT_SECONDS = 420  # generous: a run takes about two minutes


def test_schemathesis_finds_no_failure(fuzz_server, wfc_auth_file, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # for `hooks = "tests.fuzz.hooks"`
        "FUZZ_PROJECT_ID": str(fuzz_server.owner.project_id),
        "FUZZ_ORGANIZATION_ID": fuzz_server.owner.organization_id,
        "FUZZ_WFC_PATH": str(wfc_auth_file),
        "NO_COLOR": "1",
    }
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{fuzz_server.url}/api/schema/?format=json",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path / "report"),
    ]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, (
        f"schemathesis found failures (exit {result.returncode}):\n{report[-20000:]}\n"
        f"--- gunicorn log (tail) ---\n{fuzz_server.log_tail()}"
    )
    # It really ran: every operation of the schema was tested, in every phase that generates cases.
    schema = httpx.get(f"{fuzz_server.url}/api/schema/?format=json", timeout=10).json()
    operations = sum(1 for item in schema["paths"].values() for method in item if method in METHODS)
    assert f"Selected: {operations}/{operations}" in report and f"Tested: {operations}" in report, report[-3000:]
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in report, report[-3000:]
    print(report[-2500:])  # the summary, for `pytest -rP`
