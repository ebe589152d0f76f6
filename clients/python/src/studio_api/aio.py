"""The asynchronous client: the same surface as :class:`studio_api.StudioClient`, awaited."""

from __future__ import annotations

import asyncio
import json as jsonlib
import os
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Mapping, Optional, Sequence, cast

import httpx

from ._core import (
    DEFAULT_CHUNK_SIZE,
    TUS_VERSION,
    USER_AGENT,
    Credentials,
    DownloadResult,
    FramesArg,
    PathLike,
    Progress,
    UploadState,
    auth_headers,
    clean_params,
    load_part_meta,
    parse_json,
    part_paths,
    raise_for_status,
    read_chunk,
    render_body,
    sha256_of,
    token_body,
    tus_metadata,
)
from .client import TERMINAL
from .errors import ChecksumMismatchError, GoneError, NotFoundError, RenderFailedError, StudioError
from .models import Asset, AuthResult, NewApiToken, Page, RenderJob, UploadResult, User, Version


class AsyncStudioClient:
    """``async with AsyncStudioClient(url, token=...) as client: async for asset in client.assets.iter(): ...``"""

    def __init__(
        self,
        base_url: str,
        *,
        token: Optional[str] = None,
        access_token: Optional[str] = None,
        refresh_token: Optional[str] = None,
        timeout: float = 60.0,
        transport: Optional[httpx.AsyncBaseTransport] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = Credentials(token=token, access_token=access_token, refresh_token=refresh_token)
        self._http = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, transport=transport, headers={"User-Agent": USER_AGENT}
        )
        self._refresh_lock = asyncio.Lock()
        self.assets = AsyncAssets(self)
        self.versions = AsyncVersions(self)
        self.uploads = AsyncUploads(self)
        self.renders = AsyncRenders(self)
        self.tokens = AsyncTokens(self)

    @classmethod
    async def login(cls, base_url: str, email: str, password: str, *, studio_id: Optional[str] = None, **kwargs: Any) -> "AsyncStudioClient":
        client = cls(base_url, **kwargs)
        try:
            body: dict[str, Any] = {"email": email, "password": password}
            if studio_id:
                body["studioId"] = studio_id
            client._session(cast(AuthResult, await client._json("POST", "/auth/login", json=body, auth=False)))
        except BaseException:
            await client.aclose()
            raise
        return client

    def _session(self, result: AuthResult) -> None:
        self.credentials.access_token = result["accessToken"]
        self.credentials.refresh_token = result["refreshToken"]

    async def refresh(self) -> AuthResult:
        if not self.credentials.refresh_token:
            raise StudioError("no refresh token: this client was not signed in with login()")
        result = cast(
            AuthResult,
            await self._json("POST", "/auth/refresh", json={"refreshToken": self.credentials.refresh_token}, auth=False),
        )
        self._session(result)
        return result

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncStudioClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        content: Optional[bytes] = None,
        headers: Optional[Mapping[str, str]] = None,
        auth: bool = True,
        raise_errors: bool = True,
    ) -> httpx.Response:
        async def send() -> httpx.Response:
            merged = {**(auth_headers(self.credentials) if auth else {}), **(headers or {})}
            return await self._http.request(method, path, params=clean_params(params), json=json, content=content, headers=merged)

        used = self.credentials.bearer()
        res = await send()
        if res.status_code == 401 and auth and self.credentials.can_refresh:
            async with self._refresh_lock:
                # Concurrent requests share one refresh: rotating twice would revoke the session's family.
                if self.credentials.bearer() == used:
                    await self.refresh()
            res = await send()
        if raise_errors:
            raise_for_status(res.status_code, res.content, res.headers)
        return res

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return parse_json((await self.request(method, path, **kwargs)).content)

    async def _paginate(self, path: str, params: Mapping[str, Any], page_size: Optional[int]) -> AsyncIterator[Any]:
        query = dict(params)
        if page_size is not None:
            query["limit"] = page_size
        cursor: Optional[str] = None
        while True:
            page = await self._json("GET", path, params={**query, "cursor": cursor})
            for item in page["data"]:
                yield item
            cursor = page["page"].get("nextCursor")
            if not page["page"].get("hasMore") or not cursor:
                return

    async def me(self) -> User:
        return cast(User, await self._json("GET", "/auth/me"))


class _AsyncResource:
    def __init__(self, client: AsyncStudioClient) -> None:
        self._c = client


class AsyncAssets(_AsyncResource):
    async def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None, **filters: Any) -> Page[Asset]:
        return cast("Page[Asset]", await self._c._json("GET", "/assets", params={**filters, "limit": limit, "cursor": cursor}))

    def iter(self, *, page_size: Optional[int] = None, **filters: Any) -> AsyncIterator[Asset]:
        return cast(AsyncIterator[Asset], self._c._paginate("/assets", filters, page_size))

    async def get(self, asset_id: str) -> Asset:
        return cast(Asset, await self._c._json("GET", f"/assets/{asset_id}"))

    async def create(self, name: str, type: str, *, description: Optional[str] = None, tags: Optional[Sequence[str]] = None) -> Asset:
        body: dict[str, Any] = {"name": name, "type": type}
        if description is not None:
            body["description"] = description
        if tags is not None:
            body["tags"] = list(tags)
        return cast(Asset, await self._c._json("POST", "/assets", json=body))


