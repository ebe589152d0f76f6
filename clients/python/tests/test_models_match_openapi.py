"""The client's response models against the live API's /openapi.json: a changed API breaks this build, not a user."""

from __future__ import annotations

from typing import Any, get_type_hints

import httpx

from studio_api import models

# Each model and the schema it mirrors: a component, or a path into one.
MODELS: list[tuple[type[Any], str, tuple[str, ...]]] = [
    (models.Asset, "Asset", ()),
    (models.Version, "AssetVersion", ()),
    (models.VersionFile, "AssetVersion", ("file",)),
    (models.RenderJob, "RenderJob", ()),
    (models.RenderChunk, "RenderJob", ("chunks", "[]")),
    (models.Frames, "RenderJob", ("frames",)),
    (models.User, "User", ()),
    (models.AuthResult, "AuthResult", ()),
    (models.ApiToken, "ApiToken", ()),
    (models.NewApiToken, "NewApiToken", ()),
]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for part in schema.get("allOf", []):
        resolved = _resolve(doc, part)
        properties = {**resolved.get("properties", {}), **schema.get("properties", {})}
        required = [*resolved.get("required", []), *schema.get("required", [])]
        schema = {**schema, "properties": properties, "required": required}
    return schema


def _schema(doc: dict[str, Any], name: str, path: tuple[str, ...]) -> dict[str, Any]:
    schema = _resolve(doc, doc["components"]["schemas"][name])
    for part in path:
        schema = _resolve(doc, schema["items"] if part == "[]" else schema["properties"][part])
    return schema


def test_response_models_have_exactly_the_documented_fields(api_url: str) -> None:
    doc = httpx.get(f"{api_url}/openapi.json").json()
    mismatches = []
    for model, name, path in MODELS:
        schema = _schema(doc, name, path)
        documented = set(schema.get("properties", {}))
        fields = set(get_type_hints(model))
        if fields != documented:
            where = f"{model.__name__} vs {name}{''.join('.' + p for p in path)}"
            mismatches.append(f"{where}: missing {sorted(documented - fields)}, extra {sorted(fields - documented)}")
    assert mismatches == []
