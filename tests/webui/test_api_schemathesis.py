"""Schemathesis against a live server: every /api/v1 route must answer inside its OpenAPI document.

Every check is on (status codes, content types, headers, response schemas, schema-valid
requests accepted and schema-invalid ones refused, 405 with Allow…), over the examples,
coverage and fuzzing phases, bounded in examples and time so the test stays under a
minute. The seed is fixed so a failure reproduces; LOUPE_SCHEMATHESIS_SEED picks another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, LiveServer
from webui.app import create_app

MAX_EXAMPLES = 15  # per operation and phase
MAX_SECONDS = 30
SEED = os.environ.get("LOUPE_SCHEMATHESIS_SEED", "17")


@pytest.fixture(scope="module")
def server(demo_index):
    with LiveServer(create_app({"INDEX_DIR": str(demo_index), "TESTING": True})) as live:
        yield live


def schemathesis_command() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("schemathesis is missing: pip install -e '.[test]' (make test does)")
    return found


def test_every_api_route_answers_within_its_openapi_document(server, tmp_path):
    command = [
        schemathesis_command(), "run", f"{server.url}/api/v1/openapi.json",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES),
        "--max-time", str(MAX_SECONDS),
        "--seed", SEED,
        "--workers", "1",
        "--request-timeout", "10",
        "--no-color",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "SCHEMATHESIS_HOOKS": "tests.webui.schemathesis_hooks"}
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=MAX_SECONDS + 60,
                          check=False)
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert "6 selected / 6 total" in done.stdout, report