class AsyncVersions(_AsyncResource):
    async def list(self, asset_id: str, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[Version]:
        return cast(
            "Page[Version]", await self._c._json("GET", f"/assets/{asset_id}/versions", params={"limit": limit, "cursor": cursor})
        )

    async def get(self, asset_id: str, version: int) -> Version:
        return cast(Version, await self._c._json("GET", f"/assets/{asset_id}/versions/{version}"))

    async def download(
        self, asset_id: str, version: int, dest: PathLike, *, chunk_size: int = 1024 * 1024, progress: Optional[Progress] = None
    ) -> DownloadResult:
        """As :meth:`studio_api.client.Versions.download`: Range resume, then sha256 verification."""
        info = await self.get(asset_id, version)
        expected = info["file"]["sha256"]
        total = info["file"]["size"]
        out = Path(dest)
        part, meta = part_paths(out)
        saved = load_part_meta(meta)
        have = part.stat().st_size if part.exists() and saved.get("sha256") == expected and saved.get("etag") else 0
        headers = {"Range": f"bytes={have}-", "If-Range": str(saved["etag"])} if have else {}
        merged = {**auth_headers(self._c.credentials), **headers}
        async with self._c._http.stream("GET", f"/assets/{asset_id}/versions/{version}/download", headers=merged) as res:
            if res.status_code >= 400:
                raise_for_status(res.status_code, await res.aread(), res.headers)
            resumed = have if res.status_code == 206 else 0
            meta.write_text(jsonlib.dumps({"etag": res.headers.get("etag"), "sha256": expected}), "utf-8")
            with part.open("ab" if resumed else "wb") as fh:
                done = resumed
                async for block in res.aiter_bytes(chunk_size):
                    fh.write(block)
                    done += len(block)
                    if progress:
                        fh.flush()
                        progress(done, total)
        actual = sha256_of(part)
        if actual != expected:
            part.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
            raise ChecksumMismatchError(expected, actual)
        os.replace(part, out)
        meta.unlink(missing_ok=True)
        return DownloadResult(path=out, size=out.stat().st_size, sha256=actual, resumed_from=resumed)


class AsyncUploads(_AsyncResource):
    async def upload(
        self,
        asset_id: str,
        file: PathLike,
        *,
        change_note: Optional[str] = None,
        filename: Optional[str] = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        state_file: Optional[PathLike] = None,
        progress: Optional[Progress] = None,
    ) -> UploadResult:
        """As :meth:`studio_api.client.Uploads.upload` (tus 1.0, resumable from a state file)."""
        path = Path(file)
        size = path.stat().st_size
        state_path = Path(state_file) if state_file is not None else UploadState.default_path(self._c.base_url, asset_id, path)
        tus = {"Tus-Resumable": TUS_VERSION}
        state = UploadState.load(state_path)
        offset: Optional[int] = None
        if state is not None and state.matches(self._c.base_url, asset_id, path):
            try:
                head = await self._c.request("HEAD", state.upload_url, headers=tus)
                offset = int(head.headers["upload-offset"])
            except (NotFoundError, GoneError):
                offset = None
        if offset is None:
            meta = tus_metadata({"assetId": asset_id, "filename": filename or path.name, "changeNote": change_note})
            created = await self._c.request("POST", "/uploads", headers={**tus, "Upload-Length": str(size), "Upload-Metadata": meta})
            location = created.headers["location"]
            st = path.stat()
            state = UploadState(
                self._c.base_url, asset_id, str(path.resolve()), st.st_size, st.st_mtime_ns,
                location if location.startswith("/") else httpx.URL(location).path,
            )
            state.save(state_path)
            offset = 0
        assert state is not None
        while True:
            body = read_chunk(path, offset, chunk_size)
            res = await self._c.request(
                "PATCH", state.upload_url, content=body,
                headers={**tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
            )
            if res.status_code == 200:
                state_path.unlink(missing_ok=True)
                if progress:
                    progress(size, size)
                return cast(UploadResult, parse_json(res.content))
            offset = int(res.headers["upload-offset"])
            if progress:
                progress(offset, size)


class AsyncRenders(_AsyncResource):
    async def submit(
        self,
        asset_id: str,
        *,
        version: Optional[int] = None,
        frames: FramesArg = None,
        chunk_size: Optional[int] = None,
        engine: Optional[str] = None,
        max_attempts: Optional[int] = None,
        chunk_timeout_ms: Optional[int] = None,
        idempotency_key: Optional[str] = None,
    ) -> RenderJob:
        body = render_body(
            version=version, frames=frames, chunk_size=chunk_size, engine=engine, max_attempts=max_attempts, chunk_timeout_ms=chunk_timeout_ms
        )
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return cast(RenderJob, await self._c._json("POST", f"/assets/{asset_id}/render", json=body, headers=headers))

    async def get(self, job_id: str) -> RenderJob:
        return cast(RenderJob, await self._c._json("GET", f"/render-jobs/{job_id}"))

    async def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 1.0,
        timeout: Optional[float] = 600.0,
        on_update: Optional[Callable[[RenderJob], None]] = None,
        raise_on_failure: bool = True,
    ) -> RenderJob:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = await self.get(job_id)
            if on_update:
                on_update(job)
            if job["status"] in TERMINAL:
                if raise_on_failure and job["status"] != "COMPLETED":
                    raise RenderFailedError(job)
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"render {job_id} still {job['status']} after {timeout} s")
            await asyncio.sleep(poll_interval)


class AsyncTokens(_AsyncResource):
    async def create(self, name: str, scopes: Sequence[str], *, expires_in_days: int, current_password: str) -> NewApiToken:
        """A personal token acting as the signed-in person: needs their password and an expiry (at most the
        server's maximum, 90 days by default); the person is mailed a notice. Raises PermissionDeniedError
        (``CURRENT_PASSWORD_WRONG``) for a wrong password."""
        body = token_body(name, scopes, expires_in_days=expires_in_days, current_password=current_password)
        return cast(NewApiToken, await self._c._json("POST", "/tokens", json=body))
