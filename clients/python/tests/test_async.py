"""The async client does what the sync one does."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from studio_api import AsyncStudioClient, NotFoundError, StudioClient

from .conftest import obj_bytes


def test_async_client_lists_the_same_assets(api_url: str, client: StudioClient, personal_token: str, tag: str) -> None:
    created = {client.assets.create(f"Async {i} {tag}", "CHARACTER", tags=[tag])["id"] for i in range(7)}

    async def main() -> tuple[list[str], int]:
        async with AsyncStudioClient(api_url, token=personal_token) as aclient:
            ids = [a["id"] async for a in aclient.assets.iter(tag=tag, page_size=3)]
            first = await aclient.assets.list(tag=tag, limit=3)
            with pytest.raises(NotFoundError):
                await aclient.assets.get("0" * 24)
            return ids, len(first["data"])

    ids, first_page = asyncio.run(main())
    assert first_page == 3
    assert len(ids) == 7 and set(ids) == created


def test_async_upload_and_download(api_url: str, personal_token: str, tmp_path: Path) -> None:
    data = obj_bytes(600 * 1024, seed=9)
    src = tmp_path / "a.obj"
    src.write_bytes(data)

    async def main() -> tuple[str, str]:
        async with AsyncStudioClient(api_url, token=personal_token) as aclient:
            asset = await aclient.assets.create("Async upload", "PROP")
            result = await aclient.uploads.upload(asset["id"], src, chunk_size=256 * 1024, state_file=tmp_path / "s.json")
            got = await aclient.versions.download(asset["id"], result["version"]["version"], tmp_path / "b.obj")
            return result["version"]["file"]["sha256"], got.sha256

    server, local = asyncio.run(main())
    assert server == local == hashlib.sha256(data).hexdigest()
