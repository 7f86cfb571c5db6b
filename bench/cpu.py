"""CPU seconds spent while a block runs: by named processes (the Solr JVMs), by finished children, by the machine."""

from __future__ import annotations

import resource
import time
from contextlib import contextmanager

import psutil


def _process_seconds(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


@contextmanager
def cpu_seconds(pids: dict[str, int]):
    """Yield a dict filled at the end: wall seconds, CPU seconds per named pid, of waited-for children, machine-wide.

    "children" counts the child processes this process waited for during the block (a build child and the
    analysis processes it forked); "machine" counts every process, other people's work included.
    """
    spent: dict = {}
    wall, children, machine = time.perf_counter(), _children_seconds(), _machine_busy_seconds()
    before = {name: _process_seconds(pid) for name, pid in pids.items()}
    try:
        yield spent
    finally:
        spent["wall"] = time.perf_counter() - wall
        spent["processes"] = {name: _process_seconds(pid) - before[name] for name, pid in pids.items()}
        spent["children"] = _children_seconds() - children
        spent["machine"] = _machine_busy_seconds() - machine
