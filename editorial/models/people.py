"""Organisations and people named in mastheads."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from editorial.fields import ChecksummedImageField, RichTextField
from editorial.files import UnguessableName
from editorial.validators import validate_image


class Organisation(models.Model):
    name = models.CharField("中文名称", max_length=100, unique=True)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    acronym = models.CharField("缩写", max_length=20, blank=True)
    logo = ChecksummedImageField(
        "标志",
        upload_to=UnguessableName("organisations/logos"),
        blank=True,
        validators=[validate_image],
        checksum_field="logo_checksum",
    )
    logo_checksum = models.CharField("标志 SHA-256", max_length=64, blank=True, editable=False)
    profile = RichTextField("简介", blank=True, max_length=20000)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone who may hold board roles; a login is optional."""

    name = models.CharField("姓名", max_length=50, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name="登录账号",
    )

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def who(user: "AbstractBaseUser | None") -> str:
    """The name the team knows a login by: its person's name (from the masthead), else the
    login; "系统" for the system.

    Callers that show many select ``<user>__person`` along with the user, so that this reads no
    further row.
    """
    if user is None:
        return "系统"
    try:
        person = user.person  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return user.get_username()
    return person.name if person is not None else user.get_username()
