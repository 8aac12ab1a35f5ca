"""Where the API lives: ``/api/v1/``, the first cut's ``/api/…`` redirected there with method
and body kept, the OpenAPI document and Swagger UI served from our own files under the CSP."""

import re

import pytest
from django.test import Client

from tests.workflow.states import small_issue

pytestmark = pytest.mark.django_db


def test_the_first_cut_s_addresses_redirect_to_v1_keeping_the_method() -> None:
    issue = small_issue()
    response = Client().post(f"/api/issues/{issue.pk}/actions/submit/?x=1", {})
    assert response.status_code == 308
    assert response["Location"] == f"/api/v1/issues/{issue.pk}/actions/submit/?x=1"
    assert Client().get("/api/schema/").status_code == 200


def test_swagger_ui_runs_from_our_own_files_under_the_nonce_policy() -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all('src="/' in tag for tag in scripts)  # nothing inline, nothing remote
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert re.findall(r"<style\b[^>]*>", page) == [f'<style nonce="{nonce[1]}">']
    init = Client().get("/api/docs/?script=")
    assert init.status_code == 200 and "/api/schema/" in init.content.decode()
