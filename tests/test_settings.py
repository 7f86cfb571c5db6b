"""Settings read once at start: defaults < LOUPE_CONFIG file < LOUPE_* variables < overrides; one line for a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from settings import DEFAULT_REGISTRY, Settings, SettingsError, default_index_dir, load_settings
from tests.conftest import free_port
from tests.test_cli import REPO, assert_one_line_error, run_cli
from webui.app import create_app

RATE_LIMIT_ALLOWED = "a whole number ≥ 0 (0 turns the limit off)"


@pytest.fixture(autouse=True)
def no_loupe_variables(monkeypatch) -> None:
    """Each test starts from the defaults, whatever the shell running the suite has set."""
    for name in list(os.environ):
        if name.upper().startswith("LOUPE_"):
            monkeypatch.delenv(name)


def write_config(tmp_path: Path, monkeypatch, text: str) -> Path:
    config = tmp_path / "loupe.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LOUPE_CONFIG", str(config))
    return config


def bad_setting(**overrides) -> str:
    """The message of the SettingsError that load_settings raises, checked to be one line."""
    with pytest.raises(SettingsError) as raised:
        load_settings(**overrides)
    message = str(raised.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------- where values come from

def test_defaults_are_those_of_the_readme_table() -> None:
    settings = load_settings()
    assert settings.index_dir == Path("index")
    assert settings.config is None
    assert settings.archive_name == "Loupe"
    assert (settings.admin_token, settings.secret_key) == ("", None)
    assert settings.registry_path == DEFAULT_REGISTRY
    assert settings.upload_max_bytes == 20 * 1024 * 1024
    assert (settings.rate_limit_per_minute, settings.rate_limit_burst) == (600, 120)
    assert (settings.trust_proxy, settings.hsts_seconds) == (False, 0)
    assert (settings.cors_origins, settings.embed_frame_ancestors) == ([], None)
    assert (settings.engine, settings.solr_url, settings.solr_collection) == ("whoosh", None, "loupe")
    assert (settings.solr_shards, settings.solr_replicas) == (2, 2)


def test_the_solr_url_may_name_several_nodes(monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_SOLR_URL", "http://10.0.0.1:8983/solr, http://10.0.0.2:8983/solr")
    assert load_settings().solr_url == "http://10.0.0.1:8983/solr,http://10.0.0.2:8983/solr"


def test_the_file_named_by_loupe_config_sets_lower_case_keys(tmp_path: Path, monkeypatch) -> None:
    config = write_config(tmp_path, monkeypatch, 'index_dir = "/srv/loupe/index"\narchive_name = "Archives du Sahel"\n'
                                                 'rate_limit_per_minute = 300\ntrust_proxy = true\n'
                                                 'cors_origins = ["https://www.bibliotheque.example"]\n')
    settings = load_settings()
    assert settings.config == config
    assert settings.index_dir == Path("/srv/loupe/index")
    assert settings.archive_name == "Archives du Sahel"
    assert (settings.rate_limit_per_minute, settings.trust_proxy) == (300, True)
    assert settings.cors_origins == ["https://www.bibliotheque.example"]


def test_an_environment_variable_beats_the_file(tmp_path: Path, monkeypatch) -> None:
    write_config(tmp_path, monkeypatch, 'index_dir = "/from/file"\nrate_limit_per_minute = 300\n')
    monkeypatch.setenv("LOUPE_INDEX", "/from/env")
    monkeypatch.setenv("LOUPE_RATE_LIMIT_PER_MINUTE", "30")
    settings = load_settings()
    assert (settings.index_dir, settings.rate_limit_per_minute) == (Path("/from/env"), 30)


def test_an_explicit_override_beats_the_environment(tmp_path: Path, monkeypatch) -> None:
    write_config(tmp_path, monkeypatch, 'archive_name = "Fichier"\n')
    monkeypatch.setenv("LOUPE_INDEX", "/from/env")
    monkeypatch.setenv("LOUPE_ARCHIVE_NAME", "Environnement")
    settings = load_settings(index_dir="/from/flag", archive_name="Test")
    assert (settings.index_dir, settings.archive_name) == (Path("/from/flag"), "Test")


def test_loupe_index_is_the_one_variable_for_the_index_and_the_old_one_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_INDEX", "/srv/index")
    assert load_settings().index_dir == Path("/srv/index") == default_index_dir()
    monkeypatch.setenv("LOUPE_INDEX_DIR", "/elsewhere")
    assert bad_setting() == "LOUPE_INDEX_DIR is no longer read: name the index directory with LOUPE_INDEX"


def test_an_empty_variable_counts_as_unset(monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_INDEX", "")
    assert load_settings().index_dir == Path("index")


def test_an_admin_token_of_digits_stays_a_string(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_ADMIN_TOKEN", "00712345678901234567")
    monkeypatch.setenv("LOUPE_SECRET_KEY", "123456")
    settings = load_settings()
    assert (settings.admin_token, settings.secret_key) == ("00712345678901234567", "123456")
    monkeypatch.delenv("LOUPE_ADMIN_TOKEN")
    write_config(tmp_path, monkeypatch, "admin_token = 12345678901234567890\n")
    assert load_settings().admin_token == "12345678901234567890"
    assert "12345678901234567890" not in repr(load_settings())


@pytest.mark.parametrize("token", ["jeton-court", "a" * 40, "abababababababababababab", "0123456789012345678"])
def test_a_weak_admin_token_stops_the_start_with_what_is_allowed(monkeypatch, token) -> None:
    monkeypatch.setenv("LOUPE_ADMIN_TOKEN", token)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    message = str(refused.value)
    assert "LOUPE_ADMIN_TOKEN" in message and "at least 20 characters" in message and "secrets.token_urlsafe" in message
    assert token not in message  # never echo a secret


@pytest.mark.parametrize("written", [
    "https://journal.example, https://AUTRE.example/",
    '["https://journal.example", "https://autre.example"]',
])
def test_cors_origins_are_a_comma_list_or_a_json_list(monkeypatch, written: str) -> None:
    monkeypatch.setenv("LOUPE_CORS_ORIGINS", written)
    assert load_settings().cors_origins == ["https://journal.example", "https://autre.example"]


def test_any_origin_and_self_are_allowed_where_they_mean_something(monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_CORS_ORIGINS", "*")
    monkeypatch.setenv("LOUPE_EMBED_FRAME_ANCESTORS", "'self', https://journal.example")
    settings = load_settings()
    assert settings.cors_origins == ["*"]
    assert settings.embed_frame_ancestors == ["self", "https://journal.example"]
    monkeypatch.setenv("LOUPE_CORS_ORIGINS", "self")
    assert bad_setting().startswith("LOUPE_CORS_ORIGINS='self' is not allowed: origins such as https://a.example")


# ---------------------------------------------------------------- bad values

@pytest.mark.parametrize("variable, value, message", [
    ("LOUPE_RATE_LIMIT_PER_MINUTE", "abc", f"LOUPE_RATE_LIMIT_PER_MINUTE='abc' is not allowed: {RATE_LIMIT_ALLOWED}"),
    ("LOUPE_RATE_LIMIT_PER_MINUTE", "-1", f"LOUPE_RATE_LIMIT_PER_MINUTE='-1' is not allowed: {RATE_LIMIT_ALLOWED}"),
    ("LOUPE_RATE_LIMIT_BURST", "-5", "LOUPE_RATE_LIMIT_BURST='-5' is not allowed: a whole number ≥ 0"),
    ("LOUPE_ENGINE", "elastic", "LOUPE_ENGINE='elastic' is not allowed: whoosh or solr"),
    ("LOUPE_TRUST_PROXY", "peut-être", "LOUPE_TRUST_PROXY='peut-être' is not allowed: true or false"),
    ("LOUPE_UPLOAD_MAX_BYTES", "0", "LOUPE_UPLOAD_MAX_BYTES='0' is not allowed: a whole number of bytes > 0"),
    ("LOUPE_SOLR_URL", "http://solr:99999/solr",
     "LOUPE_SOLR_URL='http://solr:99999/solr' is not allowed: one or more http:// or https:// URLs, comma-separated "
     "(port 1–65535)"),
    ("LOUPE_SOLR_URL", "http://a:8983/solr,ftp://b/solr",
     "LOUPE_SOLR_URL='http://a:8983/solr,ftp://b/solr' is not allowed: one or more http:// or https:// URLs, "
     "comma-separated (port 1–65535)"),
    ("LOUPE_SOLR_SHARDS", "0", "LOUPE_SOLR_SHARDS='0' is not allowed: a whole number ≥ 1"),
    ("LOUPE_SOLR_REPLICAS", "deux", "LOUPE_SOLR_REPLICAS='deux' is not allowed: a whole number ≥ 1"),
])
def test_a_bad_variable_is_one_line_naming_it_its_value_and_what_is_allowed(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    assert bad_setting() == message


def test_a_bad_value_in_the_file_is_named_with_the_file(tmp_path: Path, monkeypatch) -> None:
    config = write_config(tmp_path, monkeypatch, "hsts_seconds = -1\n")
    assert bad_setting() == f"hsts_seconds=-1 in {config} is not allowed: a whole number of seconds ≥ 0"


def test_an_unknown_key_in_the_file_is_refused(tmp_path: Path, monkeypatch) -> None:
    config = write_config(tmp_path, monkeypatch, 'rate_limit = 10\n')
    message = bad_setting()
    assert message.startswith(f"rate_limit in {config} is not a setting; the settings are index_dir, ")
    assert "rate_limit_per_minute" in message


def test_a_missing_or_broken_file_is_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_CONFIG", str(tmp_path / "absent.toml"))
    assert bad_setting() == (f"LOUPE_CONFIG='{tmp_path / 'absent.toml'}' is not allowed: "
                             "a readable TOML file of lower-case setting names (No such file or directory)")
    config = write_config(tmp_path, monkeypatch, "archive_name = \n")
    assert bad_setting().startswith(f"LOUPE_CONFIG='{config}' is not allowed: a readable TOML file")


def test_a_bad_secret_is_never_echoed(tmp_path: Path, monkeypatch) -> None:
    config = write_config(tmp_path, monkeypatch, 'admin_token = ["hunter2"]\n')
    message = bad_setting()
    assert message.startswith(f"admin_token=… in {config} is not allowed: a string")
    assert "hunter2" not in message


# ---------------------------------------------------------------- the web app

def test_create_app_fills_the_flask_config_from_the_settings(demo_index: Path, monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_ARCHIVE_NAME", "Archives de test")
    app = create_app(load_settings(index_dir=demo_index, cors_origins="https://journal.example"))
    assert app.config["INDEX_DIR"] == str(demo_index)
    assert app.config["ARCHIVE_NAME"] == "Archives de test"
    assert app.config["CORS_ORIGINS"] == ["https://journal.example"]
    assert app.config["RATE_LIMIT_PER_MINUTE"] == 600  # a served app is rate-limited
    assert "Archives de test" in app.test_client().get("/").get_data(as_text=True)


def test_a_test_config_still_overrides_the_settings_and_lifts_the_rate_limit(demo_index: Path, monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_ARCHIVE_NAME", "Environnement")
    app = create_app({"INDEX_DIR": str(demo_index), "ARCHIVE_NAME": "Test", "TESTING": True})
    assert (app.config["ARCHIVE_NAME"], app.config["RATE_LIMIT_PER_MINUTE"]) == ("Test", 0)
    assert create_app(Settings(index_dir=demo_index), {"TESTING": True}).config["INDEX_DIR"] == str(demo_index)


# ---------------------------------------------------------------- run.py

def test_run_py_stops_with_one_line_and_exit_code_2_on_a_bad_setting(demo_index: Path) -> None:
    done = run_cli("stats", "--index", str(demo_index), env={"LOUPE_RATE_LIMIT_PER_MINUTE": "abc"})
    line = assert_one_line_error(done)
    assert line == f"run.py: error: LOUPE_RATE_LIMIT_PER_MINUTE='abc' is not allowed: {RATE_LIMIT_ALLOWED}"


def test_run_py_serve_does_not_start_on_a_bad_setting(demo_index: Path) -> None:
    done = run_cli("serve", "--index", str(demo_index), "--port", str(free_port()), env={"LOUPE_ENGINE": "elastic"})
    assert assert_one_line_error(done) == "run.py: error: LOUPE_ENGINE='elastic' is not allowed: whoosh or solr"


def test_run_py_reads_the_index_directory_from_the_config_file(demo_index: Path, tmp_path: Path) -> None:
    config = tmp_path / "loupe.toml"
    config.write_text(f'index_dir = "{demo_index}"\n', encoding="utf-8")
    done = run_cli("stats", "--json", env={"LOUPE_CONFIG": str(config)})
    assert done.returncode == 0, done.stderr
    assert str(demo_index) in done.stdout


def test_served_workers_get_the_settings_read_by_run_py(demo_index: Path, tmp_path: Path) -> None:
    config = tmp_path / "loupe.toml"
    config.write_text('archive_name = "Archives servies"\nindex_dir = "/not/this/one"\n', encoding="utf-8")
    port = free_port()
    env = {**os.environ, "LOUPE_CONFIG": str(config)}
    server = subprocess.Popen(
        [sys.executable, "run.py", "serve", "--index", str(demo_index), "--port", str(port), "--workers", "1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert "Archives servies" in page.read().decode("utf-8")
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as health:
            assert health.status == 200  # --index beat the file's index_dir
    finally:
        server.terminate()
        server.wait(timeout=20)
