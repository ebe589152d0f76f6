"""What the sync and async clients share: auth state, request shaping, the tus state file, checksums."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple, Union

from .errors import error_from_response

TUS_VERSION = "1.0.0"
DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024
USER_AGENT = "studio-api-python/0.1.0"

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes total) after each chunk; raising from it aborts the transfer."""

FramesArg = Union[Tuple[int, int], Mapping[str, int], None]
PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class Credentials:
    """Either a long-lived API token (``sapi_…``) or a session's access/refresh pair (email login)."""

    token: Optional[str] = None
    access_token: Optional[str] = None
    refresh_token: Optional[str] = None

    def bearer(self) -> Optional[str]:
        return self.token or self.access_token

    @property
    def can_refresh(self) -> bool:
        return self.token is None and self.refresh_token is not None


def auth_headers(creds: Credentials) -> dict[str, str]:
    bearer = creds.bearer()
    return {"Authorization": f"Bearer {bearer}"} if bearer else {}


def clean_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drops None values and spells booleans as the API's query strings do."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


def frames_body(frames: FramesArg) -> Optional[dict[str, int]]:
    if frames is None:
        return None
    if isinstance(frames, tuple):
        return {"start": int(frames[0]), "end": int(frames[1])}
    return {"start": int(frames["start"]), "end": int(frames["end"])}


def render_body(
    *,
    version: Optional[int],
    frames: FramesArg,
    chunk_size: Optional[int],
    engine: Optional[str],
    max_attempts: Optional[int],
    chunk_timeout_ms: Optional[int],
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": version,
        "frames": frames_body(frames),
        "chunkSize": chunk_size,
        "engine": engine,
        "maxAttempts": max_attempts,
        "chunkTimeoutMs": chunk_timeout_ms,
    }
    return {k: v for k, v in body.items() if v is not None}


def token_body(name: str, scopes: Sequence[str], *, expires_in_days: int, current_password: str) -> dict[str, Any]:
    """The body of a token mint: every token expires, and minting asks for the person's password afresh."""
    return {"name": name, "scopes": list(scopes), "expiresInDays": expires_in_days, "currentPassword": current_password}


def raise_for_status(status: int, body: bytes, headers: Mapping[str, str]) -> None:
    if status >= 400:
        raise error_from_response(status, body, {k.lower(): v for k, v in headers.items()})


def parse_json(body: bytes) -> Any:
    return json.loads(body) if body else None


# --- tus 1.0 ---------------------------------------------------------------------------------------


def tus_metadata(values: Mapping[str, Optional[str]]) -> str:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs."""
    return ",".join(
        f"{key} {base64.b64encode(value.encode('utf-8')).decode('ascii')}" for key, value in values.items() if value is not None
    )


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "studio-api"


@dataclass
class UploadState:
    """What survives a crash: the upload's URL and which file (by size and mtime) it is for."""

    base_url: str
    asset_id: str
    path: str
    size: int
    mtime_ns: int
    upload_url: str

    @staticmethod
    def default_path(base_url: str, asset_id: str, file: Path) -> Path:
        key = hashlib.sha256(f"{base_url}|{asset_id}|{file.resolve()}".encode()).hexdigest()[:32]
        return _cache_dir() / "uploads" / f"{key}.json"

    @classmethod
    def load(cls, state_file: Path) -> Optional["UploadState"]:
        try:
            data = json.loads(state_file.read_text("utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def matches(self, base_url: str, asset_id: str, file: Path) -> bool:
        st = file.stat()
        return (
            self.base_url == base_url
            and self.asset_id == asset_id
            and self.path == str(file.resolve())
            and self.size == st.st_size
            and self.mtime_ns == st.st_mtime_ns
        )

    def save(self, state_file: Path) -> None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)), "utf-8")
        os.replace(tmp, state_file)


def read_chunk(file: Path, offset: int, size: int) -> bytes:
    with file.open("rb") as fh:
        fh.seek(offset)
        return fh.read(size)


# --- downloads ---------------------------------------------------------------------------------------


@dataclass
class DownloadResult:
    path: Path
    size: int
    sha256: str
    resumed_from: int
    """Bytes that were already on disk from an interrupted download (0 for a fresh one)."""


def part_paths(dest: Path) -> Tuple[Path, Path]:
    return dest.with_name(dest.name + ".part"), dest.with_name(dest.name + ".part.json")


def load_part_meta(meta: Path) -> dict[str, Any]:
    try:
        data = json.loads(meta.read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def sha256_of(file: Path) -> str:
    h = hashlib.sha256()
    with file.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()
