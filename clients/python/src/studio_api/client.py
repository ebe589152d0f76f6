"""The synchronous client."""

from __future__ import annotations

import json as jsonlib
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence, cast

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
from .errors import ChecksumMismatchError, GoneError, NotFoundError, RenderFailedError, StudioError
from .models import ApiToken, Asset, AuthResult, NewApiToken, Page, RenderJob, UploadResult, User, Version

TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")


class StudioClient:
    """A Studio API client. Authenticate with an API token, or use :meth:`login` (email and password).

    >>> with StudioClient("http://localhost:3000", token=os.environ["STUDIO_TOKEN"]) as client:
    ...     for asset in client.assets.iter(type="SHOT"):
    ...         print(asset["name"])
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: Optional[str] = None,
        access_token: Optional[str] = None,
        refresh_token: Optional[str] = None,
        timeout: float = 60.0,
        transport: Optional[httpx.BaseTransport] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = Credentials(token=token, access_token=access_token, refresh_token=refresh_token)
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, transport=transport, headers={"User-Agent": USER_AGENT}
        )
        self.assets = Assets(self)
        self.versions = Versions(self)
        self.uploads = Uploads(self)
        self.renders = Renders(self)
        self.tokens = Tokens(self)
        self.bots = Bots(self)

    # --- lifecycle ---------------------------------------------------------------------------------

    @classmethod
    def login(cls, base_url: str, email: str, password: str, *, studio_id: Optional[str] = None, **kwargs: Any) -> "StudioClient":
        """Signs in with email and password; the access token is refreshed by itself when it expires."""
        client = cls(base_url, **kwargs)
        try:
            body: dict[str, Any] = {"email": email, "password": password}
            if studio_id:
                body["studioId"] = studio_id
            result = cast(AuthResult, client._json("POST", "/auth/login", json=body, auth=False))
            client._session(result)
        except BaseException:
            client.close()
            raise
        return client

    def _session(self, result: AuthResult) -> None:
        self.credentials.access_token = result["accessToken"]
        self.credentials.refresh_token = result["refreshToken"]

    def refresh(self) -> AuthResult:
        """Rotates the refresh token into a new pair (POST /auth/refresh)."""
        if not self.credentials.refresh_token:
            raise StudioError("no refresh token: this client was not signed in with login()")
        result = cast(
            AuthResult,
            self._json("POST", "/auth/refresh", json={"refreshToken": self.credentials.refresh_token}, auth=False),
        )
        self._session(result)
        return result

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "StudioClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- requests ----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        content: Optional[bytes] = None,
        files: Any = None,
        data: Optional[Mapping[str, str]] = None,
        headers: Optional[Mapping[str, str]] = None,
        auth: bool = True,
        raise_errors: bool = True,
    ) -> httpx.Response:
        """One request; a 401 on a session (email login) is answered by one refresh and one retry."""

        def send() -> httpx.Response:
            merged = {**(auth_headers(self.credentials) if auth else {}), **(headers or {})}
            return self._http.request(
                method, path, params=clean_params(params), json=json, content=content, files=files, data=data, headers=merged
            )

        res = send()
        if res.status_code == 401 and auth and self.credentials.can_refresh:
            self.refresh()
            res = send()
        if raise_errors:
            raise_for_status(res.status_code, res.content, res.headers)
        return res

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return parse_json(self.request(method, path, **kwargs).content)

    def _paginate(self, path: str, params: Mapping[str, Any], page_size: Optional[int]) -> Iterator[Any]:
        query = dict(params)
        if page_size is not None:
            query["limit"] = page_size
        cursor: Optional[str] = None
        while True:
            page = self._json("GET", path, params={**query, "cursor": cursor})
            yield from page["data"]
            cursor = page["page"].get("nextCursor")
            if not page["page"].get("hasMore") or not cursor:
                return

    def me(self) -> User:
        return cast(User, self._json("GET", "/auth/me"))


class _Resource:
    def __init__(self, client: StudioClient) -> None:
        self._c = client


class Assets(_Resource):
    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None, **filters: Any) -> Page[Asset]:
        """One page of GET /assets. Filters: type, status, tag, createdBy, q, archived, sort, order."""
        return cast("Page[Asset]", self._c._json("GET", "/assets", params={**filters, "limit": limit, "cursor": cursor}))

    def iter(self, *, page_size: Optional[int] = None, **filters: Any) -> Iterator[Asset]:
        """Every asset matching the filters, following ``page.nextCursor`` page by page."""
        return cast(Iterator[Asset], self._c._paginate("/assets", filters, page_size))

    def get(self, asset_id: str) -> Asset:
        return cast(Asset, self._c._json("GET", f"/assets/{asset_id}"))

    def create(self, name: str, type: str, *, description: Optional[str] = None, tags: Optional[Sequence[str]] = None) -> Asset:
        body: dict[str, Any] = {"name": name, "type": type}
        if description is not None:
            body["description"] = description
        if tags is not None:
            body["tags"] = list(tags)
        return cast(Asset, self._c._json("POST", "/assets", json=body))

    def update(self, asset_id: str, *, if_match: Optional[str] = None, **changes: Any) -> Asset:
        headers = {"If-Match": if_match} if if_match else None
        return cast(Asset, self._c._json("PATCH", f"/assets/{asset_id}", json=changes, headers=headers))

    def archive(self, asset_id: str) -> Any:
        return self._c._json("DELETE", f"/assets/{asset_id}")


class Versions(_Resource):
    def list(self, asset_id: str, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[Version]:
        return cast("Page[Version]", self._c._json("GET", f"/assets/{asset_id}/versions", params={"limit": limit, "cursor": cursor}))

    def iter(self, asset_id: str, *, page_size: Optional[int] = None) -> Iterator[Version]:
        return cast(Iterator[Version], self._c._paginate(f"/assets/{asset_id}/versions", {}, page_size))

    def get(self, asset_id: str, version: int) -> Version:
        return cast(Version, self._c._json("GET", f"/assets/{asset_id}/versions/{version}"))

    def upload(self, asset_id: str, file: PathLike, *, change_note: Optional[str] = None, filename: Optional[str] = None) -> UploadResult:
        """A one-shot multipart upload (POST /assets/:id/versions). Use :meth:`Uploads.upload` for large files."""
        path = Path(file)
        with path.open("rb") as fh:
            data = {"changeNote": change_note} if change_note is not None else None
            return cast(
                UploadResult,
                self._c._json("POST", f"/assets/{asset_id}/versions", files={"file": (filename or path.name, fh)}, data=data),
            )

    def download(
        self,
        asset_id: str,
        version: int,
        dest: PathLike,
        *,
        chunk_size: int = 1024 * 1024,
        progress: Optional[Progress] = None,
    ) -> DownloadResult:
        """Downloads a version to ``dest``, resuming ``dest.part`` with ``Range``/``If-Range`` after an interruption,
        and checks the bytes against the version's ``file.sha256`` (:class:`ChecksumMismatchError` if not)."""
        info = self.get(asset_id, version)
        expected = info["file"]["sha256"]
        total = info["file"]["size"]
        out = Path(dest)
        part, meta = part_paths(out)
        saved = load_part_meta(meta)
        have = part.stat().st_size if part.exists() and saved.get("sha256") == expected else 0
        headers: dict[str, str] = {}
        if have and saved.get("etag"):
            headers = {"Range": f"bytes={have}-", "If-Range": str(saved["etag"])}
        elif have:
            have = 0
        url = f"/assets/{asset_id}/versions/{version}/download"
        merged = {**auth_headers(self._c.credentials), **headers}
        with self._c._http.stream("GET", url, headers=merged) as res:
            if res.status_code == 401 and self._c.credentials.can_refresh:
                res.close()
                self._c.refresh()
                return self.download(asset_id, version, dest, chunk_size=chunk_size, progress=progress)
            if res.status_code == 416:
                have = 0  # the part is not a prefix of this file any more: start over below
            if res.status_code >= 400 and res.status_code != 416:
                raise_for_status(res.status_code, res.read(), res.headers)
            resumed = have if res.status_code == 206 else 0
            if res.status_code != 416:
                meta.write_text(jsonlib.dumps({"etag": res.headers.get("etag"), "sha256": expected}), "utf-8")
                with part.open("ab" if resumed else "wb") as fh:
                    done = resumed
                    for block in res.iter_bytes(chunk_size):
                        fh.write(block)
                        done += len(block)
                        if progress:
                            fh.flush()
                            progress(done, total)
        if res.status_code == 416:
            part.unlink(missing_ok=True)
            return self.download(asset_id, version, dest, chunk_size=chunk_size, progress=progress)
        actual = sha256_of(part)
        if actual != expected:
            part.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
            raise ChecksumMismatchError(expected, actual)
        os.replace(part, out)
        meta.unlink(missing_ok=True)
        return DownloadResult(path=out, size=out.stat().st_size, sha256=actual, resumed_from=resumed)


