"""Rate limit, security headers and configuration file of the web app."""

from __future__ import annotations

from pathlib import Path

import pytest

from webui.app import create_app


def test_a_client_over_the_rate_limit_gets_429_with_retry_after(demo_index: Path) -> None:
    client = create_app({"INDEX_DIR": str(demo_index), "RATE_LIMIT_PER_MINUTE": 1, "RATE_LIMIT_BURST": 3}).test_client()
    statuses = [client.get("/api/v1/search?q=mali").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/search?q=mali")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert "try again" in refused.get_json()["error"]["message"]


def test_the_rate_limit_counts_each_client_address_apart(demo_index: Path) -> None:
    app = create_app({"INDEX_DIR": str(demo_index), "RATE_LIMIT_PER_MINUTE": 1, "RATE_LIMIT_BURST": 1})
    client = app.test_client()
    first = client.get("/api/v1/search?q=mali", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    second = client.get("/api/v1/search?q=mali", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    again = client.get("/api/v1/search?q=mali", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)


@pytest.mark.parametrize("path", ["/search?q=mali", "/?q=mali", "/concordance?q=mali", "/trends?q=mali",
                                  "/search.atom?q=mali"])
def test_pages_and_research_routes_are_rate_limited_like_the_api(demo_index: Path, path: str) -> None:
    client = create_app({"INDEX_DIR": str(demo_index), "RATE_LIMIT_PER_MINUTE": 1, "RATE_LIMIT_BURST": 2}).test_client()
    statuses = [client.get(path).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get(path)
    assert int(refused.headers["Retry-After"]) >= 1
    if path.startswith("/search.atom"):
        assert refused.get_json()["error"]["code"] == "rate_limited"
    else:
        assert refused.mimetype == "text/html"
        assert "Trop de recherches depuis cette adresse" in refused.get_data(as_text=True)


def test_static_files_and_health_checks_do_not_count_toward_the_limit(demo_index: Path) -> None:
    client = create_app({"INDEX_DIR": str(demo_index), "RATE_LIMIT_PER_MINUTE": 1, "RATE_LIMIT_BURST": 1}).test_client()
    for _ in range(3):
        assert client.get("/static/loupe.css").status_code == 200
        assert client.get("/healthz").status_code == 200
    assert client.get("/search?q=mali").status_code == 200


def test_every_response_carries_a_strict_csp_and_nosniff(demo_client) -> None:
    for url in ("/", "/?q=souveraineté", "/api/v1/search?q=mali", "/healthz"):
        headers = demo_client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_is_sent_only_when_configured(demo_index: Path) -> None:
    plain = create_app({"INDEX_DIR": str(demo_index)}).test_client().get("/healthz")
    assert "Strict-Transport-Security" not in plain.headers
    tls = create_app({"INDEX_DIR": str(demo_index), "HSTS_SECONDS": 31536000}).test_client().get("/healthz")
    assert tls.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_settings_come_from_the_file_named_by_loupe_config(demo_index: Path, tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "loupe.toml"
    config.write_text(f'index_dir = "{demo_index}"\narchive_name = "Archives de test"\n', encoding="utf-8")
    monkeypatch.setenv("LOUPE_CONFIG", str(config))
    app = create_app()
    assert app.config["ARCHIVE_NAME"] == "Archives de test"
    page = app.test_client().get("/")
    assert "Archives de test" in page.get_data(as_text=True)
