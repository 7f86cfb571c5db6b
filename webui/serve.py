"""Serve the web app: gunicorn with worker processes, or Flask's debug server with --dev.

Whoosh searching is CPU-bound Python, so processes, not threads, give throughput.
"""

from __future__ import annotations

import os
from pathlib import Path

from indexer.store import open_current

REQUEST_TIMEOUT_SECONDS = 30


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 8000, dev: bool = False, workers: int = 0) -> None:
    open_current(index_dir)  # fail now, with the fix in the message, if there is no index
    # The index reaches the app as any other setting does. Not as create_app's
    # test_config: that is for tests, and starts without a rate limit.
    os.environ["LOUPE_INDEX_DIR"] = str(index_dir)
    from webui.app import create_app

    if dev:
        create_app().run(host=host, port=port, debug=True)
        return
    from gunicorn.app.base import BaseApplication

    class LoupeServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers or os.cpu_count() or 2)
            self.cfg.set("timeout", REQUEST_TIMEOUT_SECONDS)
            self.cfg.set("accesslog", "-")

        def load(self):
            return create_app()

    print(f"Loupe serving {index_dir}/ on http://{host}:{port}", flush=True)
    LoupeServer().run()