class Uploads(_Resource):
    """Resumable uploads over tus 1.0 at /uploads."""

    def upload(
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
        """Uploads ``file`` as the asset's next version. The upload's URL is kept in ``state_file`` (by default
        under ``~/.cache/studio-api/uploads``) until it completes, so after a crash the same call resumes
        from the offset the server reports (HEAD) instead of starting over."""
        path = Path(file)
        size = path.stat().st_size
        state_path = Path(state_file) if state_file is not None else UploadState.default_path(self._c.base_url, asset_id, path)
        tus = {"Tus-Resumable": TUS_VERSION}
        state = UploadState.load(state_path)
        offset: Optional[int] = None
        if state is not None and state.matches(self._c.base_url, asset_id, path):
            try:
                head = self._c.request("HEAD", state.upload_url, headers=tus)
                offset = int(head.headers["upload-offset"])
            except (NotFoundError, GoneError):
                offset = None
        if offset is None:
            meta = tus_metadata({"assetId": asset_id, "filename": filename or path.name, "changeNote": change_note})
            created = self._c.request(
                "POST", "/uploads", headers={**tus, "Upload-Length": str(size), "Upload-Metadata": meta}
            )
            location = created.headers["location"]
            upload_url = location if location.startswith("/") else httpx.URL(location).path
            st = path.stat()
            state = UploadState(self._c.base_url, asset_id, str(path.resolve()), st.st_size, st.st_mtime_ns, upload_url)
            state.save(state_path)
            offset = 0
        assert state is not None
        if progress:
            progress(offset, size)
        while True:
            body = read_chunk(path, offset, chunk_size)
            res = self._c.request(
                "PATCH",
                state.upload_url,
                content=body,
                headers={**tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
            )
            if res.status_code == 200:
                # The last PATCH: the server made the version and answers with it.
                state_path.unlink(missing_ok=True)
                result = cast(UploadResult, parse_json(res.content))
                if progress:
                    progress(size, size)
                return result
            offset = int(res.headers["upload-offset"])
            if progress:
                progress(offset, size)


class Renders(_Resource):
    def submit(
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
        """POST /assets/:id/render (202). ``frames`` is ``(start, end)``; ``engine`` 'blender' or 'simulated'."""
        body = render_body(
            version=version, frames=frames, chunk_size=chunk_size, engine=engine, max_attempts=max_attempts, chunk_timeout_ms=chunk_timeout_ms
        )
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return cast(RenderJob, self._c._json("POST", f"/assets/{asset_id}/render", json=body, headers=headers))

    def get(self, job_id: str) -> RenderJob:
        return cast(RenderJob, self._c._json("GET", f"/render-jobs/{job_id}"))

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None, **filters: Any) -> Page[RenderJob]:
        return cast("Page[RenderJob]", self._c._json("GET", "/render-jobs", params={**filters, "limit": limit, "cursor": cursor}))

    def iter(self, *, page_size: Optional[int] = None, **filters: Any) -> Iterator[RenderJob]:
        return cast(Iterator[RenderJob], self._c._paginate("/render-jobs", filters, page_size))

    def cancel(self, job_id: str) -> RenderJob:
        return cast(RenderJob, self._c._json("POST", f"/render-jobs/{job_id}/cancel"))

    def retry(self, job_id: str) -> RenderJob:
        return cast(RenderJob, self._c._json("POST", f"/render-jobs/{job_id}/retry"))

    def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 1.0,
        timeout: Optional[float] = 600.0,
        on_update: Optional[Callable[[RenderJob], None]] = None,
        raise_on_failure: bool = True,
    ) -> RenderJob:
        """Polls GET /render-jobs/:id until COMPLETED, FAILED or CANCELLED."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if on_update:
                on_update(job)
            if job["status"] in TERMINAL:
                if raise_on_failure and job["status"] != "COMPLETED":
                    raise RenderFailedError(job)
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"render {job_id} still {job['status']} after {timeout} s")
            time.sleep(poll_interval)


class Tokens(_Resource):
    def create(self, name: str, scopes: Sequence[str], *, expires_in_days: int, current_password: str) -> NewApiToken:
        """A personal token acting as the signed-in person: needs their password and an expiry (at most the
        server's maximum, 90 days by default); the person is mailed a notice. Raises PermissionDeniedError
        (``CURRENT_PASSWORD_WRONG``) for a wrong password."""
        body = token_body(name, scopes, expires_in_days=expires_in_days, current_password=current_password)
        return cast(NewApiToken, self._c._json("POST", "/tokens", json=body))

    def list(self) -> list[ApiToken]:
        return cast("list[ApiToken]", self._c._json("GET", "/tokens")["data"])

    def revoke(self, token_id: str) -> ApiToken:
        return cast(ApiToken, self._c._json("DELETE", f"/tokens/{token_id}"))


class Bots(_Resource):
    def create(self, name: str, role: str) -> User:
        return cast(User, self._c._json("POST", "/bots", json={"name": name, "role": role}))

    def list(self) -> list[User]:
        return cast("list[User]", self._c._json("GET", "/bots")["data"])

    def create_token(self, bot_id: str, name: str, scopes: Sequence[str], *, expires_in_days: int, current_password: str) -> NewApiToken:
        """A token for a bot (PRODUCER): needs the PRODUCER's password and an expiry; every PRODUCER is mailed."""
        body = token_body(name, scopes, expires_in_days=expires_in_days, current_password=current_password)
        return cast(NewApiToken, self._c._json("POST", f"/bots/{bot_id}/tokens", json=body))
