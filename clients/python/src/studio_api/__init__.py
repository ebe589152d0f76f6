"""Python client of the Studio API: sync and async, token or email login, tus uploads, verified downloads."""

from __future__ import annotations

from ._core import DownloadResult, Progress
from .aio import AsyncStudioClient
from .client import StudioClient
from .errors import (
    AuthenticationError,
    BadRequestError,
    ChecksumMismatchError,
    ConflictError,
    GoneError,
    InsufficientStorageError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitedError,
    RenderFailedError,
    ServerError,
    StudioApiError,
    StudioError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
)

__version__ = "0.1.0"

__all__ = [
    "AsyncStudioClient",
    "AuthenticationError",
    "BadRequestError",
    "ChecksumMismatchError",
    "ConflictError",
    "DownloadResult",
    "GoneError",
    "InsufficientStorageError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "Progress",
    "RateLimitedError",
    "RenderFailedError",
    "ServerError",
    "StudioApiError",
    "StudioClient",
    "StudioError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "__version__",
]
