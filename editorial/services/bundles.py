"""Importing an issue bundle: validate everything first, then save it all in one transaction."""

import datetime
import logging
from pathlib import Path
from typing import Any

import reversion
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from editorial.bundles import Bundle, BundleError, BundleInvalid, read_bundle, write_bundle
from editorial.bundles.format import (
    ORGANISATION_ROLES,
    ORGANISATION_TEXT_FIELDS,
    PERSON_ROLES,
    PUBLICATION_TEXT_FIELDS,
)
from editorial.editions import ARTICLE_PLAIN_FIELDS, Edition
from editorial.models import (
    Article,
    CopyrightNotice,
    Figure,
    Issue,
    MastheadMember,
    MastheadOrganisation,
    Organisation,
    Person,
    Publication,
    Section,
)
from editorial.rendering.assets import read_image
from editorial.selectors import issue_edition

from .audit import audit_record, revision_meta
from .permissions import Actor, require_perm

logger = logging.getLogger(__name__)


def issue_export(*, actor: Actor, issue_id: int, target: Path) -> Edition:
    """Write the issue's Edition (the approved one once signed off) as a bundle at ``target``.

    Raises FileExistsError for a folder that is not empty; RenderError when an image of the
    Edition cannot be read from storage.
    """
    require_perm(actor, "editorial.view_issue")
    edition = issue_edition(issue_id)
    write_bundle(edition, target, read_image=lambda image: read_image(image, "图片"))
    logger.info("exported %s to %s", edition.title, target)
    return edition


def issue_import(*, actor: Actor, source: Path, report: list[str] | None = None) -> Issue:
    """Import the bundle at ``source`` (folder or .zip) as a new issue.

    Raises BundleInvalid naming the file and field of every problem; then nothing is saved.
    Publications, sections, organisations and people that already exist (matched by slug or
    name) are reused as they are. What the sanitizer removed from each rich-text file is
    recorded in the import's audit row and added, one line a file, to ``report``.
    """
    require_perm(actor, "editorial.add_issue")
    bundle = read_bundle(source)
    importer = _Importer(bundle)
    removed = bundle.sanitizer_report()
    try:
        with transaction.atomic():
            issue = importer.save()
            _record_import(actor, issue, source, removed)
    except BaseException:
        importer.discard_files()
        raise
    logger.info("imported %s from %s (%d articles)", issue, source, issue.articles.count())
    if report is not None:
        report.extend(removed)
    return issue


def _record_import(actor: Actor, issue: Issue, source: Path, removed: list[str]) -> None:
    """The imported issue and its articles start their histories (修订历史) and the audit log,
    which also keeps what the sanitizer removed."""
    what = f"从 {source.name} 导入"
    with reversion.create_revision(atomic=False):
        reversion.add_to_revision(issue)
        for article in issue.articles.all():
            reversion.add_to_revision(article)
        revision_meta(actor, what)
    note = "\n".join([what, *removed])
    audit_record(actor=actor, action="import", obj=issue, note=note)


