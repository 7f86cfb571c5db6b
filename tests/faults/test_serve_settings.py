"""`run.py serve` applies the production settings, the rate limit among them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]


def test_the_served_app_rate_limits_the_api_as_configured(demo_index: Path) -> None:
    port = free_port()
    env = {**os.environ, "LOUPE_RATE_LIMIT_PER_MINUTE": "60", "LOUPE_RATE_LIMIT_BURST": "2"}
    server = subprocess.Popen(
        [sys.executable, "run.py", "serve", "--index", str(demo_index), "--port", str(port), "--workers", "1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/search?q=mali"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        statuses = []
        for _ in range(3):
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as refused:
                statuses.append(refused.code)
                assert refused.headers["Retry-After"]
                assert json.load(refused)["error"]["code"] == "rate_limited"
        assert statuses == [200, 200, 429]
    finally:
        server.terminate()
        server.wait(timeout=20)
