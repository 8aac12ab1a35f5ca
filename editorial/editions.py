"""The Edition (刊本): one immutable, channel-neutral read of an issue revision.

Every channel renders an Edition and nothing else: the print edition, the WeChat articles, the
public archive, the bundle writer (and the e-mail edition and reading site to come). A renderer
that needs a field adds it here — to the dataclass and to ``edition_build`` — and nowhere else.

The Edition's **fingerprint** is the SHA-256 of its canonical serialisation: every field that
any channel shows, and nothing else. Fields that only locate or identify something (a row's id,
the storage name of an image whose bytes the checksum stands for) are marked ``locator`` and
left out; a test proves that changing them changes no output. The board approves a fingerprint
(docs/decisions/0009-approval-bound-to-the-edition.md); when an issue is approved its Edition is
stored (``ApprovedEdition``) and every later output is rendered from the stored one, so renaming
a person, an organisation or a section afterwards changes nothing a signed-off issue shows.

    edition = selectors.issue_edition(issue_id)   # live, or the stored one once signed off
    edition.fingerprint                            # what an approval approves
    edition_to_data(edition) / edition_from_data(data)   # the stored JSON form
"""

import dataclasses
import datetime
import hashlib
import json
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from editorial.models.articles import QR_CAPTION_CODES
from editorial.models.issues import (
    OrganisationRole,
    PersonRole,
    issue_label,
    issue_label_total,
    issue_title,
)

# Bump when the serialisation changes meaning: stored Editions keep the version they were made
# with, and fingerprints of different versions never compare equal.
EDITION_FORMAT = 1

# Captions that were codes when they were first fingerprinted (editorial/migrations/0011) count
# as those codes, so that the same line beside a QR code keeps content signed off before signed.
_FINGERPRINTED_CAPTIONS = {text: code for code, text in QR_CAPTION_CODES.items()}

# The masthead's roles in printed order.
ORGANISATION_ROLE_ORDER: tuple[str, ...] = tuple(OrganisationRole.values)
PERSON_ROLE_ORDER: tuple[str, ...] = tuple(PersonRole.values)


def locator(**kwargs: Any) -> Any:
    """A field that locates or identifies, shows nothing, and stays out of the fingerprint."""
    return field(metadata={"locator": True}, **kwargs)


@dataclass(frozen=True)
class EditionImage:
    """An image by the SHA-256 of its bytes; ``name`` is where storage keeps them."""

    checksum: str
    name: str = locator()

    @property
    def suffix(self) -> str:
        """The file's extension as stored (``.png``), lower case."""
        base = self.name.rsplit("/", 1)[-1]
        return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


@dataclass(frozen=True)
class EditionPublication:
    slug: str
    name: str
    tagline: str
    slogan: str
    frequency: str
    phone: str
    fax: str
    email: str
    address: str
    wechat_account_name: str
    wechat_caption: str
    wechat_qr: EditionImage | None


@dataclass(frozen=True)
class EditionOrganisation:
    name: str
    name_en: str
    acronym: str
    logo: EditionImage | None
    profile: str  # sanitized HTML, "" when none


@dataclass(frozen=True)
class EditionMastheadOrganisation:
    role: str  # OrganisationRole value
    organisation: EditionOrganisation


@dataclass(frozen=True)
class EditionMastheadPerson:
    role: str  # PersonRole value
    name: str


@dataclass(frozen=True)
class EditionSection:
    slug: str
    name: str


@dataclass(frozen=True)
class EditionFigure:
    number: int
    caption: str
    image: EditionImage | None


@dataclass(frozen=True)
class EditionArticle:
    section: EditionSection
    title: str
    body: str  # sanitized HTML with figure markers
    source: str
    original_url: str
    qr_caption: str  # the line beside the QR code, "" without an original link
    notes: str  # sanitized HTML, "" when none
    responsible_editor: str  # the person's name, "" when none
    wechat_title: str  # as the editor set it, "" for the proposal
    wechat_digest: str  # as the editor set it, "" for the proposal
    figures: tuple[EditionFigure, ...]
    id: int | None = locator(default=None)  # Article.pk of the revision it was read from


