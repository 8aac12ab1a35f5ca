"""The print edition's HTML and its refusals, on small issues built with factories.

These run without laying out a PDF (except where WeasyPrint itself must meet a broken image), so
they pin the content rules cheaply; the PDF as a whole is checked in test_sample_pdf.py.
"""

import datetime
import hashlib
import io
import re
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageFile

from editorial.editions import Edition
from editorial.models import Figure, Issue, MastheadOrganisation
from editorial.rendering import RenderError
from editorial.rendering import qr as qr_module
from editorial.rendering.assets import AssetStore
from editorial.rendering.fonts import font_config
from editorial.rendering.print import (
    StorageFetcher,
    css_string,
    quote_breaks,
    render_issue_html,
    render_issue_pdf,
)
from editorial.selectors import issue_edition
from editorial.workflow import IssueStatus, needs_proof
from tests import factories

pytestmark = pytest.mark.django_db


def untagged(html: str) -> str:
    """The text of ``html``: the no-break spans of the typography rules (typography.py) removed."""
    return re.sub(r"<[^>]+>", "", html)


def make_issue(
    *, phone: str = "0851-86798090", fax: str = "0851-86798090", **article: Any
) -> Issue:
    """An issue of 大数据发展动态 with one article (``article`` overrides its fields)."""
    publication = factories.PublicationFactory.create(
        slug="dsjfzdt",
        name="大数据发展动态",
        phone=phone,
        fax=fax,
        email="GIDI2018@163.com",
        address="贵阳市观山湖区长岭南路160号高科一号",
    )
    notice = factories.CopyrightNoticeFactory.create(publication=publication, text="声明: 测试。")
    issue = factories.IssueFactory.create(
        publication=publication,
        notice=notice,
        date=datetime.date(2024, 5, 6),
        number=16,
        total_number=179,
        cover_headline="国家数据局综合司印发\n《数字经济2024年工作要点》",
    )
    chief = factories.OrganisationFactory.create(
        name="贵阳智能大数据战略研究院",
        name_en="Guiyang Artificial Intelligence and Big Data Strategy Institute",
        acronym="GIDI",
        profile="<p>研究院简介。</p>",
    )
    MastheadOrganisation.objects.create(issue=issue, role="chief_editor", organisation=chief)
    factories.ArticleFactory.create(issue=issue, **{"title": "测试文章", **article})
    return issue


def load(issue: Issue) -> Edition:
    return issue_edition(issue.pk)


def html_of(issue: Issue, *, proof: bool = False) -> str:
    return render_issue_html(load(issue), proof=proof)


def png_with_bad_pixels() -> bytes:
    """A PNG whose chunks and CRCs are intact but whose compressed pixels are garbage."""
    data = bytearray(factories.png_bytes(width=64, height=48))
    start = data.index(b"IDAT") + 4
    length = int.from_bytes(data[start - 8 : start - 4], "big")
    data[start + 2 : start + length] = bytes(length - 2)  # keep the zlib header, zero the rest
    crc = zlib.crc32(bytes(data[start - 4 : start + length]))
    data[start + length : start + length + 4] = crc.to_bytes(4, "big")
    return bytes(data)


def overwrite(figure: Figure, data: bytes) -> None:
    """A figure whose stored file is ``data``: broken in storage as it was when saved (its
    checksum names these bytes), so the decoding checks are what finds it."""
    Path(figure.image.path).write_bytes(data)
    Figure.objects.filter(pk=figure.pk).update(image_checksum=hashlib.sha256(data).hexdigest())


# ---------- the document ----------


def test_head_carries_the_pdf_metadata() -> None:
    html = html_of(make_issue())
    assert '<html lang="zh-CN">' in html
    assert "<title>大数据发展动态 2024年第16期（总第179期）</title>" in html
    assert '<meta name="author" content="贵阳智能大数据战略研究院">' in html
    assert (
        '<meta name="description" content="国家数据局综合司印发 《数字经济2024年工作要点》">'
        in html
    )
    assert '<meta name="dcterms.created" content="2024-05-06">' in html
    assert '<meta name="dcterms.modified" content="2024-05-06">' in html


