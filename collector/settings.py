"""Load and validate settings.toml into one typed `Settings` object, passed in where needed.

A file may hold only some tables; the rest take the defaults below (which are 茅野市's).
Every error names the file, the key and what to do. Secrets never live here: the
settings only name the environment variables that hold them.
"""

from __future__ import annotations

import os
import re
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from analysis.types import AnalysisConfig

SEVERITIES = ("low", "medium", "high", "critical")
ALERT_KINDS = ("hostility", "thread", "misinformation", "leak", "spike")
SOURCE_KINDS = ("rss", "bluesky", "mastodon", "misskey", "x", "youtube")
ENV_SETTINGS = "KIKIMIMI_SETTINGS"
ENV_DATABASE_URL = "KIKIMIMI_DATABASE_URL"


class SettingsError(ValueError):
    """Invalid settings: the message names the file, the key and the fix."""


@dataclass(frozen=True)
class CitySettings:
    name: str = "茅野市"
    aliases: list[str] = field(default_factory=lambda: ["茅野市", "茅野", "ちのし", "Chino City"])
    official_accounts: list[str] = field(default_factory=list)
    local_terms: list[str] = field(default_factory=lambda: list(AnalysisConfig.local_terms))


@dataclass(frozen=True)
class LeakSettings:
    embargoed_terms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///data/kikimimi.db"


@dataclass(frozen=True)
class HttpSettings:
    contact: str = "kouhou@city.chino.lg.jp"
    timeout: float = 20.0
    per_host_limit: int = 2
    max_retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 3600.0


@dataclass(frozen=True)
class AnalysisSettings:
    hostility_threshold: float = 0.5
    misinfo_suggest_threshold: float = 0.35
    misinfo_confirm_threshold: float = 0.6
    leak_threshold: float = 0.5
    spike_sensitivity: float = 3.0
    spike_cooldown: str = "6h"
    thread_min_replies: int = 10
    # the learned second opinion (README "The learned second opinion")
    model_enabled: bool = True
    model_path: str = ""  # "" = the model shipped in analysis/models/
    model_hostility_threshold: float | None = None  # None = the threshold in the model file
    model_misinfo_threshold: float | None = None
    model_leak_threshold: float | None = None


@dataclass(frozen=True)
class EmailSettings:
    host: str = "localhost"
    port: int = 25
    security: str = "none"  # "none" | "starttls" | "ssl"
    user: str = ""
    password_env: str = "KIKIMIMI_SMTP_PASSWORD"
    from_addr: str = "kikimimi@localhost"
    to: list[str] = field(default_factory=list)
    timeout: float = 30.0


@dataclass(frozen=True)
class NotifySettings:
    urls_env: str = "KIKIMIMI_NOTIFY_URLS"  # Apprise URLs (they hold tokens), space-separated
    min_severity: str = "critical"
    to: list[str] = field(default_factory=list)  # email recipients of immediate notices (default [email].to)
    # extra recipients by alert kind ("leak", "thread", ...) or severity ("critical", "high", ...)
    routes: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DigestSettings:
    time: str = "08:30"
    timezone: str = "Asia/Tokyo"
    enabled: bool = True


@dataclass(frozen=True)
class DashboardSettings:
    host: str = "127.0.0.1"
    port: int = 8501
    base_url: str = "http://127.0.0.1:8501"
    password_env: str = "KIKIMIMI_DASHBOARD_PASSWORD"
    # "password" (env password_env) or "oidc" (st.login, .streamlit/secrets.toml [auth])
    auth: str = "password"


@dataclass(frozen=True)
class SourceSettings:
    name: str
    kind: str
    url: str = ""
    base_url: str = ""
    query: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    interval: str = "15m"
    role: str = "mention"  # "mention" | "official"
    enabled: bool = True
    identifier: str = ""  # Bluesky: the handle that logs in
    token_env: str = ""  # env variable holding this source's token, when the platform needs one
    antenna_id: str = ""  # Misskey
    channel_id: str = ""  # YouTube
    max_pages: int = 5
    # Bluesky: where the app password logs in (PDS or entryway); default https://bsky.social
    auth_url: str = ""
    stream_url: str = ""  # Bluesky: the Jetstream endpoint (wss://.../subscribe); default Bluesky's own

    @property
    def interval_seconds(self) -> int:
        return parse_duration(self.interval)