@dataclass(frozen=True)
class Edition:
    """What one issue revision shows, in every channel's terms."""

    publication: EditionPublication
    date: datetime.date
    number: int
    total_number: int
    revision: int
    cover_headline: str
    cover_image: EditionImage | None
    notice: str  # the pinned 声明's text, "" when none
    masthead_organisations: tuple[EditionMastheadOrganisation, ...]  # printed order
    masthead_people: tuple[EditionMastheadPerson, ...]  # printed order
    articles: tuple[EditionArticle, ...]  # reading order
    format: int = EDITION_FORMAT
    issue_id: int | None = locator(default=None)

    # Names and labels, as the issue's own properties give them (models/issues.py).

    @property
    def label_total(self) -> str:
        return issue_label_total(self.total_number, self.revision)

    @property
    def label(self) -> str:
        return issue_label(self.number, self.label_total)

    @property
    def title(self) -> str:
        """ "大数据发展动态 2024年第16期（总第179期）", as ``str(issue)``."""
        return issue_title(self.publication.name, self.date.year, self.number, self.label_total)

    @property
    def date_label(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    @property
    def cover_headline_lines(self) -> list[str]:
        return [line.strip() for line in self.cover_headline.splitlines() if line.strip()]

    def organisations_in(self, role: str) -> list[EditionOrganisation]:
        return [row.organisation for row in self.masthead_organisations if row.role == role]

    def people_in(self, role: str) -> list[str]:
        return [row.name for row in self.masthead_people if row.role == role]

    @property
    def organisations(self) -> list[EditionOrganisation]:
        """The masthead's organisations once each, in printed order."""
        seen: dict[str, EditionOrganisation] = {}
        for row in self.masthead_organisations:
            seen.setdefault(row.organisation.name, row.organisation)
        return list(seen.values())

    @property
    def sections(self) -> list[EditionSection]:
        """The sections the articles use, once each, in reading order."""
        return list(dict.fromkeys(article.section for article in self.articles))

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of everything any channel shows (the canonical serialisation)."""
        shown = _plain(self, shown_only=True)
        for article in shown["articles"]:
            caption = article["qr_caption"]
            article["qr_caption"] = _FINGERPRINTED_CAPTIONS.get(caption, caption)
        canonical = json.dumps(
            shown,
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# The article fields that are plain text held under the same name by ``Article``: the builder,
# the bundle writer and the bundle importer copy each of them by name, so a new one needs no code.
def _plain_fields(cls: type, *, besides: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The text fields of ``cls`` held under the same name by its model."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.type is str and f.name not in besides)


ARTICLE_PLAIN_FIELDS = _plain_fields(
    EditionArticle, besides=frozenset({"body", "notes", "responsible_editor"})
)


# Building from the domain model -----------------------------------------------------------------


def edition_build(issue: Any) -> Edition:
    """The Edition of an issue loaded with ``selectors.ISSUE_EDITION_PREFETCH`` (no queries).

    Plain attribute reads only, so that a data migration can build one from historical models.
    """
    publication = issue.publication
    organisation_rows = sorted(
        issue.masthead_organisations.all(),
        key=lambda r: (ORGANISATION_ROLE_ORDER.index(r.role), r.position, r.pk),
    )
    person_rows = sorted(
        issue.masthead_members.all(),
        key=lambda r: (PERSON_ROLE_ORDER.index(r.role), r.position, r.pk),
    )
    return Edition(
        issue_id=issue.pk,
        publication=EditionPublication(
            **{name: getattr(publication, name) for name in _plain_fields(EditionPublication)},
            wechat_qr=_image(publication.wechat_qr, publication.wechat_qr_checksum),
        ),
        date=issue.date,
        number=issue.number,
        total_number=issue.total_number,
        revision=issue.revision,
        cover_headline=issue.cover_headline,
        cover_image=_image(issue.cover_image, issue.cover_image_checksum),
        notice=issue.notice.text if issue.notice else "",
        masthead_organisations=tuple(
            EditionMastheadOrganisation(role=row.role, organisation=_organisation(row.organisation))
            for row in organisation_rows
        ),
        masthead_people=tuple(
            EditionMastheadPerson(role=row.role, name=row.person.name) for row in person_rows
        ),
        articles=tuple(edition_article(article) for article in issue.articles.all()),
    )


def _image(file: Any, checksum: str) -> EditionImage | None:
    if not file:
        return None
    return EditionImage(checksum=checksum, name=file.name)


def _organisation(org: Any) -> EditionOrganisation:
    return EditionOrganisation(
        name=org.name,
        name_en=org.name_en,
        acronym=org.acronym,
        logo=_image(org.logo, org.logo_checksum),
        profile=org.profile or "",
    )


def edition_article(article: Any) -> EditionArticle:
    """One article as the Edition holds it (loaded with its section, editor and figures)."""
    editor = article.responsible_editor
    return EditionArticle(
        id=article.pk,
        section=EditionSection(slug=article.section.slug, name=article.section.name),
        body=article.body or "",
        notes=article.notes or "",
        responsible_editor=editor.name if editor else "",
        **{name: getattr(article, name) for name in ARTICLE_PLAIN_FIELDS},
        figures=tuple(
            EditionFigure(
                number=figure.number,
                caption=figure.caption,
                image=_image(figure.image, figure.image_checksum),
            )
            for figure in article.figures.all()
        ),
    )


# The stored form ---------------------------------------------------------------------------------


def edition_to_data(edition: Edition) -> dict[str, Any]:
    """The Edition as JSON-compatible data, locators included (for ``ApprovedEdition.data``)."""
    data: dict[str, Any] = _plain(edition, shown_only=False)
    return data


def edition_from_data(data: dict[str, Any]) -> Edition:
    """The Edition stored by ``edition_to_data``; its fingerprint is the one stored with it."""
    edition: Edition = _decoder(Edition)(data)
    return edition


def edition_fields(cls: type, *, shown_only: bool) -> list[dataclasses.Field[Any]]:
    """The dataclass fields of ``cls`` (without locators when ``shown_only``)."""
    return [f for f in dataclasses.fields(cls) if not (shown_only and f.metadata.get("locator"))]


def _plain(value: Any, *, shown_only: bool) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name), shown_only=shown_only)
            for f in edition_fields(type(value), shown_only=shown_only)
        }
    if isinstance(value, tuple | list):
        return [_plain(item, shown_only=shown_only) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _same(value: Any) -> Any:
    return value


@cache
def _decoder(hint: Any) -> Callable[[Any], Any]:
    """What turns a value of ``_plain`` back into the type ``hint`` describes, made once per
    type: an API read decodes an Edition of some 400 values on every request."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        decode_inner = _decoder(inner)
        return lambda value: None if value is None else decode_inner(value)
    if origin is tuple:
        decode_item = _decoder(typing.get_args(hint)[0])
        return lambda value: tuple(decode_item(v) for v in value)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        decoders = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(hint)}
        build: Any = hint
        return lambda value: build(**{k: decoders[k](v) for k, v in value.items() if k in decoders})
    if hint is datetime.date:
        return datetime.date.fromisoformat
    return _same


def edition_classes() -> Iterable[type]:
    """Every dataclass an Edition is made of (for the tests that trace what renderers read)."""
    return (
        Edition,
        EditionPublication,
        EditionImage,
        EditionOrganisation,
        EditionMastheadOrganisation,
        EditionMastheadPerson,
        EditionSection,
        EditionArticle,
        EditionFigure,
    )
