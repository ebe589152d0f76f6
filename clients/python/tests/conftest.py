"""Fixtures against the live API started by scripts/test-python.sh (STUDIO_API_URL, STUDIO_EMAIL, STUDIO_PASSWORD)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from studio_api import StudioClient


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run scripts/test-python.sh, which starts the API and sets it")
    return value


@pytest.fixture(scope="session")
def api_url() -> str:
    return _env("STUDIO_API_URL")


@pytest.fixture(scope="session")
def producer(api_url: str) -> Iterator[StudioClient]:
    """The studio's PRODUCER, signed in with email and password (a JWT session that refreshes itself)."""
    with StudioClient.login(api_url, _env("STUDIO_EMAIL"), _env("STUDIO_PASSWORD")) as client:
        yield client


@pytest.fixture(scope="session")
def password() -> str:
    """The PRODUCER's password: minting a token asks for it afresh."""
    return _env("STUDIO_PASSWORD")


@pytest.fixture(scope="session")
def personal_token(producer: StudioClient, password: str) -> str:
    """A personal API token (sapi_…) of the PRODUCER with every asset and render scope."""
    scopes = ["assets:read", "assets:write", "renders:read", "renders:write"]
    created = producer.tokens.create("pytest", scopes, expires_in_days=1, current_password=password)
    assert created["token"].startswith("sapi_")
    return created["token"]


@pytest.fixture()
def client(api_url: str, personal_token: str) -> Iterator[StudioClient]:
    with StudioClient(api_url, token=personal_token) as c:
        yield c


@pytest.fixture()
def tag() -> str:
    """A tag unique to the test, so its assets can be listed alone."""
    return f"t{uuid.uuid4().hex[:12]}"


def obj_bytes(size: int, seed: int = 1) -> bytes:
    """Deterministic Wavefront OBJ text (an unsniffable type the API accepts by its extension)."""
    lines: list[bytes] = [b"# studio_api test mesh\n"]
    total = len(lines[0])
    i = 0
    while total < size:
        line = f"v {i * seed % 997}.{i % 10} {(i * 7 + seed) % 991}.5 {(i * 13) % 983}.25\n".encode()
        lines.append(line)
        total += len(line)
        i += 1
    return b"".join(lines)[:size]
