"""Typed factory_boy factories for the domain model."""

import datetime
import hashlib
import io

import factory
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from editorial import models


def png_bytes(width: int = 40, height: int = 30, color: str = "steelblue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def png_file(name: str = "figure.png", **kwargs: object) -> ContentFile:
    return ContentFile(png_bytes(**kwargs), name=name)  # type: ignore[arg-type]


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass-word-123")
    is_active = True


class PublicationFactory(factory.django.DjangoModelFactory[models.Publication]):
    class Meta:
        model = models.Publication
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"pub{n}")
    name = factory.Sequence(lambda n: f"刊物{n}")
    tagline = "为数字创新领导者提供更新、更重要、更有用的决策参考信息"
    slogan = "以战略视角解读数字中国"
    email = "editor@example.org"


class SectionFactory(factory.django.DjangoModelFactory[models.Section]):
    class Meta:
        model = models.Section

    publication = factory.SubFactory(PublicationFactory)
    slug = factory.Sequence(lambda n: f"section{n}")
    name = factory.Sequence(lambda n: f"栏目{n}")
    position = factory.Sequence(lambda n: n)


class CopyrightNoticeFactory(factory.django.DjangoModelFactory[models.CopyrightNotice]):
    class Meta:
        model = models.CopyrightNotice

    publication = factory.SubFactory(PublicationFactory)
    version = factory.Sequence(lambda n: n + 1)
    text = "声明: 本信息产品为内部交流学习资料。"


class OrganisationFactory(factory.django.DjangoModelFactory[models.Organisation]):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"机构{n}")


class PersonFactory(factory.django.DjangoModelFactory[models.Person]):
    class Meta:
        model = models.Person

    name = factory.Sequence(lambda n: f"编辑{n}")


class IssueFactory(factory.django.DjangoModelFactory[models.Issue]):
    class Meta:
        model = models.Issue

    publication = factory.SubFactory(PublicationFactory)
    number = factory.Sequence(lambda n: n + 1)
    total_number = factory.Sequence(lambda n: n + 100)
    date = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=7 * n))
    cover_headline = "封面要闻"


class ArticleFactory(factory.django.DjangoModelFactory[models.Article]):
    class Meta:
        model = models.Article

    issue = factory.SubFactory(IssueFactory)
    section = factory.SubFactory(
        SectionFactory, publication=factory.SelfAttribute("..issue.publication")
    )
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"文章标题{n}")
    body = "<p><strong>一是</strong>正文段落。</p>"
    source = "国家数据局"


class FigureFactory(factory.django.DjangoModelFactory[models.Figure]):
    class Meta:
        model = models.Figure

    article = factory.SubFactory(ArticleFactory)
    number = factory.Sequence(lambda n: n + 1)
    caption = factory.Sequence(lambda n: f"图题{n}")
    image = factory.LazyFunction(png_file)


class SubscriberFactory(factory.django.DjangoModelFactory[models.Subscriber]):
    """A confirmed subscriber (``status=`` for another; the services change it in the tests)."""

    class Meta:
        model = models.Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.cn")
    email_hash = factory.LazyAttribute(
        lambda s: hashlib.sha256(s.email.lower().encode()).hexdigest()
    )
    name = factory.Sequence(lambda n: f"读者{n}")
    organisation = "国家信息中心"
    status = models.SubscriberStatus.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
