"""Loupe's settings, read once at start: defaults < the `LOUPE_CONFIG` TOML file < `LOUPE_*` variables < overrides."""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, InitSettingsSource, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from indexer.errors import LoupeError
from indexer.registry import REGISTRY_FILE

ENV_PREFIX = "LOUPE_"
CONFIG_VARIABLE = "LOUPE_CONFIG"
INDEX_VARIABLE = "LOUPE_INDEX"  # the one variable for the index directory, for the CLI and the web app alike
RETIRED_INDEX_VARIABLE = "LOUPE_INDEX_DIR"  # what serve.py once set for the app; refused, not silently ignored
REPO = Path(__file__).resolve().parent
DEFAULT_INDEX_DIR = Path("index")
DEFAULT_REGISTRY = REPO / "corpus" / REGISTRY_FILE
WILDCARD = "*"
SELF = "self"
# scheme://host[:port] as a browser serialises it in the Origin header; nothing else gets through,
# so a setting can never smuggle a header or a CSP directive.
ORIGIN = re.compile(r"^https?://[a-z0-9.\-\[\]:]+$", re.IGNORECASE)
SOLR_URL = re.compile(r"^https?://[^\s,/]+(/\S*)?$")
ORIGINS_ALLOWED = "origins such as https://a.example (or * for any), as a comma list or a JSON list"


class SettingsError(LoupeError):
    """A setting has a value Loupe cannot use; the message names it and what is allowed."""

    code = "bad_setting"


def split_list(value: object) -> list:
    """The items of a list setting: a list, a JSON list or a comma-separated string."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if not isinstance(value, str):
        raise ValueError("not a list")
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            text = text.strip("[]")  # a hand-written list with unquoted origins
    return text.split(",")


def as_origin(item: object) -> str:
    """An origin as the Origin header writes it: no quotes, no trailing slash, lower case."""
    return str(item).strip().strip("'\"").rstrip("/").lower()


def split_origins(value: object, also: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """(the origins of a list setting, normalised and once each; its entries that are not origins nor in `also`)."""
    origins: list[str] = []
    refused: list[str] = []
    for entry in map(as_origin, split_list(value)):
        if entry and not (entry in (WILDCARD, *also) or ORIGIN.match(entry)):
            refused.append(entry)
        elif entry and entry not in origins:
            origins.append(entry)
    return origins, refused


def _only_origins(value: object, also: tuple[str, ...] = ()) -> list[str]:
    origins, refused = split_origins(value, also)
    if refused:
        raise ValueError(f"{refused[0]!r} is not an origin")
    return origins


ADMIN_TOKEN_MIN_LENGTH = 20
ADMIN_TOKEN_MIN_DISTINCT = 10


def admin_token_problem(token: str) -> str | None:
    """Why `token` is too weak to guard the admin console, or None: long, and not a repeated pattern."""
    if len(token) < ADMIN_TOKEN_MIN_LENGTH or len(set(token)) < ADMIN_TOKEN_MIN_DISTINCT:
        return (f"too weak: use at least {ADMIN_TOKEN_MIN_LENGTH} characters with at least "
                f"{ADMIN_TOKEN_MIN_DISTINCT} different ones, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`")
    return None


class Settings(BaseSettings):
    """Every setting of README's Configuration table; each description says what is allowed."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,  # LOUPE_INDEX= means "not set", as it always has
        extra="forbid",  # an unknown key in the TOML file is a mistake worth stopping for
        populate_by_name=True,  # index_dir = … in the file, LOUPE_INDEX in the environment
        coerce_numbers_to_str=True,  # admin_token = 1234 in TOML is the string "1234"
        frozen=True,
    )

    index_dir: Path = Field(DEFAULT_INDEX_DIR, validation_alias=INDEX_VARIABLE, description="a directory path")
    config: Path | None = Field(None, description="a readable TOML file of lower-case setting names")
    archive_name: str = Field("Loupe", min_length=1, description="a name that is not empty")
    # No default credential: /admin is off (404) until a token is set.
    admin_token: str = Field("", repr=False, description=f"a string of at least {ADMIN_TOKEN_MIN_LENGTH} characters, "
                             f"{ADMIN_TOKEN_MIN_DISTINCT} of them different, e.g. from `python -c 'import secrets; "
                             "print(secrets.token_urlsafe(24))'` (empty turns /admin off)")
    secret_key: str | None = Field(None, repr=False, description="a string (unset: random, kept in <index>/admin-secret)")
    registry_path: Path = Field(DEFAULT_REGISTRY, description="a file path")
    upload_max_bytes: int = Field(20 * 1024 * 1024, gt=0, description="a whole number of bytes > 0")
    # Per client address and worker process: N workers may let a client through N times.
    rate_limit_per_minute: int = Field(600, ge=0, description="a whole number ≥ 0 (0 turns the limit off)")
    rate_limit_burst: int = Field(120, ge=0, description="a whole number ≥ 0")
    # Only behind a proxy that sets X-Forwarded-For, or every client picks its own address.
    trust_proxy: bool = Field(False, description="true or false")
    hsts_seconds: int = Field(0, ge=0, description="a whole number of seconds ≥ 0")
    cors_origins: Annotated[list[str], NoDecode] = Field([], description=ORIGINS_ALLOWED)
    embed_frame_ancestors: Annotated[list[str] | None, NoDecode] = Field(
        None, description=f"{ORIGINS_ALLOWED}; self for this site (unset: as cors_origins)")
    # The SolrCloud engine: Whoosh stays the embedded default.
    engine: Literal["whoosh", "solr"] = Field("whoosh", description="whoosh or solr")
    solr_url: str | None = Field(None, description="one or more http:// or https:// URLs, comma-separated "
                                                   "(port 1–65535)")
    # The alias searches read; Loupe's collections behind it are named <alias>_<UTC stamp>.
    solr_collection: str = Field("loupe", pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$",
                                 description="a Solr collection name (letters, digits, _ . -)")
    solr_shards: int = Field(2, ge=1, description="a whole number ≥ 1")
    solr_replicas: int = Field(2, ge=1, description="a whole number ≥ 1")
    # People, places and organisations found by spaCy at indexing (about 60 ms of CPU per new article).
    entities: bool = Field(True, description="true or false")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_cors_origins(cls, value: object) -> list[str]:
        return _only_origins(value)

    @field_validator("embed_frame_ancestors", mode="before")
    @classmethod
    def _parse_frame_ancestors(cls, value: object) -> list[str] | None:
        return None if value is None else _only_origins(value, also=(SELF,))

    @field_validator("admin_token")
    @classmethod
    def _check_admin_token(cls, value: str) -> str:
        problem = admin_token_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("solr_url")
    @classmethod
    def _check_solr_urls(cls, value: str | None) -> str | None:
        if value is not None:
            urls = [url.strip() for url in value.split(",")]
            for url in urls:
                if not SOLR_URL.match(url) or urlsplit(url).port == 0:  # .port itself raises ValueError above 65535
                    raise ValueError(f"{url!r} is not a node URL")
            value = ",".join(urls)
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier wins: explicit overrides, then the environment, then the TOML file.
        path = config_path(init_settings.init_kwargs)
        from_file = read_config_file(path) if path else {}
        return init_settings, env_settings, InitSettingsSource(settings_cls, from_file)


