"""The QR caption becomes text (二维码说明 as printed), no longer one of two codes.

Articles, the Editions kept at sign-off and the article versions django-reversion keeps get the
line each code stood for, so restoring an old version or re-rendering a signed-off issue shows
what it showed before. Fingerprints are unchanged: the Edition counts these two lines as their
old codes (editions._FINGERPRINTED_CAPTIONS). Going back maps other lines to ``full_text``.
"""

import json
from typing import Any

from django.db import migrations, models

CODES = {"full_text": "扫描二维码可阅读或下载全文", "original_file": "扫描二维码可阅读或下载原文件"}
TEXTS = {text: code for code, text in CODES.items()}


def _convert(apps: Any, mapping: Any) -> None:
    Article = apps.get_model("editorial", "Article")
    for article in Article.objects.exclude(qr_caption=""):
        Article.objects.filter(pk=article.pk).update(qr_caption=mapping(article.qr_caption))
    ApprovedEdition = apps.get_model("editorial", "ApprovedEdition")
    for kept in ApprovedEdition.objects.all():
        for article in kept.data.get("articles", []):
            if article.get("qr_caption"):
                article["qr_caption"] = mapping(article["qr_caption"])
        kept.save(update_fields=["data"])
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    article_type = ContentType.objects.filter(app_label="editorial", model="article").first()
    for version in Version.objects.filter(content_type=article_type, format="json"):
        objects = json.loads(version.serialized_data)
        for obj in objects:
            if obj["fields"].get("qr_caption"):
                obj["fields"]["qr_caption"] = mapping(obj["fields"]["qr_caption"])
        version.serialized_data = json.dumps(objects, ensure_ascii=False)
        version.save(update_fields=["serialized_data"])


def codes_to_texts(apps: Any, schema_editor: Any) -> None:
    _convert(apps, lambda caption: CODES.get(caption, caption))


def texts_to_codes(apps: Any, schema_editor: Any) -> None:
    _convert(apps, lambda caption: TEXTS.get(caption, "full_text"))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("editorial", "0010_audit_shared_records"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="qr_caption",
            field=models.CharField(
                blank=True,
                help_text="二维码旁的一行字：可选常用说明，也可自行填写；有原文链接时必填。",
                max_length=40,
                verbose_name="二维码说明",
            ),
        ),
        migrations.RunPython(codes_to_texts, texts_to_codes),
    ]
