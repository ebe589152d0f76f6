"""Typed errors built from the API's error contract ``{"error": {code, message, details?, correlationId}}``."""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "StudioError",
    "StudioApiError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "MethodNotAllowedError",
    "ConflictError",
    "GoneError",
    "PreconditionFailedError",
    "PayloadTooLargeError",
    "UnsupportedMediaTypeError",
    "UnprocessableEntityError",
    "RateLimitedError",
    "InsufficientStorageError",
    "ServerError",
    "ChecksumMismatchError",
    "RenderFailedError",
    "error_from_response",
]


class StudioError(Exception):
    """Base of every error this package raises."""


class StudioApiError(StudioError):
    """A non-2xx answer from the API. ``code`` is the contract's machine-readable code."""

    status: int
    code: str
    message: str
    details: list[dict[str, Any]] | None
    correlation_id: str | None
    headers: dict[str, str]

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        correlation_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.correlation_id = correlation_id
        self.headers = headers or {}


class BadRequestError(StudioApiError):
    """400: the request failed validation (``details`` names the fields)."""


class AuthenticationError(StudioApiError):
    """401: missing, expired, revoked or invalid credentials."""


class PermissionDeniedError(StudioApiError):
    """403: the role or the token's scopes do not allow this (e.g. ``INSUFFICIENT_SCOPE``)."""


class NotFoundError(StudioApiError):
    """404: not found (another studio's resources are always 404)."""


class MethodNotAllowedError(StudioApiError):
    """405."""


class ConflictError(StudioApiError):
    """409."""


class GoneError(StudioApiError):
    """410 (e.g. an expired tus upload)."""


class PreconditionFailedError(StudioApiError):
    """412: a stale ``If-Match``."""


class PayloadTooLargeError(StudioApiError):
    """413."""


class UnsupportedMediaTypeError(StudioApiError):
    """415: e.g. ``FILE_TYPE_REFUSED``."""


class UnprocessableEntityError(StudioApiError):
    """422: e.g. render bounds exceeded."""


class RateLimitedError(StudioApiError):
    """429; ``retry_after`` is the ``Retry-After`` header in seconds, when sent."""

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class ServerError(StudioApiError):
    """5xx."""


class InsufficientStorageError(StudioApiError):
    """507 STORAGE_QUOTA_EXCEEDED: the studio's storage quota cannot hold the upload; retrying cannot help."""


class ChecksumMismatchError(StudioError):
    """A downloaded file's sha256 differs from the version's ``file.sha256``."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"sha256 mismatch: expected {expected}, got {actual}")
        self.expected = expected
        self.actual = actual


class RenderFailedError(StudioError):
    """A render ended FAILED or CANCELLED while waiting for it."""

    def __init__(self, job: Any) -> None:
        status = job.get("status") if isinstance(job, dict) else None
        error = job.get("error") if isinstance(job, dict) else None
        super().__init__(f"render {job.get('id') if isinstance(job, dict) else '?'} ended {status}: {error}")
        self.job = job


_BY_STATUS: dict[int, type[StudioApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    410: GoneError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitedError,
    507: InsufficientStorageError,
}


def error_from_response(status: int, body: bytes, headers: dict[str, str]) -> StudioApiError:
    """The typed error for a non-2xx answer; bodies outside the contract keep their status and text."""
    code = f"HTTP_{status}"
    message = body[:500].decode("utf-8", "replace") or f"HTTP {status}"
    details: list[dict[str, Any]] | None = None
    correlation_id: str | None = headers.get("x-request-id")
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        err = parsed["error"]
        code = str(err.get("code", code))
        message = str(err.get("message", message))
        raw_details = err.get("details")
        details = raw_details if isinstance(raw_details, list) else None
        correlation_id = err.get("correlationId") or correlation_id
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else StudioApiError)
    return cls(status, code, message, details=details, correlation_id=correlation_id, headers=headers)
