"""Serve the web app: gunicorn with worker processes, or Flask's debug server with --dev.

Whoosh searching is CPU-bound Python, so processes give throughput: one per core.
Each process runs THREADS threads (gunicorn's gthread workers), so that a slow
client (one header byte a second) holds one thread, not a whole worker, and an
idle keep-alive connection holds none. A request line up to gunicorn's maximum
(8190 bytes) reaches the app, which answers an over-long query with its own 400
JSON rather than gunicorn's HTML 414.
"""

from __future__ import annotations

import os

from engines.factory import open_engine
from settings import Settings

REQUEST_TIMEOUT_SECONDS = 30
THREADS = 16
KEEPALIVE_SECONDS = 5
MAX_REQUEST_LINE = 8190  # gunicorn's largest (0 would mean unlimited)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, dev: bool = False, workers: int = 0,
          threads: int = THREADS) -> None:
    """Serve the app for `settings`, read once in this (the master) process: every worker gets the same ones."""
    # Fail now, with the fix in the message, if there is no index (or no Solr to answer).
    open_engine(settings.engine, index_dir=settings.index_dir, solr_url=settings.solr_url,
                solr_collection=settings.solr_collection, warm=False).health()
    from webui.app import create_app

    if dev:
        create_app(settings).run(host=host, port=port, debug=True)
        return
    from gunicorn.app.base import BaseApplication

    class LoupeServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers or os.cpu_count() or 2)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("keepalive", KEEPALIVE_SECONDS)
            self.cfg.set("limit_request_line", MAX_REQUEST_LINE)
            self.cfg.set("timeout", REQUEST_TIMEOUT_SECONDS)
            self.cfg.set("accesslog", "-")
            self.cfg.set("post_worker_init", post_worker_init)

        def load(self):
            # Called in each worker after the fork: the settings object came with it from the master.
            return create_app(settings)

    def post_worker_init(worker) -> None:
        """Warm the worker's engine before its first request, and follow the builds swapped in later."""
        engine = worker.wsgi.extensions["loupe_engine"]
        engine.warm()
        engine.watch()

    print(f"Loupe serving {settings.index_dir}/ on http://{host}:{port}", flush=True)
    LoupeServer().run()