def test_cover_headline_keeps_its_line_break() -> None:
    html = html_of(make_issue())
    assert "国家数据局综合司印发<br>" in html
    assert "《数字经济\u20052024\u2005年工作要点》" in html  # one atom, quarter-em gaps
    assert "2024年5月6日" in html and "第16期 总第179期" in html


def test_proof_mark_only_in_proofs() -> None:
    issue = make_issue()
    assert "样稿" in html_of(issue, proof=True)
    assert "样稿" not in html_of(issue, proof=False)


@pytest.mark.parametrize(
    ("status", "proof"),
    [
        (IssueStatus.DRAFT, True),
        (IssueStatus.IN_EDIT, True),
        (IssueStatus.IN_REVIEW, True),
        (IssueStatus.APPROVED, False),
        (IssueStatus.SCHEDULED, False),
        (IssueStatus.PUBLISHED, False),
        (IssueStatus.SUPERSEDED, False),
    ],
)
def test_needs_proof_until_approved(status: str, proof: bool) -> None:
    assert needs_proof(Issue(status=status)) is proof


def test_rendering_makes_no_queries(django_assert_num_queries: Any) -> None:
    issue = make_issue()
    factories.FigureFactory.create(article=issue.articles.get(), number=1)
    loaded = load(issue)
    with django_assert_num_queries(0):
        render_issue_html(loaded, proof=True)


