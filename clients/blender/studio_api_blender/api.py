"""The few Studio API calls the add-on makes, on the standard library only (urllib), so it runs in any
Blender's Python without installing httpx. Nothing here touches the network at import time.

Same protocol as clients/python (studio_api): Bearer ``sapi_`` token, the error contract, tus 1.0 uploads
resumed from a state file, GET /render-jobs/:id polling."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, List, Optional

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = 8 * 1024 * 1024
USER_AGENT = "studio-api-blender/0.1.0"


class StudioApiError(Exception):
    """A non-2xx answer, from the error contract {error: {code, message, details?, correlationId}}."""

    def __init__(self, status: int, code: str, message: str, correlation_id: Optional[str] = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.correlation_id = correlation_id


class Response:
    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Client:
    def __init__(self, base_url: str, token: str, timeout: float = 60.0) -> None:
        if not base_url:
            raise ValueError("Set the API URL in the add-on preferences")
        if not token:
            raise ValueError("Set an API token (sapi_…) in the add-on preferences")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, *, params: Optional[Dict[str, Any]] = None, body: Any = None,
                data: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None) -> Response:
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        hdrs = {"Authorization": f"Bearer {self.token}", "User-Agent": USER_AGENT, **(headers or {})}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                return Response(res.status, {k.lower(): v for k, v in res.headers.items()}, res.read())
        except urllib.error.HTTPError as err:
            raw = err.read()
            code, message, cid = f"HTTP_{err.code}", raw[:300].decode("utf-8", "replace"), None
            try:
                parsed = json.loads(raw)["error"]
                code, message, cid = parsed["code"], parsed["message"], parsed.get("correlationId")
            except (ValueError, KeyError, TypeError):
                pass
            raise StudioApiError(err.code, code, message, cid) from None

    # --- the calls -----------------------------------------------------------------------------------

    def me(self) -> Dict[str, Any]:
        return self.request("GET", "/auth/me").json()

    def assets(self, *, q: Optional[str] = None, limit: int = 500) -> List[Dict[str, Any]]:
        """Up to ``limit`` assets, following page.nextCursor."""
        out: List[Dict[str, Any]] = []
        cursor = None
        while len(out) < limit:
            page = self.request("GET", "/assets", params={"limit": 100, "cursor": cursor, "q": q, "sort": "name", "order": "asc"}).json()
            out.extend(page["data"])
            cursor = page["page"].get("nextCursor")
            if not page["page"].get("hasMore") or not cursor:
                break
        return out[:limit]

    def version(self, asset_id: str, version: int) -> Dict[str, Any]:
        return self.request("GET", f"/assets/{asset_id}/versions/{version}").json()

    def upload(self, asset_id: str, path: str, *, change_note: str = "", state_dir: str,
               progress: Optional[Callable[[int, int], None]] = None) -> Dict[str, Any]:
        """tus 1.0: POST /uploads, PATCH in chunks; the upload URL is kept in a state file until it completes, so
        publishing the same unchanged file again resumes where the last attempt stopped."""
        st = os.stat(path)
        key = hashlib.sha256(f"{self.base_url}|{asset_id}|{os.path.abspath(path)}".encode()).hexdigest()[:32]
        state_file = os.path.join(state_dir, f"{key}.json")
        offset, url = None, None
        try:
            with open(state_file, encoding="utf-8") as fh:
                state = json.load(fh)
            if state.get("size") == st.st_size and state.get("mtime_ns") == st.st_mtime_ns:
                url = state["url"]
                offset = int(self.request("HEAD", url, headers=TUS).headers["upload-offset"])
        except (OSError, ValueError, KeyError, StudioApiError):
            offset, url = None, None
        if offset is None or url is None:
            meta = {"assetId": asset_id, "filename": os.path.basename(path)}
            if change_note:
                meta["changeNote"] = change_note
            encoded = ",".join(f"{k} {base64.b64encode(v.encode('utf-8')).decode('ascii')}" for k, v in meta.items())
            created = self.request("POST", "/uploads", headers={**TUS, "Upload-Length": str(st.st_size), "Upload-Metadata": encoded})
            location = created.headers["location"]
            url = location if location.startswith("/") else urllib.parse.urlparse(location).path
            os.makedirs(state_dir, exist_ok=True)
            with open(state_file, "w", encoding="utf-8") as fh:
                json.dump({"url": url, "size": st.st_size, "mtime_ns": st.st_mtime_ns}, fh)
            offset = 0
        with open(path, "rb") as fh:
            while True:
                fh.seek(offset)
                chunk = fh.read(CHUNK)
                res = self.request("PATCH", url, data=chunk, headers={
                    **TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
                if res.status == 200:
                    try:
                        os.remove(state_file)
                    except OSError:
                        pass
                    if progress:
                        progress(st.st_size, st.st_size)
                    return res.json()
                offset = int(res.headers["upload-offset"])
                if progress:
                    progress(offset, st.st_size)

    def submit_render(self, asset_id: str, *, version: Optional[int], frame_start: int, frame_end: int,
                      chunk_size: int, engine: str) -> Dict[str, Any]:
        body: Dict[str, Any] = {"frames": {"start": frame_start, "end": frame_end}, "chunkSize": chunk_size, "engine": engine}
        if version is not None:
            body["version"] = version
        return self.request("POST", f"/assets/{asset_id}/render", body=body).json()

    def render_job(self, job_id: str) -> Dict[str, Any]:
        return self.request("GET", f"/render-jobs/{job_id}").json()
