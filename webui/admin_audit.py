"""The admin console's audit log: one JSON line per action in <index>/admin-audit.log."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

from webui.admin_auth import request_client

AUDIT_LOG = "admin-audit.log"


def audit(action: str, **details) -> None:
    """One JSON line per action in <index>/admin-audit.log, and the same line in the app log."""
    entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "action": action,
             "client": request_client(), **details}
    line = json.dumps(entry, ensure_ascii=False)
    level = current_app.logger.warning if action == "login_failed" else current_app.logger.info
    level("admin: %s", line)
    index_dir = Path(current_app.config["INDEX_DIR"])
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / AUDIT_LOG, "a", encoding="utf-8") as log:
        log.write(line + "\n")
