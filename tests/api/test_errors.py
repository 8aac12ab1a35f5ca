"""One error format: a code, a Chinese message, the fields at fault."""

import pytest
from django.test import Client

from editorial.roles import Role
from tests import factories
from tests.workflow.states import small_issue
from tests.workflow_helpers import api_etag, staff

pytestmark = pytest.mark.django_db


def test_every_refusal_has_a_code_and_a_chinese_message() -> None:
    issue = small_issue()
    executive = Client()
    executive.force_login(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    url = f"/api/v1/issues/{issue.pk}/"
    anonymous_write = Client().patch(url, {}, content_type="application/json")
    not_found = Client().get("/api/v1/issues/999999/")
    invalid = executive.patch(
        url, {"number": "十六"}, content_type="application/json", **api_etag(executive, url)
    )
    unknown = executive.post(
        f"{url}actions/start_edit/",
        {"note": "?"},
        content_type="application/json",
        **api_etag(executive, url),
    )
    refused = executive.post(f"{url}actions/approve/", **api_etag(executive, url))

    assert anonymous_write.status_code == 401
    assert anonymous_write.json() == {
        "code": "not_authenticated",
        "message": "身份认证信息未提供。",
    }
    assert anonymous_write["WWW-Authenticate"] == "Token"
    assert not_found.json() == {"code": "not_found", "message": "未找到。"}
    assert invalid.status_code == 400
    assert invalid.json() == {
        "code": "invalid",
        "message": "number：请填写合法的整数值。",
        "fields": {"number": ["请填写合法的整数值。"]},
    }
    assert unknown.status_code == 400 and unknown.json()["fields"] == {"note": ["不认识的输入。"]}
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert "不能执行“批准”" in refused.json()["message"]


def test_a_stale_save_under_the_lock_is_a_failed_precondition_naming_who() -> None:
    article = factories.ArticleFactory.create()
    executive = Client()
    executive.force_login(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    url = f"/api/v1/articles/{article.pk}/"
    # The version read is current, then someone saves before the write reaches the service.
    read = api_etag(executive, url)
    executive.patch(url, {"title": "先到"}, content_type="application/json", **read)
    late = executive.patch(url, {"title": "后到"}, content_type="application/json", **read)
    assert late.status_code == 412
