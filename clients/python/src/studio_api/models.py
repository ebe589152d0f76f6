"""Response shapes of the API (TypedDicts: the JSON as parsed, keys as the API spells them)."""

from __future__ import annotations

from typing import Any, Generic, List, Literal, Optional, TypeVar

from typing_extensions import TypedDict

AssetType = Literal["CHARACTER", "PROP", "ENVIRONMENT", "SET", "SHOT", "ANIMATION", "RIG", "TEXTURE", "AUDIO", "OTHER"]
AssetStatus = Literal["IN_PROGRESS", "PENDING_REVIEW", "APPROVED", "CHANGES_REQUESTED"]
RenderStatus = Literal["QUEUED", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED"]
RenderEngine = Literal["blender", "simulated"]
Role = Literal["ARTIST", "DIRECTOR", "PRODUCER"]
Scope = Literal[
    "assets:read",
    "assets:write",
    "assets:purge",
    "reviews:write",
    "renders:read",
    "renders:write",
    "events:read",
    "production:read",
    "production:write",
    "admin",
]

T = TypeVar("T")


class PageInfo(TypedDict):
    limit: int
    nextCursor: Optional[str]
    hasMore: bool


class Page(TypedDict, Generic[T]):
    data: List[T]
    page: PageInfo


class Asset(TypedDict):
    id: str
    studioId: str
    name: str
    type: AssetType
    description: str
    tags: List[str]
    status: AssetStatus
    currentVersion: Optional[int]
    latestVersion: int
    createdBy: str
    updatedBy: str
    archivedAt: Optional[str]
    projectId: Optional[str]
    shotId: Optional[str]
    revision: int
    createdAt: str
    updatedAt: str


class VersionFile(TypedDict):
    size: int
    sha256: str
    mimeType: str
    originalName: str
    verified: bool


class Version(TypedDict):
    id: str
    assetId: str
    studioId: str
    version: int
    file: VersionFile
    changeNote: str
    createdBy: str
    createdAt: str


class UploadResult(TypedDict):
    version: Version
    asset: Asset


class Frames(TypedDict):
    start: int
    end: int


class RenderError(TypedDict):
    code: str
    message: str


class RenderChunk(TypedDict):
    index: int
    start: int
    end: int
    status: RenderStatus
    progress: float
    attempts: int
    error: Optional[RenderError]


class RenderOutputFrame(TypedDict):
    frame: int


class RenderOutputs(TypedDict):
    frames: List[RenderOutputFrame]
    preview: bool


class RenderJob(TypedDict):
    id: str
    studioId: str
    assetId: str
    version: int
    engine: RenderEngine
    frames: Frames
    chunkSize: int
    priority: int
    status: RenderStatus
    progress: float
    attempts: int
    maxAttempts: int
    chunkTimeoutMs: int
    chunks: List[RenderChunk]
    error: Optional[RenderError]
    outputs: RenderOutputs
    requestedBy: str
    queuedAt: str
    startedAt: Optional[str]
    finishedAt: Optional[str]


class User(TypedDict, total=False):
    id: str
    studioId: str
    email: str
    name: str
    role: Role
    kind: Literal["PERSON", "BOT"]
    active: bool
    createdAt: str
    updatedAt: str


class AuthResult(TypedDict):
    accessToken: str
    refreshToken: str
    user: User


class ApiToken(TypedDict):
    id: str
    userId: str
    name: str
    hint: str
    scopes: List[Scope]
    status: Literal["ACTIVE", "REVOKED", "EXPIRED"]
    expiresAt: str
    lastUsedAt: Optional[str]
    lastUsedIp: Optional[str]
    createdBy: str
    createdAt: str


class NewApiToken(ApiToken):
    token: str


JSON = Any
