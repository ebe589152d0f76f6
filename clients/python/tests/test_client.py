"""The sync client against the live API: auth, pagination, typed errors, tus resume, ranged download, scopes, renders."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from studio_api import (
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    StudioApiError,
    StudioClient,
)
from studio_api._core import part_paths

from .conftest import obj_bytes


class Crash(Exception):
    """Raised from a progress callback to simulate a process dying mid-transfer."""


def test_login_refresh_and_transparent_refresh_on_401(api_url: str, producer: StudioClient) -> None:
    me = producer.me()
    assert me["role"] == "PRODUCER"
    old_refresh = producer.credentials.refresh_token
    producer.refresh()
    assert producer.credentials.refresh_token != old_refresh
    # A dead access token: the client refreshes once and retries by itself.
    producer.credentials.access_token = "not-a-valid-jwt"
    assert producer.me()["id"] == me["id"]
    assert producer.credentials.access_token != "not-a-valid-jwt"


def test_pagination_follows_next_cursor_over_several_pages(client: StudioClient, tag: str) -> None:
    created = {client.assets.create(f"Shot {i:02d} {tag}", "SHOT", tags=[tag])["id"] for i in range(17)}
    client.assets.create(f"Prop {tag}", "PROP", tags=[tag])  # filtered out by type
    first = client.assets.list(tag=tag, type="SHOT", limit=5)
    assert len(first["data"]) == 5 and first["page"]["hasMore"] and first["page"]["nextCursor"]
    pages: list[int] = []
    seen: list[str] = []
    cursor = None
    while True:
        page = client.assets.list(tag=tag, type="SHOT", limit=5, cursor=cursor)
        pages.append(len(page["data"]))
        seen += [a["id"] for a in page["data"]]
        cursor = page["page"]["nextCursor"]
        if not page["page"]["hasMore"]:
            break
    assert pages == [5, 5, 5, 2]
    ids = [a["id"] for a in client.assets.iter(type="SHOT", tag=tag, page_size=5)]
    assert len(ids) == len(set(ids)) == 17
    assert set(ids) == created == set(seen)


def test_errors_are_typed_from_the_contract(client: StudioClient) -> None:
    with pytest.raises(NotFoundError) as missing:
        client.assets.get("0" * 24)
    assert missing.value.status == 404 and missing.value.code == "ASSET_NOT_FOUND" and missing.value.correlation_id
    with pytest.raises(BadRequestError) as invalid:
        client.assets.create("", "NOT_A_TYPE")
    assert invalid.value.status == 400 and invalid.value.details
    assert isinstance(invalid.value, StudioApiError)


def test_tus_upload_interrupted_midway_resumes_from_the_state_file(client: StudioClient, tmp_path: Path) -> None:
    asset = client.assets.create("Resumable layout", "SET")
    data = obj_bytes(5 * 1024 * 1024, seed=3)
    src = tmp_path / "layout.obj"
    src.write_bytes(data)
    state = tmp_path / "upload-state.json"
    calls: list[tuple[int, int]] = []

    def crash_at_half(done: int, total: int) -> None:
        calls.append((done, total))
        if done >= total // 2:
            raise Crash(f"killed at {done}/{total}")

    with pytest.raises(Crash):
        client.uploads.upload(asset["id"], src, change_note="via tus", chunk_size=512 * 1024, state_file=state, progress=crash_at_half)
    assert state.exists(), "the state file survives the crash"
    crashed_at = calls[-1][0]
    assert 0 < crashed_at < len(data)
    assert client.assets.get(asset["id"])["latestVersion"] == 0

    resumed: list[int] = []
    result = client.uploads.upload(
        asset["id"], src, change_note="via tus", chunk_size=512 * 1024, state_file=state, progress=lambda d, t: resumed.append(d)
    )
    assert resumed[0] == crashed_at, "the second run starts at the offset the server reported, not at 0"
    assert not state.exists()
    version = result["version"]
    assert version["version"] == 1 and version["changeNote"] == "via tus"
    assert version["file"]["size"] == len(data)
    assert version["file"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert client.versions.get(asset["id"], 1)["file"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_ranged_download_resumes_after_an_interruption_and_verifies_sha256(client: StudioClient, tmp_path: Path) -> None:
    asset = client.assets.create("Downloadable", "PROP")
    data = obj_bytes(3 * 1024 * 1024, seed=5)
    src = tmp_path / "prop.obj"
    src.write_bytes(data)
    uploaded = client.versions.upload(asset["id"], src, change_note="multipart")
    assert uploaded["version"]["version"] == 1
    dest = tmp_path / "out" / "prop.obj"
    dest.parent.mkdir()

    def crash_at_40(done: int, total: int) -> None:
        if done >= total * 2 // 5:
            raise Crash("network gone")

    with pytest.raises(Crash):
        client.versions.download(asset["id"], 1, dest, chunk_size=64 * 1024, progress=crash_at_40)
    part, _ = part_paths(dest)
    partial = part.stat().st_size
    assert 0 < partial < len(data) and not dest.exists()

    result = client.versions.download(asset["id"], 1, dest, chunk_size=64 * 1024)
    assert result.resumed_from == partial, "the second run asked only for the rest (206)"
    assert result.sha256 == hashlib.sha256(data).hexdigest() == uploaded["version"]["file"]["sha256"]
    assert dest.read_bytes() == data
    assert not part.exists()


def test_bot_token_with_read_scope_lists_but_cannot_create(api_url: str, producer: StudioClient, password: str, tag: str) -> None:
    producer.assets.create(f"Visible to bots {tag}", "PROP", tags=[tag])
    bot = producer.bots.create(f"reader {tag}", "ARTIST")
    minted = producer.bots.create_token(bot["id"], "read only", ["assets:read"], expires_in_days=1, current_password=password)
    with StudioClient(api_url, token=minted["token"]) as reader:
        names = [a["name"] for a in reader.assets.iter(tag=tag)]
        assert names == [f"Visible to bots {tag}"]
        with pytest.raises(PermissionDeniedError) as refused:
            reader.assets.create("Not allowed", "PROP")
    assert refused.value.status == 403
    assert refused.value.code == "INSUFFICIENT_SCOPE"


def test_simulated_render_completes(client: StudioClient, tmp_path: Path) -> None:
    asset = client.assets.create("Render me", "SHOT")
    src = tmp_path / "shot.obj"
    src.write_bytes(obj_bytes(4096))
    client.versions.upload(asset["id"], src)
    job = client.renders.submit(asset["id"], frames=(1, 6), chunk_size=2, engine="simulated", idempotency_key=f"pytest-{asset['id']}")
    assert job["status"] in ("QUEUED", "PROCESSING") and job["engine"] == "simulated"
    seen: list[str] = []
    done = client.renders.wait(job["id"], poll_interval=0.3, timeout=120, on_update=lambda j: seen.append(j["status"]))
    assert done["status"] == "COMPLETED" and done["progress"] == 100
    assert [c["status"] for c in done["chunks"]] == ["COMPLETED"] * 3
    assert seen[-1] == "COMPLETED"


def test_minting_a_token_needs_the_password_and_every_token_expires(api_url: str, producer: StudioClient, password: str) -> None:
    with pytest.raises(PermissionDeniedError) as wrong:
        producer.tokens.create("guessed", ["assets:read"], expires_in_days=1, current_password="not the password")
    assert wrong.value.code == "CURRENT_PASSWORD_WRONG"
    minted = producer.tokens.create("seven days", ["assets:read"], expires_in_days=7, current_password=password)
    listed = {t["id"]: t for t in producer.tokens.list()}
    assert listed[minted["id"]]["expiresAt"] == minted["expiresAt"]
    assert "guessed" not in {t["name"] for t in listed.values()}
    with StudioClient(api_url, token=minted["token"]) as script:
        # A token sees only itself, and can retire itself.
        assert [t["id"] for t in script.tokens.list()] == [minted["id"]]
        assert script.tokens.revoke(minted["id"])["status"] == "REVOKED"
