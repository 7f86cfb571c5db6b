"""What a request reads from the app it runs in: the engine create_app opened."""

from __future__ import annotations

from flask import current_app

from engines.base import Engine


def current_engine() -> Engine:
    return current_app.extensions["loupe_engine"]