@dataclass(frozen=True)
class Settings:
    path: Path | None = None
    city: CitySettings = field(default_factory=CitySettings)
    leak: LeakSettings = field(default_factory=LeakSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    dashboard: DashboardSettings = field(default_factory=DashboardSettings)
    sources: list[SourceSettings] = field(default_factory=list)

    def source(self, name: str) -> SourceSettings:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        raise SettingsError(f"{self.path}: no [[sources]] named {name!r} (known: {known})")

    def analysis_config(self) -> AnalysisConfig:
        a = self.analysis
        return AnalysisConfig(
            city_name=self.city.name,
            aliases=tuple(self.city.aliases),
            official_accounts=tuple(self.city.official_accounts),
            embargoed_terms=tuple(self.leak.embargoed_terms),
            local_terms=tuple(self.city.local_terms),
            hostility_threshold=a.hostility_threshold,
            misinfo_suggest_threshold=a.misinfo_suggest_threshold,
            misinfo_confirm_threshold=a.misinfo_confirm_threshold,
            leak_threshold=a.leak_threshold,
            model_enabled=a.model_enabled,
            model_path=a.model_path,
            model_hostility_threshold=a.model_hostility_threshold,
            model_misinfo_threshold=a.model_misinfo_threshold,
            model_leak_threshold=a.model_leak_threshold,
        )

    @property
    def user_agent(self) -> str:
        return f"kikimimi/0.1 (+https://github.com/kikimimi/kikimimi; {self.http.contact})"


_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str | int) -> int:
    """'30s', '5m', '1h', '1d' or plain seconds → seconds."""
    if isinstance(text, int):
        return text
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a duration like '30s', '5m', '1h' or '1d'")
    return int(m.group(1)) * _UNITS[m.group(2)]


