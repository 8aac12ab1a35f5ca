"""Admin uploads: decoded only as an allowed image; a huge body refused before it is read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from editorial.models import Organisation
from tests.factories import png_bytes
from tests.fake_ghostscript import DISGUISED, GhostscriptLog

pytestmark = pytest.mark.django_db


def add_organisation(client: Client, logo: bytes, name: str = "logo.png") -> str:
    response = client.post(
        reverse("admin:editorial_organisation_add"),
        {"name": "贵阳智能大数据战略研究院", "logo": SimpleUploadedFile(name, logo)},
    )
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_postscript_named_as_an_image_is_refused_without_running_ghostscript(
    editor_client: Client, ghostscript_log: GhostscriptLog, kind: str
) -> None:
    content = add_organisation(editor_client, DISGUISED[kind])

    assert "errorlist" in content
    assert not Organisation.objects.exists()
    assert ghostscript_log.calls == []


def test_a_png_with_a_page_after_it_is_refused(editor_client: Client) -> None:
    content = add_organisation(editor_client, png_bytes() + b"<html><script>x()</script></html>")

    assert "图片中夹带了其他内容" in content
    assert not Organisation.objects.exists()


def test_a_request_larger_than_the_limit_is_refused_unread(
    editor_client: Client, settings: Settings
) -> None:
    """The Content-Length alone decides: the body sent here is tiny, the claim is 60 MB."""
    response = editor_client.post(
        reverse("admin:editorial_organisation_add"),
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert response.content.decode() == (
        f"上传内容过大：{60 * 1024 * 1024} 字节，上限 {settings.DIGEST_MAX_REQUEST_BYTES} 字节。"
    )
    assert not Organisation.objects.exists()


def test_the_limit_applies_to_the_api_too(editor_client: Client, settings: Settings) -> None:
    settings.DIGEST_MAX_REQUEST_BYTES = 1000
    response = editor_client.post(
        "/api/v1/issues/", data=b"{" + b" " * 2000 + b"}", content_type="application/json"
    )
    assert response.status_code == 413
