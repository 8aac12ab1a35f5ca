"""Examples for the OpenAPI document, from the sample issue (2024年第16期, 总第179期).

A list's example is one item: drf-spectacular shows it inside a page of results."""

from drf_spectacular.utils import OpenApiExample


def _response(name: str, value: object) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True)


def _request(name: str, value: object) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


SECTION = {"id": 1, "slug": "guoce", "name": "国策要论", "position": 1}
PUBLICATION = _response(
    "大数据发展动态",
    {
        "id": 1,
        "slug": "dsjfzdt",
        "name": "大数据发展动态",
        "tagline": "为数字创新领导者提供更新、更重要、更有用的决策参考信息",
        "slogan": "以战略视角解读数字中国",
        "frequency": "weekly",
        "phone": "0851-86798090",
        "fax": "",
        "email": "GIDI2018@163.com",
        "address": "贵阳市观山湖区",
        "wechat_account_name": "大数据发展动态",
        "sections": [SECTION],
    },
)
PUBLICATIONS = [PUBLICATION]
ORGANISATION = _response(
    "贵阳智能大数据战略研究院",
    {
        "id": 1,
        "name": "贵阳智能大数据战略研究院",
        "name_en": "Guiyang Institute of Big Data Strategy",
        "acronym": "GIDI",
        "profile": "<p>贵阳智能大数据战略研究院是……智库机构。</p>",
    },
)
ORGANISATIONS = [ORGANISATION]
PERSON = _response("熊灵犀", {"id": 1, "name": "熊灵犀"})
PEOPLE = [PERSON]
NOTICE = _response(
    "声明 v1",
    {
        "id": 1,
        "publication": "dsjfzdt",
        "version": 1,
        "text": "声明：本信息产品为内部交流学习资料。",
        "created_at": "2024-04-30T09:00:00+08:00",
    },
)
NOTICES = [NOTICE]
COMMENT = _response(
    "编辑意见",
    {
        "id": 1,
        "issue": 179,
        "article": 2801,
        "parent": None,
        "author": "board1",
        "body": "第二段数据需核实。",
        "created_at": "2024-05-05T10:00:00+08:00",
        "resolved_at": None,
    },
)
COMMENTS = [COMMENT]
COMMENT_CREATE = _request("意见", {"issue": 179, "article": 2801, "body": "第二段数据需核实。"})
COMMENT_CREATED = OpenApiExample(
    "已发表", value=COMMENT.value, response_only=True, status_codes=["201"]
)
RENDITION_VALUE = {
    "id": 1,
    "issue": 179,
    "kind": "pdf",
    "proof": False,
    "content_hash": "9f2c…",
    "status": "done",
    "checksum": "5be1…",
    "page_count": 28,
    "size": 2483112,
    "duration": 2.3,
    "error": "",
    "created_at": "2024-05-06T08:00:00+08:00",
    "finished_at": "2024-05-06T08:00:03+08:00",
}
RENDITION = _response("PDF", RENDITION_VALUE)
RENDITION_REQUESTED = OpenApiExample(
    "已排队",
    value={**RENDITION_VALUE, "status": "pending"},
    response_only=True,
    status_codes=["202"],
)
RENDITIONS = [RENDITION]
FIGURE_VALUE = {
    "id": 1,
    "article": 2801,
    "number": 1,
    "caption": "电子信息制造业和工业增加值累计增速",
    "image_url": "/archive/dsjfzdt/179/files/3a7bd3e2360a3d29eea436fcfb7e44c735d117c4.png",
    "image_checksum": "3a7bd3e2360a3d29eea436fcfb7e44c735d117c4",
}
FIGURE = _response("图 1", FIGURE_VALUE)
FIGURES = [FIGURE]
ARTICLE_VALUE = {
    "id": 2801,
    "issue": 179,
    "section": "国策要论",
    "section_slug": "guoce",
    "position": 1,
    "title": "商务部印发《数字商务三年行动计划(2024-2026年)》",
    "body": "<p><strong>一是开展“数商强基”行动</strong>，提出培育创新主体。</p>"
    '<figure data-figure="1"></figure>',
    "source": "商务部",
    "original_url": "http://www.mofcom.gov.cn/article/zwgk/gkgztz/202404/20240403506347.shtml",
    "qr_caption": "扫描二维码可阅读或下载全文",
    "notes": "",
    "wechat_title": "",
    "wechat_digest": "",
    "responsible_editor": "熊灵犀",
    "status": "ready",
    "lock_version": 3,
    "updated_at": "2024-05-04T16:20:00+08:00",
    "figures": [FIGURE_VALUE],
}
ARTICLE = _response("文章", ARTICLE_VALUE)
ARTICLES = [ARTICLE]
ARTICLE_UPDATE = _request("修改来源", {"source": "商务部电子商务和信息化司"})
ARTICLE_ACTION = _request("定稿", {"name": "mark_ready"})
ISSUE_VALUE = {
    "id": 179,
    "publication": "dsjfzdt",
    "date": "2024-05-06",
    "number": 16,
    "total_number": 179,
    "revision": 1,
    "corrects": None,
    "status": "published",
    "cover_headline": "《数字经济2024年工作要点》",
    "scheduled_at": None,
    "published_at": "2024-05-06T08:00:00+08:00",
    "lock_version": 12,
    "updated_at": "2024-05-06T08:00:00+08:00",
    "article_count": 16,
}
ISSUES = [_response("2024年第16期", ISSUE_VALUE)]
ISSUE_DETAIL = _response(
    "2024年第16期（刊本）",
    {
        **ISSUE_VALUE,
        "title": "大数据发展动态 2024年第16期（总第179期）",
        "fingerprint": "b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78",
        "notice": "声明：本信息产品为内部交流学习资料。",
        "sections": [
            {
                "slug": "guoce",
                "name": "国策要论",
                "articles": [
                    {
                        key: ARTICLE_VALUE[key]
                        for key in (
                            "id",
                            "title",
                            "body",
                            "source",
                            "original_url",
                            "qr_caption",
                            "notes",
                            "responsible_editor",
                            "wechat_title",
                            "wechat_digest",
                        )
                    }
                    | {
                        "figures": [
                            {
                                "number": 1,
                                "caption": FIGURE_VALUE["caption"],
                                "image_url": FIGURE_VALUE["image_url"],
                            }
                        ]
                    }
                ],
            }
        ],
    },
)
ISSUE_UPDATE = _request("修改封面要闻", {"cover_headline": "《数字经济2024年工作要点》"})
ISSUE_ACTION = _request("退回修改", {"comment": "第二段数据需核实"})
AVAILABLE_ACTIONS = _response("执行编辑，审核中", {"actions": ["withdraw"]})
PREFLIGHT = _response(
    "检查项",
    {"level": "error", "code": "not_ready", "message": "文章尚未定稿。", "article_id": 2801},
)
ERROR = _response(
    "错误",
    {
        "code": "invalid",
        "message": "original_url：请输入合法的URL。",
        "fields": {"original_url": ["请输入合法的URL。"]},
    },
)
SUBSCRIBER_VALUE = {
    "id": 7,
    "email": "reader@example.cn",
    "name": "王敏",
    "organisation": "国家信息中心",
    "format": "link",
    "status": "confirmed",
    "source": "form",
    "created_at": "2024-04-28T09:12:00+08:00",
    "confirmed_at": "2024-04-28T09:15:00+08:00",
    "unsubscribed_at": None,
    "status_changed_at": "2024-04-28T09:15:00+08:00",
    "erased_at": None,
}
SUBSCRIBERS = [_response("订阅者", SUBSCRIBER_VALUE)]
CONSENT_VALUE = {
    "action": "confirm",
    "at": "2024-04-28T09:15:00+08:00",
    "source": "link",
    "consent_text_version": "2024-04",
    "detail": "",
}
SUBSCRIBER_DETAIL = _response("订阅者及同意记录", {**SUBSCRIBER_VALUE, "consents": [CONSENT_VALUE]})
SUBSCRIBER_UNSUBSCRIBED = _response(
    "已退订",
    {
        **SUBSCRIBER_VALUE,
        "status": "unsubscribed",
        "unsubscribed_at": "2024-05-10T10:00:00+08:00",
        "status_changed_at": "2024-05-10T10:00:00+08:00",
        "consents": [
            CONSENT_VALUE,
            {
                **CONSENT_VALUE,
                "action": "unsubscribe",
                "source": "admin",
                "at": "2024-05-10T10:00:00+08:00",
            },
        ],
    },
)
SUBSCRIBER_ERASED = _response(
    "个人数据已删除",
    {
        **SUBSCRIBER_VALUE,
        "email": "",
        "name": "",
        "organisation": "",
        "status": "unsubscribed",
        "unsubscribed_at": "2024-05-10T10:00:00+08:00",
        "status_changed_at": "2024-05-10T10:00:00+08:00",
        "erased_at": "2024-05-10T10:00:00+08:00",
        "consents": [
            CONSENT_VALUE,
            {
                **CONSENT_VALUE,
                "action": "erase",
                "source": "admin",
                "at": "2024-05-10T10:00:00+08:00",
            },
        ],
    },
)
SUBSCRIBER_EXPORT = _response(
    "订阅者的全部数据",
    {
        "subscriber": SUBSCRIBER_VALUE,
        "consents": [{**CONSENT_VALUE, "ip": "203.0.113.7", "user_agent": "Mozilla/5.0"}],
    },
)
MAILING_VALUE = {
    "id": 3,
    "issue": 179,
    "edition_fingerprint": "b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78",
    "recipients": 412,
    "paused": False,
    "created_at": "2024-05-06T08:00:00+08:00",
    "counts": {
        "queued": 0,
        "sending": 0,
        "sent": 405,
        "failed": 2,
        "uncertain": 1,
        "skipped": 4,
        "closed": 0,
    },
}
MAILINGS = [_response("2024年第16期的邮件投递", MAILING_VALUE)]
MAILING_DETAIL_VALUE = {
    **MAILING_VALUE,
    "problems": [
        {
            "id": 5120,
            "subscriber": 7,
            "status": "failed",
            "attempts": 1,
            "error": "邮件服务器拒绝：552 Mailbox full",
            "sent_at": None,
        }
    ],
}
MAILING_DETAIL = _response("投递及失败的记录", MAILING_DETAIL_VALUE)
MAILING_PAUSED = _response("已暂停", {**MAILING_DETAIL_VALUE, "paused": True})
DELIVERY_IDS = _request("所选投递记录", {"delivery_ids": [5120]})
DELIVERY_COUNT = _response("处理了 1 条", {"count": 1})
