"""Editing articles: who may, in which issue states, and never over someone else's newer save."""

from collections.abc import Sequence

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from editorial.models import Article, AuditEntry, Figure, Issue
from editorial.richtext import FIGURE_MARKER, figure_numbers, quoted_title
from editorial.workflow import ARTICLE_TRANSITIONS

from .approvals import issue_content_changed, issue_require_editable
from .audit import audit_record, revision_meta
from .issue_transitions import TransitionRefused, issue_lock
from .permissions import Actor, require_perm
from .policies import article_action_check, article_edit_check


class StaleEdit(ValidationError):
    """A save based on a version someone else has since replaced (an article's or an issue's)."""

    def __init__(self, stored: Article | Issue, last: AuditEntry | None) -> None:
        actor = last.actor if last else None
        who = getattr(actor, "person", None) or actor or "他人"
        when = timezone.localtime(last.created_at if last else stored.updated_at)
        self.changed_by = last.actor if last else None
        self.changed_at = when
        noun, kept = ("这篇文章", "文字") if isinstance(stored, Article) else ("本期", "修改")
        super().__init__(
            f"保存被拒绝：{noun}已被 {who} 于 {when:%Y-%m-%d %H:%M:%S} 修改"
            f"（现为第 {stored.lock_version} 版）。"
            f"您的{kept}仍在表单中，请与最新版本核对合并后再保存。",
            code="stale",
        )


def article_last_change(article: Article) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(article=article, action__in=["update", "revision_restore"])
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def article_check_fresh(
    article: Article, base_version: int | None, *, stored: Article | None = None
) -> None:
    """Refuse a save made from an older version than the stored one (``base_version``);
    ``stored``: the row as this transaction already holds it (no second read)."""
    if base_version is None or article.pk is None:
        return
    if stored is None:
        stored = Article.objects.only("lock_version", "updated_at").get(pk=article.pk)
    if stored.lock_version != base_version:
        raise StaleEdit(stored, article_last_change(stored))


@transaction.atomic
def article_save(
    *,
    actor: Actor,
    article: Article,
    base_version: int | None,
    what: str = "修改文章",
    layout: bool = False,
    figures: Sequence[Figure] = (),
) -> Article:
    """Save an edited (or new) article: permission, issue state, freshness, revision, audit.

    A new article may come with its ``figures`` (images already attached, not yet saved):
    they are saved with it, in its first revision.

    Validation reads nothing twice: the issue is the row locked here, the section and the
    editor the stored row's when unchanged, and the database checks the constraints as it
    writes (with the constraint's own message) — 15 queries, pinned by a test."""
    issue = issue_lock(article.issue_id)
    if figures and article.pk is not None:
        raise ValueError("figures are saved with a new article only")
    known = ["issue"]  # the locked row: it exists
    if article.pk is None:
        require_perm(actor, "editorial.add_article")
        if figures:
            require_perm(actor, "editorial.add_figure")
        issue_require_editable(issue)
    else:
        stored = (
            Article.objects.select_for_update(of=("self",), no_key=True)
            .select_related("section", "responsible_editor")
            .get(pk=article.pk)
        )
        article_edit_check(actor, stored, issue, layout=layout).require(TransitionRefused)
        if layout and not article_edit_check(actor, stored, issue).allowed:
            _require_layout_only(actor, stored, article)
        if stored.issue_id != article.issue_id:
            raise PermissionDenied("文章不能移到另一期。")
        article_check_fresh(article, base_version, stored=stored)
        article.lock_version = stored.lock_version + 1
        # Only article_transition moves the status; never write back the one the caller loaded.
        article.status = stored.status
        for name in ("section", "responsible_editor"):  # unchanged: the stored row's
            if getattr(article, f"{name}_id") == getattr(stored, f"{name}_id"):
                setattr(article, name, getattr(stored, name))
                known.append(name)
        # Figures follow their place in the text; a body that places none leaves them be.
        if figure_numbers(article.body) or figure_numbers(stored.body):
            _renumber_figures(article)
    article.issue = issue
    article.full_clean(exclude=known, validate_constraints=False)
    with reversion.create_revision(atomic=False):
        _save_checked(article)
        for figure in figures:
            figure.article = article
            figure.full_clean()
            figure.save()
        revision_meta(actor, what)
    audit_record(actor=actor, action="update", obj=article, note=what)
    issue_content_changed(actor=actor, issue=issue, what=f"{quoted_title(article.title)}{what}")
    return article


@transaction.atomic
def article_content_changed(*, actor: Actor, article_id: int, what: str) -> Article:
    """After figures or other related rows of an article changed: a revision and the issue told."""
    issue_id = Article.objects.values_list("issue_id", flat=True).get(pk=article_id)
    issue = issue_lock(issue_id)
    article = Article.objects.select_for_update(no_key=True).get(pk=article_id)
    article_edit_check(actor, article, issue, layout=True).require(TransitionRefused)
    article.lock_version += 1
    _renumber_figures(article)
    with reversion.create_revision(atomic=False):
        article.save(update_fields=["body", "lock_version", "updated_at"])
        revision_meta(actor, what)
    audit_record(actor=actor, action="update", obj=article, note=what)
    issue_content_changed(actor=actor, issue=issue, what=f"{quoted_title(article.title)}{what}")
    return article


