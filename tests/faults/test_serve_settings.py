"""`run.py serve` applies the production settings, the rate limit among them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def served(index_dir: Path, *args: str, **env: str) -> Iterator[str]:
    """`run.py serve` in a process of its own (production gunicorn settings); yields its base URL once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "run.py", "serve", "--index", str(index_dir), "--port", str(port), *args],
        cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10):
                    break
            except OSError:  # not listening yet, or too busy starting to answer in time
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_served_app_rate_limits_the_api_as_configured(demo_index: Path) -> None:
    with served(demo_index, "--workers", "1", LOUPE_RATE_LIMIT_PER_MINUTE="1", LOUPE_RATE_LIMIT_BURST="2") as base:
        statuses = []
        for _ in range(3):
            try:
                with urllib.request.urlopen(f"{base}/api/v1/search?q=mali", timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as refused:
                statuses.append(refused.code)
                assert refused.headers["Retry-After"]
                assert json.load(refused)["error"]["code"] == "rate_limited"
        assert statuses == [200, 200, 429]


def test_an_over_long_url_gets_the_apps_json_400_not_the_servers_html_414(demo_index: Path) -> None:
    with served(demo_index, "--workers", "1") as base:
        query_text = "é" * 1200  # 7,200 bytes once percent-encoded: over the query limit, under the line limit
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/v1/search?q={quote(query_text)}", timeout=30)
        assert refused.value.code == 400
        assert refused.value.headers["Content-Type"].startswith("application/json")
        assert "the limit is 1000" in json.load(refused.value)["error"]["message"]


def test_slow_clients_sending_a_header_byte_a_second_do_not_keep_others_from_being_answered(demo_index: Path) -> None:
    # The attack that left 0 of 5 normal requests answered in 50 s with sync workers.
    with served(demo_index, "--workers", "1") as base:
        port = int(base.rsplit(":", 1)[1])
        stop = threading.Event()
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]

        def trickle() -> None:
            request = b"GET /search?q=mali HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
            for byte in request:
                if stop.wait(1.0):
                    return
                for connection in slow:
                    try:
                        connection.send(bytes([byte]))
                    except OSError:
                        pass

        sender = threading.Thread(target=trickle, daemon=True)
        sender.start()
        try:
            time.sleep(3)  # every slow connection has started its request
            answered = []
            for _ in range(5):
                started = time.monotonic()
                with urllib.request.urlopen(f"{base}/api/v1/search?q=mali", timeout=30) as response:
                    answered.append((response.status, time.monotonic() - started))
            assert [status for status, _ in answered] == [200] * 5
        finally:
            stop.set()
            for connection in slow:
                connection.close()
