"""Serve Loupe with `run.py serve` (gunicorn, production settings) on loopback; latency and throughput."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from bench.corpus import REPO

HOST = "127.0.0.1"
# The app limits each client address (600 requests/min per worker). Requests come from a pool of
# loopback addresses, so what is measured is the server's capacity, not that limit.
SOURCE_ADDRESSES = tuple(f"127.0.0.{n}" for n in range(2, 66))
START_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, url: str, source: str = HOST) -> int:
    """Status of one GET on a new connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS, source_address=(source, 0))
    try:
        connection.request("GET", url)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextmanager
def served(index_dir: Path, workers: int = 2):
    """`python run.py serve --workers N` in its own process group; yields the port, stops it after."""
    port = free_port()
    command = [sys.executable, "run.py", "serve", "--workers", str(workers), "--host", HOST,
               "--port", str(port), "--index", str(index_dir)]
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if get(port, "/healthz") == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {server.stderr.read().decode()[-500:]}")
            time.sleep(0.2)
        yield port
    finally:
        stop_process_group(server, wait=15)  # gunicorn's master stops its workers


def stop_process_group(process: subprocess.Popen, sig: int = signal.SIGTERM, wait: float = 20) -> None:
    """Send `sig` to the process's group; SIGKILL it if it is still there after `wait` seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def sequential_latencies(port: int, urls: list[str], rounds: int) -> list[float]:
    """Milliseconds per request, one client, after a warm-up pass (each worker opens its searcher)."""
    for number, url in enumerate(urls):
        get(port, url, SOURCE_ADDRESSES[number % len(SOURCE_ADDRESSES)])
    timings = []
    for _ in range(rounds):
        for number, url in enumerate(urls):
            started = time.perf_counter()
            status = get(port, url, SOURCE_ADDRESSES[number % len(SOURCE_ADDRESSES)])
            timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{url}: HTTP {status}")
    return timings


def throughput(port: int, urls: list[str], clients: int, seconds: float) -> dict:
    """Requests/s and error rate with `clients` threads looping over `urls` for `seconds`."""
    done = [0] * clients
    errors = [0] * clients
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        position = number * len(urls) // clients  # each client starts elsewhere in the list
        while time.monotonic() < deadline:
            try:
                source = SOURCE_ADDRESSES[(number + position) % len(SOURCE_ADDRESSES)]
                ok = get(port, urls[position % len(urls)], source) == 200
            except OSError:
                ok = False
            done[number] += 1
            errors[number] += not ok
            position += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = sum(done)
    return {"clients": clients, "requests": total, "seconds": elapsed,
            "rps": total / elapsed, "error_rate": sum(errors) / total if total else 1.0}