def env_variable(name: str) -> str:
    """The environment variable of a setting: LOUPE_RATE_LIMIT_PER_MINUTE, LOUPE_INDEX for index_dir."""
    field = Settings.model_fields.get(name)
    alias = field.validation_alias if field else None
    return alias if isinstance(alias, str) else ENV_PREFIX + name.upper()


def config_path(overrides: dict[str, Any]) -> Path | None:
    """The TOML file to read: the `config` override, else LOUPE_CONFIG, else none."""
    named = overrides.get("config") or os.environ.get(CONFIG_VARIABLE)
    return Path(named) if named else None


def read_config_file(path: Path) -> dict[str, Any]:
    """The TOML file's settings, as written; SettingsError when it cannot be read."""
    try:
        with open(path, "rb") as config:
            values = tomllib.load(config)
    except (OSError, tomllib.TOMLDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise SettingsError(f"{CONFIG_VARIABLE}={str(path)!r} is not allowed: "
                            f"{Settings.model_fields['config'].description} ({reason})") from None
    if "config" in values:
        raise SettingsError(f"config in {path} is not allowed: name the file with {CONFIG_VARIABLE} only")
    return values


def load_settings(**overrides: Any) -> Settings:
    """Settings from defaults, the LOUPE_CONFIG file, LOUPE_* variables and `overrides`, later winning.

    A bad value raises SettingsError with one line naming the setting, the value and what is allowed.
    """
    if os.environ.get(RETIRED_INDEX_VARIABLE):
        raise SettingsError(f"{RETIRED_INDEX_VARIABLE} is no longer read: name the index directory with {INDEX_VARIABLE}")
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError("; ".join(_describe(problem, overrides) for problem in error.errors())) from None


def _describe(problem: dict, overrides: dict[str, Any]) -> str:
    key = str(problem["loc"][0]) if problem["loc"] else ""
    name = next((field for field in Settings.model_fields if env_variable(field) == key), key)
    label, place = _given_by(name, overrides)
    if problem["type"] == "extra_forbidden":
        settings = ", ".join(field for field in Settings.model_fields if field != "config")
        return f"{label}{place} is not a setting; the settings are {settings}"
    field = Settings.model_fields[name]
    shown = repr(problem["input"]) if field.repr else "…"  # never echo a secret
    return f"{label}={shown}{place} is not allowed: {field.description}"


def _given_by(name: str, overrides: dict[str, Any]) -> tuple[str, str]:
    """Who gave the value, by precedence: (the override's name, ""), (the variable, "") or (the key, " in FILE")."""
    if name in overrides:
        return name, ""
    variable = env_variable(name)
    if any(key.upper() == variable and value for key, value in os.environ.items()):
        return variable, ""
    return name, f" in {config_path(overrides)}"


def default_index_dir() -> Path:
    """The settings' index directory: `LOUPE_INDEX`, else the `LOUPE_CONFIG` file's `index_dir`, else `index/`."""
    return load_settings().index_dir
