"""The comment thread shown on issue and article pages, and adding to it.

Reading builds the thread (replies under their parent, indented); every write goes through
``comment_add`` / ``comment_resolve``, posted to the admin URLs registered by the issue, article
and comment admins.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse

from editorial.models import Article, Comment, Issue
from editorial.services.comments import comment_add, comment_resolve

from .common import error_list, redirect_back, who

# Replies indent by this much per level, up to MAX_INDENT levels (deeper ones stay at the last).
INDENT_EM = 2
MAX_INDENT = 5


class CommentForm(forms.Form):
    body = forms.CharField(
        label="意见",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "请填写意见内容。"},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


@dataclass(frozen=True)
class ThreadItem:
    comment: Comment
    depth: int

    @property
    def indent(self) -> int:
        return min(self.depth, MAX_INDENT) * INDENT_EM

    @property
    def author(self) -> str:
        return who(self.comment.author)

    @property
    def resolver(self) -> str:
        return who(self.comment.resolved_by)


def comments_for(issue: Issue, article: Article | None = None) -> QuerySet[Comment]:
    """An issue's comments (all of them, its articles' too) or one article's, with their people."""
    comments = Comment.objects.filter(issue=issue)
    if article is not None:
        comments = comments.filter(article=article)
    return comments.select_related("author__person", "resolved_by__person", "article").order_by(
        "created_at", "id"
    )


def comment_thread(comments: Iterable[Comment]) -> list[ThreadItem]:
    """Top-level comments in order, each followed by its replies (depth-first)."""
    rows = list(comments)
    ids = {c.pk for c in rows}
    children: dict[int | None, list[Comment]] = {}
    for comment in rows:
        parent = comment.parent_id if comment.parent_id in ids else None
        children.setdefault(parent, []).append(comment)
    thread: list[ThreadItem] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        comment, depth = stack.pop()
        thread.append(ThreadItem(comment, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(comment.pk, [])))
    return thread


def comment_add_from_post(
    request: HttpRequest, *, issue: Issue, article: Article | None, back: str
) -> HttpResponseRedirect:
    """Parse the comment form and hand it to ``comment_add``; PermissionDenied propagates (403)."""
    form = CommentForm(request.POST)
    if not form.is_valid():
        reasons = [m for errors in form.errors.values() for m in errors]
        messages.error(request, error_list("意见未发表：", reasons))
        return redirect_back(request, back)
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            raise Http404("没有这条意见。")
    try:
        comment_add(
            actor=request.user,
            issue=issue,
            article=article,
            parent=parent,
            body=form.cleaned_data["body"],
        )
    except ValidationError as exc:
        messages.error(request, error_list("意见未发表：", exc.messages))
    else:
        messages.success(request, "已回复意见。" if parent else "已发表意见。")
    return redirect_back(request, back)


def comment_resolve_from_post(request: HttpRequest, comment_id: int) -> HttpResponseRedirect:
    comment = Comment.objects.filter(pk=comment_id).only("pk", "issue_id", "article_id").first()
    if comment is None:
        raise Http404("没有这条意见。")
    if comment.article_id is not None:
        back = reverse("admin:editorial_article_change", args=[comment.article_id])
    else:
        back = reverse("admin:editorial_issue_change", args=[comment.issue_id])
    resolved = request.POST.get("resolved") != "0"
    try:
        comment_resolve(actor=request.user, comment_id=comment.pk, resolved=resolved)
    except ValidationError as exc:
        messages.error(request, error_list("操作未完成：", exc.messages))
    else:
        messages.success(request, "意见已标为已解决。" if resolved else "意见已重新打开。")
    return redirect_back(request, f"{back}#comments")