@transaction.atomic
def figure_add(
    *, actor: Actor, article_id: int, base_version: int | None, caption: str, image: UploadedFile
) -> Figure:
    """A new figure of the article, numbered after its others (``article_content_changed``
    renumbers by position once the body places it); the image is checked as every upload is
    (``validate_image``), and a form opened on an older version is refused."""
    article = Article.objects.select_related("issue").get(pk=article_id)
    require_perm(actor, "editorial.add_figure")
    article_edit_check(actor, article, article.issue, layout=True).require(TransitionRefused)
    article_check_fresh(article, base_version)
    last = article.figures.aggregate(n=Max("number"))["n"] or 0
    figure = Figure(article=article, number=last + 1, caption=caption.strip(), image=image)
    figure.full_clean()
    figure.save()
    article = article_content_changed(
        actor=actor, article_id=article_id, what=f"上传图 {figure.number}"
    )
    figure.refresh_from_db()
    figure.article = article
    return figure


def _renumber_figures(article: Article) -> None:
    """Number the article's figures by where its body places them (the first place of each);
    the ones it does not place follow, in their order. The body's markers are rewritten to
    match. Nothing changes while a marker names a figure the article does not have (the
    pre-flight reports it), so a marker never comes to name another figure."""
    figures = {f.number: f for f in Figure.objects.select_for_update().filter(article=article)}
    placed = list(dict.fromkeys(figure_numbers(article.body)))
    if not figures or any(number not in figures for number in placed):
        return
    order = placed + sorted(set(figures) - set(placed))
    new_number = {old: index for index, old in enumerate(order, start=1)}
    if all(old == new for old, new in new_number.items()):
        return
    # Two steps, so that no two figures ever hold one number (the unique constraint).
    offset = max(figures) + len(figures)
    for old, figure in figures.items():
        Figure.objects.filter(pk=figure.pk).update(number=offset + new_number[old])
    for old, figure in figures.items():
        Figure.objects.filter(pk=figure.pk).update(number=new_number[old])
    article.body = FIGURE_MARKER.sub(
        lambda m: f'<figure data-figure="{new_number[int(m[1])]}"></figure>', article.body
    )


@transaction.atomic
def article_delete(*, actor: Actor, article_id: int) -> None:
    """Remove an article from an editable issue; approvals of the old content stop counting."""
    issue_id = Article.objects.values_list("issue_id", flat=True).get(pk=article_id)
    issue = issue_lock(issue_id)
    article = Article.objects.select_for_update(no_key=True).get(pk=article_id)
    require_perm(actor, "editorial.delete_article")
    issue_require_editable(issue)
    title = article.title
    article.delete()
    audit_record(actor=actor, action="delete", obj=issue, note=f"删除文章{quoted_title(title)}")
    issue_content_changed(actor=actor, issue=issue, what=f"删除文章{quoted_title(title)}")


@transaction.atomic
def article_transition(*, actor: Actor, article_id: int, name: str) -> Article:
    # The issue first, as in article_save, so a transition cannot slip past a publication.
    issue_id = Article.objects.values_list("issue_id", flat=True).get(pk=article_id)
    issue = issue_lock(issue_id)
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("responsible_editor")
        .get(pk=article_id)
    )
    article_action_check(actor, article, issue, name).require(TransitionRefused)
    transition = ARTICLE_TRANSITIONS[name]
    from_state, article.status = article.status, transition.target
    article.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action=name, obj=article, from_state=from_state, to_state=article.status
    )
    return article


def _save_checked(article: Article) -> None:
    """Save; a row the database refuses by one of the article's constraints is a validation
    error with that constraint's message (the rule and its wording stay in the model)."""
    try:
        article.save()
    except IntegrityError as exc:
        for constraint in Article._meta.constraints:
            if constraint.name in str(exc):
                raise ValidationError(
                    constraint.get_violation_error_message(), code=constraint.name
                ) from exc
        raise


# What a layout-only save (art editors) may change.
_LAYOUT_FIELDS = frozenset({"position", "section_id"})
_BOOKKEEPING = frozenset({"lock_version", "status", "created_at", "updated_at"})


def _require_layout_only(actor: Actor, stored: Article, article: Article) -> None:
    changed = {
        f.attname
        for f in Article._meta.concrete_fields
        if f.attname not in _BOOKKEEPING
        and getattr(article, f.attname) != getattr(stored, f.attname)
    }
    if changed - _LAYOUT_FIELDS:
        raise PermissionDenied(
            f"{actor} 只能调整{quoted_title(stored.title)}的版式（顺序、栏目）。"
        )