def _check(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint in (str, int, bool):
        if type(value) is not hint:
            raise SettingsError(f"{where} must be {hint.__name__}, got {type(value).__name__} {value!r}")
        return value
    if origin is list:
        if isinstance(value, str):  # a single string is accepted where a list is expected
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{where} must be a list of strings, got {value!r}")
        return list(value)
    if origin is dict:
        if not isinstance(value, dict):
            raise SettingsError(f"{where} must be a table of lists of strings, got {value!r}")
        return {str(k): _check(v, list[str], f"{where}.{k}") for k, v in value.items()}
    if origin in (types.UnionType, typing.Union):
        return value
    raise SettingsError(f"{where}: unsupported setting type {hint}")


def _build(cls: type, table: Any, where: str) -> Any:
    if not isinstance(table, dict):
        raise SettingsError(f"{where} must be a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in fields(cls) if f.name != "path"}
    unknown = sorted(set(table) - names)
    if unknown:
        raise SettingsError(f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(sorted(names))})")
    kwargs = {}
    for f in fields(cls):
        if f.name in table:
            kwargs[f.name] = _check(table[f.name], hints[f.name], f"{where}.{f.name}")
        elif f.default is MISSING and f.default_factory is MISSING:
            raise SettingsError(f"{where}: missing required key {f.name!r}")
    return cls(**kwargs)


def _validate_source(s: SourceSettings, where: str) -> None:
    if s.kind not in SOURCE_KINDS:
        raise SettingsError(f"{where}.kind: {s.kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    if s.role not in ("mention", "official"):
        raise SettingsError(f'{where}.role must be "mention" or "official", got {s.role!r}')
    try:
        if parse_duration(s.interval) < 10:
            raise SettingsError(f"{where}.interval: {s.interval!r} is too short; use at least 10s")
    except ValueError as e:
        raise SettingsError(f"{where}.interval: {e}") from None
    if s.kind == "rss" and not s.url:
        raise SettingsError(f'{where}: an rss source needs url = "https://..."')
    for key in ("url", "base_url"):
        value = getattr(s, key)
        if value and not value.startswith(("http://", "https://")):
            raise SettingsError(f"{where}.{key} must start with http:// or https://, got {value!r}")
    if s.auth_url and not s.auth_url.startswith(("http://", "https://")):
        raise SettingsError(f"{where}.auth_url must start with http:// or https://, got {s.auth_url!r}")
    if s.stream_url and not s.stream_url.startswith(("ws://", "wss://")):
        raise SettingsError(f"{where}.stream_url must start with ws:// or wss://, got {s.stream_url!r}")


def _validate_model(a: AnalysisSettings, where: str) -> None:
    for key in ("model_hostility_threshold", "model_misinfo_threshold", "model_leak_threshold"):
        value = getattr(a, key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise SettingsError(f"{where} [analysis].{key} must be a number in (0, 1], got {value!r}")
    if a.model_enabled and a.model_path and not Path(a.model_path).is_file():
        raise SettingsError(
            f"{where} [analysis].model_path: no file {a.model_path!r}; "
            f"run `kikimimi train --out {a.model_path}`, or remove the key to use the shipped model"
        )


def _validate(settings: Settings, where: str) -> None:
    if settings.email.security not in ("none", "starttls", "ssl"):
        raise SettingsError(f'{where} [email].security must be "none", "starttls" or "ssl"')
    if not re.match(r"^\d{1,2}:\d{2}$", settings.digest.time):
        raise SettingsError(f'{where} [digest].time must look like "08:30", got {settings.digest.time!r}')
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(settings.digest.timezone)
    except Exception:
        raise SettingsError(
            f"{where} [digest].timezone: unknown time zone {settings.digest.timezone!r}"
        ) from None
    try:
        parse_duration(settings.analysis.spike_cooldown)
    except ValueError as e:
        raise SettingsError(f"{where} [analysis].spike_cooldown: {e}") from None
    _validate_model(settings.analysis, where)
    if settings.notify.min_severity not in SEVERITIES:
        raise SettingsError(f"{where} [notify].min_severity must be one of {', '.join(SEVERITIES)}")
    route_keys = (*SEVERITIES, *ALERT_KINDS)
    for key in settings.notify.routes:
        if key not in route_keys:
            raise SettingsError(
                f"{where} [notify.routes].{key}: not an alert kind or severity (use one of {', '.join(route_keys)})"
            )
    if not settings.city.aliases:
        raise SettingsError(f"{where} [city].aliases must name the city at least once")
    if settings.dashboard.auth not in ("password", "oidc"):
        raise SettingsError(
            f'{where} [dashboard].auth must be "password" or "oidc", got {settings.dashboard.auth!r}'
        )


_TABLES = {
    "city": CitySettings,
    "leak": LeakSettings,
    "database": DatabaseSettings,
    "http": HttpSettings,
    "analysis": AnalysisSettings,
    "email": EmailSettings,
    "notify": NotifySettings,
    "digest": DigestSettings,
    "dashboard": DashboardSettings,
}


def parse_settings(data: dict[str, Any], path: Path | None = None) -> Settings:
    where = str(path) if path else "settings"
    unknown = sorted(set(data) - set(_TABLES) - {"sources"})
    if unknown:
        raise SettingsError(
            f"{where}: unknown table [{unknown[0]}] (known: {', '.join([*_TABLES, 'sources'])})"
        )
    kwargs: dict[str, Any] = {
        name: _build(cls, data[name], f"{where}: [{name}]") for name, cls in _TABLES.items() if name in data
    }
    sources = []
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise SettingsError(f"{where}: sources must be written as [[sources]] tables")
    seen = set()
    for i, table in enumerate(raw_sources, 1):
        label = f"{where}: [[sources]] #{i}"
        if isinstance(table, dict) and "name" in table:
            label += f" {table['name']!r}"
        s = _build(SourceSettings, table, label)
        _validate_source(s, label)
        if s.name in seen:
            raise SettingsError(f"{label}: name {s.name!r} is used twice; source names must be unique")
        seen.add(s.name)
        sources.append(s)
    settings = Settings(path=path, sources=sources, **kwargs)
    _validate(settings, where)
    env_url = os.environ.get(ENV_DATABASE_URL)
    if env_url:
        settings = _replace(settings, database=DatabaseSettings(url=env_url))
    return settings


def _replace(settings: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def default_settings_path() -> Path:
    env = os.environ.get(ENV_SETTINGS)
    if env:
        return Path(env)
    return Path("settings.toml")


def load_settings(path: str | Path | None = None) -> Settings:
    """Read the file (or `KIKIMIMI_SETTINGS`, or ./settings.toml); a missing default file means all defaults."""
    explicit = path is not None or ENV_SETTINGS in os.environ
    p = Path(path) if path is not None else default_settings_path()
    if not p.exists():
        if explicit:
            raise SettingsError(f"{p}: settings file not found (check --settings or {ENV_SETTINGS})")
        return parse_settings({}, None)
    try:
        data = tomllib.loads(p.read_text("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{p}: not valid TOML: {e}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{p}: not UTF-8 text; save the file as UTF-8") from None
    return parse_settings(data, p)
