"""The REST API's OpenAPI schema is valid and complete enough to generate clients from; the docs are offline."""

from __future__ import annotations

import re

import httpx
import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spec(live_app) -> dict:
    return httpx.get(f"{live_app['url']}/openapi.json").json()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def resolve(spec: dict, schema: dict) -> dict:
    ref = schema.get("$ref", "")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def test_the_schema_is_valid_openapi(spec):
    validate(spec)
    assert {"/api/ask", "/api/health", "/api/admin/documents", "/v1/models", "/v1/chat/completions"} <= set(
        spec["paths"]
    )


def test_every_success_response_has_a_schema_and_an_example(spec):
    for name, operation in operations(spec):
        content = operation["responses"]["200"].get("content")
        assert content, f"{name}: 200 has no content"
        for media_type, body in content.items():
            assert body.get("schema"), f"{name}: 200 {media_type} has no schema"
        json_body = content.get("application/json") or next(iter(content.values()))
        schema = resolve(spec, json_body["schema"])
        example = json_body.get("example") or json_body.get("examples") or schema.get("examples")
        assert example, f"{name}: no example"
        if schema.get("type") == "object" or "$ref" in json_body["schema"]:
            assert schema.get("properties"), f"{name}: 200 schema has no fields"


def test_ask_documents_its_answer_limits_and_errors(spec):
    ask = spec["paths"]["/api/ask"]["post"]
    request = resolve(spec, ask["requestBody"]["content"]["application/json"]["schema"])
    assert request["properties"]["question"]["maxLength"] == 500
    assert {"400", "401", "413"} <= set(ask["responses"])
    answer = resolve(spec, ask["responses"]["200"]["content"]["application/json"]["schema"])
    assert {"answer", "citations", "refused", "search_query", "timings", "support"} <= set(answer["properties"])
    citation = spec["components"]["schemas"]["CitationModel"]["properties"]
    assert {"n", "label", "quote", "text", "doc_id", "article", "heading_path", "newer_version", "region"} <= set(
        citation
    )


def test_admin_routes_declare_their_credentials_errors(spec):
    for name, operation in operations(spec):
        if " /api/admin" in name:
            assert {"401", "403"} <= set(operation["responses"]), name
    upload = spec["paths"]["/api/admin/documents"]["post"]["responses"]
    assert "413" in upload and "422" in upload


def test_responses_match_their_schemas(live_app, spec):
    """What the running app returns has every field the schema promises."""
    body = httpx.post(f"{live_app['url']}/api/ask", json={"question": "女职工生育能休多少天产假?"}, timeout=60).json()
    assert set(resolve(spec, {"$ref": "#/components/schemas/AskResponse"})["required"]) <= set(body)
    health = httpx.get(f"{live_app['url']}/api/health").json()
    assert set(spec["components"]["schemas"]["HealthResponse"]["required"]) <= set(health)


def test_a_too_large_body_gets_a_413(live_app):
    response = httpx.post(
        f"{live_app['url']}/api/ask",
        content=b'{"question": "' + "工会".encode() * 200_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413 and "过大" in response.json()["detail"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_their_assets_from_this_server(live_app, page):
    html = httpx.get(live_app["url"] + page).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") for a in assets), assets  # nothing from a CDN
    assert "fonts.googleapis" not in html
    for asset in assets:
        assert httpx.get(live_app["url"] + asset).status_code == 200, asset