def test_text_is_escaped() -> None:
    html = html_of(make_issue(title="<script>alert(1)</script>", source="A&B"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "（来源：A&amp;B）" in html


# ---------- articles ----------


def test_figures_replace_their_markers_and_the_rest_follow_the_body() -> None:
    issue = make_issue(body='<p>甲段。</p><figure data-figure="2"></figure><p>乙段。</p>')
    article = issue.articles.get()
    factories.FigureFactory.create(article=article, number=1, caption="未放置的图")
    factories.FigureFactory.create(article=article, number=2, caption="放置的图")
    html = html_of(issue)
    assert 'data-figure="' not in html
    assert html.index("甲段") < html.index("图 2</span>放置的图") < html.index("乙段")
    assert html.index("乙段") < html.index("图 1</span>未放置的图")
    assert html.count('<figure class="figure"') == 2


def test_a_marker_without_its_figure_is_refused() -> None:
    issue = make_issue(body='<p>正文。</p><figure data-figure="3"></figure>')
    with pytest.raises(RenderError, match="《测试文章》：正文放置了图 3，但没有这张图"):
        html_of(issue)


@pytest.mark.parametrize("body", ["", "<p> </p>", "<p><br></p>"])
def test_an_empty_body_is_refused(body: str) -> None:
    with pytest.raises(RenderError, match="《测试文章》：正文为空"):
        html_of(make_issue(body=body))


def test_an_issue_without_articles_is_refused() -> None:
    issue = make_issue()
    issue.articles.all().delete()
    with pytest.raises(RenderError, match="本期没有文章"):
        html_of(issue)


def test_notes_and_source_follow_the_body() -> None:
    html = html_of(make_issue(notes="<p>注：数据来自统计局。</p>", source="国家数据局"))
    assert (
        untagged(html).index("正文段落")
        < untagged(html).index("注：数据来自统计局")
        < untagged(html).index("（来源：国家数据局）")
    )


def test_a_link_number_is_bound_to_the_link_text() -> None:
    body = '<p>详见<a href="https://example.org/a">《白皮书》</a>和<a href="https://example.org/b">R&amp;D</a>。</p>'
    html = html_of(make_issue(body=body))
    assert '《白皮书<span class="nobr">》<sup class="link-mark">[1]</sup></span>' in html
    assert 'R&amp;<span class="nobr">D<sup class="link-mark">[2]</sup></span>' in html


def test_original_link_prints_qr_caption_and_the_whole_url() -> None:
    url = "https://gxt.hebei.gov.cn/hbgyhxxht/xwzx32/tzgg83/958590/index.html"
    html = html_of(make_issue(original_url=url, qr_caption="扫描二维码可阅读英文原文"))
    assert '<svg viewBox="0 0 ' in html and 'class="qr"' in html
    assert '<p class="qr-caption">扫描二维码可阅读英文原文</p>' in html
    printed = html.replace("\u200b", "")  # break opportunities after the URL's separators
    assert f'原文链接：<span class="url">{url}</span>' in printed
    assert "https://gxt.\u200bhebei.\u200bgov.\u200bcn/\u200bhbgyhxxht/" in html


def test_no_link_no_qr() -> None:
    html = html_of(make_issue())
    assert "<svg" not in html and "原文链接" not in html


def test_a_qr_code_is_made_once_per_link(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    make = qr_module.segno.make

    def counting_make(data: str, **kwargs: Any) -> Any:
        calls.append(data)
        return make(data, **kwargs)

    monkeypatch.setattr(qr_module.segno, "make", counting_make)
    qr_module.qr_svg.cache_clear()
    url = "https://mp.weixin.qq.com/s/MefZWRhpODFg9UVedQ2OTQ"
    issue = make_issue(original_url=url, qr_caption="扫描二维码可阅读或下载全文")
    factories.ArticleFactory.create(
        issue=issue,
        section=issue.articles.get().section,
        original_url=url,
        qr_caption="扫描二维码可阅读或下载全文",
    )
    html_of(issue)
    html_of(issue, proof=True)
    assert calls == [url]


def test_chinese_quotes_may_break_from_the_text_around_them() -> None:
    assert quote_breaks("<p>推动“数据二十条”落地</p>") == "<p>推动\u200b“数据二十条”\u200b落地</p>"
    assert quote_breaks("“开头”，结尾。") == "“开头”，结尾。"  # nothing before, punctuation after
    assert quote_breaks('<a title="“x”">don’t</a>') == '<a title="“x”">don’t</a>'


# ---------- colophon and profiles ----------


def test_fax_equal_to_phone_is_marked_on_the_phone_line() -> None:
    html = html_of(make_issue(phone="0851-86798090", fax="0851-86798090"))
    assert "0851-86798090 (传真)" in html
    assert "传 真" not in html


def test_a_different_fax_gets_its_own_line() -> None:
    html = html_of(make_issue(phone="0851-86798090", fax="0851-86798091"))
    assert "<td>0851-86798090</td>" in html
    assert '<span class="label">传 真</span></th>\n        <td>0851-86798091</td>' in html


def test_masthead_follows_role_then_position_and_pinned_notice() -> None:
    issue = make_issue()
    second = factories.OrganisationFactory.create(name="贵安新区大数据和科技创新局")
    first = factories.OrganisationFactory.create(name="贵阳市大数据发展管理局")
    MastheadOrganisation.objects.create(
        issue=issue, role="guiding_unit", organisation=second, position=2
    )
    MastheadOrganisation.objects.create(
        issue=issue, role="guiding_unit", organisation=first, position=1
    )
    for position, name in [(2, "程茹"), (1, "宋希贤")]:
        issue.masthead_members.create(
            role="board_member",
            person=factories.PersonFactory.create(name=name),
            position=position,
        )
    html = html_of(issue)
    assert (
        html.index("指导单位")
        < html.index("贵阳市大数据发展管理局")
        < html.index("贵安新区大数据和科技创新局")
        < html.index("主 编")
        < html.index("编 委 会")
        < html.index("宋希贤")
        < html.index("程 茹")  # two-character names are spread to the width of three
    )
    assert "声明: 测试。" in untagged(html)


def test_profiles_of_chief_and_co_editors_that_have_one() -> None:
    issue = make_issue()
    co = factories.OrganisationFactory.create(
        name="贵州省大数据发展促进会", acronym="GZBDDPA", profile="<p>促进会简介。</p>"
    )
    silent = factories.OrganisationFactory.create(name="无简介的联合主编")
    guiding = factories.OrganisationFactory.create(name="指导单位甲", profile="<p>不印。</p>")
    MastheadOrganisation.objects.create(issue=issue, role="co_editor", organisation=co)
    MastheadOrganisation.objects.create(issue=issue, role="co_editor", organisation=silent)
    MastheadOrganisation.objects.create(issue=issue, role="guiding_unit", organisation=guiding)
    html = html_of(issue)
    profiles = untagged(html[html.index(">主编简介</h1>") :])
    assert profiles.index("研究院简介") < profiles.index("促进会简介")
    assert "Guiyang Artificial Intelligence and Big Data Strategy Institute, GIDI" in profiles
    assert '<p class="profile-english">GZBDDPA</p>' in html
    assert "无简介的联合主编" not in profiles and "不印" not in profiles


# ---------- images ----------


@pytest.mark.parametrize(
    "data",
    [
        b"this is not an image",
        factories.png_bytes()[:-40],  # truncated
    ],
    ids=["garbage", "truncated-png"],
)
def test_a_broken_figure_names_article_and_figure(data: bytes) -> None:
    issue = make_issue(body='<p>正文。</p><figure data-figure="2"></figure>')
    article = issue.articles.get()
    factories.FigureFactory.create(article=article, number=2)
    overwrite(article.figures.get(), data)
    with pytest.raises(RenderError, match=r"《测试文章》：图 2 图片无法读取"):
        html_of(issue)


def test_a_figure_replaced_in_storage_since_it_was_saved_is_refused() -> None:
    issue = make_issue(body='<p>正文。</p><figure data-figure="1"></figure>')
    figure = factories.FigureFactory.create(article=issue.articles.get(), number=1)
    Path(figure.image.path).write_bytes(factories.png_bytes(color="red"))
    with pytest.raises(RenderError, match=r"《测试文章》：图 1 图片已被替换"):
        html_of(issue)


def test_a_missing_figure_file_names_article_and_figure() -> None:
    issue = make_issue()
    figure = factories.FigureFactory.create(article=issue.articles.get(), number=1)
    figure.image.storage.delete(figure.image.name)
    with pytest.raises(RenderError, match=r"《测试文章》：图 1 图片无法读取"):
        html_of(issue)


def test_a_truncated_jpeg_cover_is_refused() -> None:
    issue = make_issue()
    buffer = io.BytesIO()
    Image.effect_noise((200, 150), 60).convert("RGB").save(buffer, format="JPEG")
    issue.cover_image.save("cover.jpg", ContentFile(buffer.getvalue()[:-400]))
    with pytest.raises(RenderError, match="封面图片 图片无法读取"):
        html_of(issue)


def test_pixels_that_only_fail_in_weasyprint_still_name_the_figure() -> None:
    issue = make_issue()
    figure = factories.FigureFactory.create(article=issue.articles.get(), number=1)
    overwrite(figure, png_with_bad_pixels())
    html_of(issue)  # its structure is sound: only decoding the pixels shows the damage
    with pytest.raises(RenderError, match=r"《测试文章》：图 1 图片无法读取"):
        render_issue_pdf(load(issue), proof=False)


def test_importing_the_renderer_keeps_pillow_strict_about_truncated_files() -> None:
    """WeasyPrint turns LOAD_TRUNCATED_IMAGES on for the whole process; the renderer undoes it."""
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_identical_images_are_loaded_once() -> None:
    issue = make_issue()
    article = issue.articles.get()
    factories.FigureFactory.create(article=article, number=1)
    factories.FigureFactory.create(article=article, number=2)
    first, second = load(issue).articles[0].figures
    assert first.image and second.image and first.image.name != second.image.name
    store = AssetStore()
    assert store.add(first.image, "a") == store.add(second.image, "b")
    assert len(store) == 1


def test_the_fetcher_serves_only_this_editions_images() -> None:
    fetcher = StorageFetcher(AssetStore())
    for url in ("file:///etc/passwd", "https://example.org/x.png", "digest-media:/unknown"):
        with pytest.raises(ValueError):  # noqa: PT011 - any refusal will do
            fetcher.fetch(url)


# ---------- process-wide resources ----------


def test_font_configuration_is_made_once_per_thread() -> None:
    assert font_config() is font_config()
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(font_config()))
    thread.start()
    thread.join()
    assert other[0] is not font_config()


def test_css_strings_cannot_leave_the_style_element() -> None:
    assert css_string("大数据发展动态") == '"大数据发展动态"'
    assert css_string('a"b</style>') == '"a\\22 b\\3c /style\\3e "'
