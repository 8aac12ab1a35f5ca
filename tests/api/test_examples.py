"""The OpenAPI document: every resource, every operation with an example of its answer."""

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_every_operation_has_an_example_of_its_answer() -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = [
                body
                for code, response in operation["responses"].items()
                if code.startswith("2")
                for body in response.get("content", {}).values()
            ]
            if not any("examples" in body for body in answers):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
    assert len([op for ops in schema["paths"].values() for op in ops]) >= 25


def test_openapi_schema_describes_the_api() -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/issues/",
        "/api/v1/issues/{id}/",
        "/api/v1/issues/{id}/actions/{name}/",
        "/api/v1/issues/{id}/preflight/",
        "/api/v1/issues/{id}/renditions/",
        "/api/v1/articles/{id}/",
        "/api/v1/articles/{id}/transition/",
        "/api/v1/issues/{id}/actions/",
        "/api/v1/publications/",
        "/api/v1/figures/",
        "/api/v1/people/",
        "/api/v1/organisations/",
        "/api/v1/notices/",
        "/api/v1/comments/",
        "/api/v1/renditions/",
        "/api/v1/subscribers/",
        "/api/v1/subscribers/{id}/",
        "/api/v1/subscribers/{id}/unsubscribe/",
        "/api/v1/subscribers/{id}/export/",
        "/api/v1/subscribers/{id}/erase/",
        "/api/v1/deliveries/",
        "/api/v1/deliveries/{id}/",
        "/api/v1/deliveries/{id}/pause/",
        "/api/v1/deliveries/{id}/resume/",
        "/api/v1/deliveries/{id}/resend/",
        "/api/v1/deliveries/{id}/close/",
    } <= set(schema["paths"])


def test_the_schema_generates_without_warnings() -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
