"""Typed readers for environment variables: every difference between deployments is one."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def env_secret(name: str, default: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def database_from_url(url: str, base_dir: Path, durability: str) -> dict[str, object]:
    """Django DATABASES entry for sqlite:///path or postgresql://user:pass@host:port/name."""
    parts = urlsplit(url)
    if durability not in {"full", "normal"}:
        raise ValueError("AFTERSALES_DURABILITY must be 'full' or 'normal'")
    if parts.scheme == "sqlite":
        raw_path = unquote(parts.path)
        # sqlite:///var/x.sqlite3 is relative to the project; sqlite:////abs/x.sqlite3 absolute.
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        synchronous = "FULL" if durability == "full" else "NORMAL"
        return {
            "ENGINE": "aftersales.core.db.sqlite3",
            "NAME": str(path),
            # Kept open between requests: opening costs the PRAGMAs, and closing the last
            # connection checkpoints the WAL, together more than a whole small request.
            "CONN_MAX_AGE": 300,
            "OPTIONS": {
                # IMMEDIATE: a write transaction takes the lock when it begins, so
                # read-then-write services never fail half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # The page cache is bounded (64 MB) and so are large sorts: with temp_store
                # FILE a GROUP BY over 300,000 clocks spills to a temporary file instead of
                # growing the heap (+56 MB, no slower). No mmap: it was no faster on the queue,
                # case and report benchmarks and showed the mapped file in every process's RSS.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    f"PRAGMA synchronous={synchronous};"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA temp_store=FILE;"
                ),
            },
            # Beside the database, named after it: two suites on two databases never share one.
            "TEST": {"NAME": str(path.with_name(f"test_{path.name}"))},
        }
    if parts.scheme in {"postgres", "postgresql"}:
        options: dict[str, object] = {}
        if durability == "normal":
            options["options"] = "-c synchronous_commit=off"
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 300,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (sqlite, postgresql)")