class _Importer:
    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.manifest: dict[str, Any] = bundle.manifest
        self.stored_files: list[FieldFile] = []

    def attach(self, file: FieldFile, path: str | None) -> None:
        """Store the bundle's image at ``path`` in ``file``; remembered until the import commits."""
        content = self.bundle.image(path)
        if content is not None:
            file.save(content.name or "image", content, save=False)
            self.stored_files.append(file)

    def discard_files(self) -> None:
        """Remove what a failed import stored, so that it leaves nothing behind."""
        for file in self.stored_files:
            if file.name:
                file.storage.delete(file.name)

    def clean_and_save(self, obj: models.Model, field_prefix: str, **names: str) -> None:
        """Validate ``obj`` like a form would and save it, reporting errors in bundle terms.

        A form checks a TextField's max_length but the model's validation does not, so that is
        checked here too (a body, notes, a profile, the cover headline, the notice).
        """
        problems = _text_too_long(obj)
        try:
            obj.full_clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                problems.setdefault(name, []).extend(messages)
        if problems:
            raise BundleInvalid(
                [
                    BundleError(
                        self.bundle.manifest_name,
                        f"{field_prefix}.{names.get(name, name)}"
                        if name != "__all__"
                        else field_prefix,
                        message,
                    )
                    for name, messages in problems.items()
                    for message in messages
                ]
            )
        obj.save()

    def save(self) -> Issue:
        publication = self.publication()
        sections = self.sections(publication)
        issue_data = self.manifest["issue"]
        issue = Issue(
            publication=publication,
            date=datetime.date.fromisoformat(issue_data["date"]),
            number=issue_data["number"],
            total_number=issue_data["total_number"],
            cover_headline=issue_data.get("cover_headline") or "",
            notice=self.notice(publication),
        )
        self.attach(issue.cover_image, issue_data.get("cover_image"))
        self.clean_and_save(issue, "issue")
        self.masthead(issue)
        for i, data in enumerate(self.manifest["articles"]):
            self.article(issue, sections[data["section"]], i, data)
        return issue

    def publication(self) -> Publication:
        data = self.manifest["publication"]
        existing = Publication.objects.filter(slug=data["slug"]).first()
        if existing:
            return existing
        publication = Publication(
            slug=data["slug"],
            name=data["name"],
            **{f: data[f] for f in PUBLICATION_TEXT_FIELDS if data.get(f)},
        )
        if data.get("frequency"):
            publication.frequency = data["frequency"]
        self.attach(publication.wechat_qr, data.get("wechat_qr"))
        self.clean_and_save(publication, "publication")
        return publication

    def sections(self, publication: Publication) -> dict[str, Section]:
        sections = {}
        for i, data in enumerate(self.manifest["sections"]):
            section = Section.objects.filter(publication=publication, slug=data["slug"]).first()
            if section is None:
                section = Section(
                    publication=publication, slug=data["slug"], name=data["name"], position=i
                )
                self.clean_and_save(section, f"sections[{i}]")
            elif section.name != data["name"]:
                raise BundleInvalid(
                    [
                        BundleError(
                            self.bundle.manifest_name,
                            f"sections[{i}].name",
                            f"栏目代号 {data['slug']} 已存在，名称为“{section.name}”，"
                            f"与包中的“{data['name']}”不一致。",
                        )
                    ]
                )
            sections[data["slug"]] = section
        return sections

    def notice(self, publication: Publication) -> CopyrightNotice | None:
        text = (self.manifest.get("notice") or "").strip()
        if not text:
            return None
        notices = CopyrightNotice.objects.filter(publication=publication)
        existing = notices.filter(text=text).order_by("-version").first()
        if existing:
            return existing
        latest = notices.aggregate(v=models.Max("version"))["v"] or 0
        notice = CopyrightNotice(publication=publication, version=latest + 1, text=text)
        self.clean_and_save(notice, "notice", text="")
        return notice

    def organisation(self, name: str) -> Organisation:
        existing = Organisation.objects.filter(name=name).first()
        if existing:
            return existing
        index, data = next(
            (i, o)
            for i, o in enumerate(self.manifest.get("organisations", []))
            if o["name"] == name
        )
        organisation = Organisation(
            name=name,
            profile=self.bundle.rich_text.get(data.get("profile") or "", ""),
            **{f: data[f] for f in ORGANISATION_TEXT_FIELDS if data.get(f)},
        )
        self.attach(organisation.logo, data.get("logo"))
        self.clean_and_save(organisation, f"organisations[{index}]")
        return organisation

    def person(self, name: str, field: str) -> Person:
        existing = Person.objects.filter(name=name).first()
        if existing:
            return existing
        person = Person(name=name)
        self.clean_and_save(person, field)
        return person

    def masthead(self, issue: Issue) -> None:
        masthead = self.manifest.get("masthead", {})
        for key, org_role in ORGANISATION_ROLES.items():
            for position, name in enumerate(masthead.get(key, [])):
                row = MastheadOrganisation(
                    issue=issue,
                    role=org_role,
                    organisation=self.organisation(name),
                    position=position,
                )
                self.clean_and_save(row, f"masthead.{key}[{position}]")
        for key, person_role in PERSON_ROLES.items():
            for position, name in enumerate(masthead.get(key, [])):
                field = f"masthead.{key}[{position}]"
                member = MastheadMember(
                    issue=issue,
                    role=person_role,
                    person=self.person(name, field),
                    position=position,
                )
                self.clean_and_save(member, field)

    def article(self, issue: Issue, section: Section, index: int, data: dict[str, Any]) -> None:
        prefix = f"articles[{index}]"
        editor = data.get("responsible_editor")
        article = Article(
            issue=issue,
            section=section,
            position=index + 1,
            body=self.bundle.rich_text[data["body"]],
            **{name: data.get(name) or "" for name in ARTICLE_PLAIN_FIELDS},
            notes=self.bundle.rich_text.get(data.get("notes") or "", ""),
            responsible_editor=self.person(editor, f"{prefix}.responsible_editor")
            if editor
            else None,
        )
        self.clean_and_save(article, prefix)
        for j, figure_data in enumerate(data.get("figures", [])):
            figure = Figure(
                article=article, number=figure_data["number"], caption=figure_data["caption"]
            )
            self.attach(figure.image, figure_data["image"])
            self.clean_and_save(figure, f"{prefix}.figures[{j}]")


def _text_too_long(obj: models.Model) -> dict[str, list[str]]:
    problems = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(field, models.TextField) and field.max_length and value:
            if len(value) > field.max_length:
                problems[field.name] = [f"过长：{len(value)} 字，上限 {field.max_length} 字。"]
    return problems
