"""Worker processes of an indexing run end with it, even when it is killed with SIGKILL."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a forked worker: the kernel kills it when the run that forked it dies.

    Otherwise an orphan keeps writing into a build (or posting to a collection)
    being discarded, and keeps the run's lock files held, since forked workers
    share their descriptors: every later run would be refused as "locked".
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it discards the run
    if os.getppid() != parent_pid:  # the parent died before prctl
        os._exit(1)
