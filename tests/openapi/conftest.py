"""The schema exactly as `make schema` writes it: `manage.py spectacular` in a fresh process."""

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
import yaml

from tests.support.openapi import ROOT, SPECTACULAR_ARGS


@dataclass
class GeneratedSchema:
    returncode: int
    stderr: str
    text: str
    data: dict


@pytest.fixture(scope="session")
def generated_schema(tmp_path_factory) -> GeneratedSchema:
    # A fresh process: drf-spectacular reports each warning once per process, so an in-process run
    # after other tests could miss some.
    out = tmp_path_factory.mktemp("schema") / "schema.yml"
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY") or "openapi-tests"}
    proc = subprocess.run(
        [sys.executable, *SPECTACULAR_ARGS, str(out)],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = out.read_text() if out.exists() else ""
    return GeneratedSchema(
        returncode=proc.returncode, stderr=proc.stderr, text=text, data=yaml.safe_load(text) if text else {}
    )


@pytest.fixture(scope="session")
def schema(generated_schema) -> dict:
    assert generated_schema.returncode == 0, generated_schema.stderr
    return generated_schema.data
