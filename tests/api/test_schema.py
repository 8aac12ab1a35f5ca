"""The OpenAPI document, checked against the running API by schemathesis: for anonymous readers
and for an editor with a token, every operation is called with its examples and generated input;
no answer is a server error and every answer is what the document says (status, content type,
body). The number of generated cases is bounded to keep the run short."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from editorial.roles import Role
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES_PER_OPERATION = 3


def run_every_operation(base_url: str, headers: dict[str, str]) -> int:
    schema = schemathesis.openapi.from_url(
        f"{base_url}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
    )
    calls = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

        call()
    return calls


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_nothing_anonymous_or_with_a_token(live_server: Any) -> None:
    published = bring_to(small_issue(articles=2), IssueStatus.PUBLISHED)
    factories.FigureFactory.create(article=published.articles.first())
    small_issue()  # a draft, for staff
    editor = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    token = Token.objects.create(user=editor)

    anonymous = run_every_operation(live_server.url, {})
    with_token = run_every_operation(live_server.url, {"Authorization": f"Token {token.key}"})

    assert anonymous >= 25 and with_token >= 25
