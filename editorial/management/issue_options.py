"""The options of the commands that name one issue (--total, --publication, --revision), and
the look-up they share, so every such command is called and fails the same way."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from editorial.models import Issue
from editorial.selectors import IssueNotFound, issue_by_total


def add_issue_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--total", type=int, required=True, help="总期号（总第N期）")
    parser.add_argument("--publication", help="刊物代号（有多个刊物时必填）")
    parser.add_argument("--revision", type=int, help="修订版次（1 = 首次发布；默认：最新一版）")


def issue_from_options(options: dict[str, Any]) -> Issue:
    """The issue the options name; a clear ``CommandError`` when there is none or several."""
    try:
        return issue_by_total(
            options["total"], publication=options["publication"], revision=options["revision"]
        )
    except IssueNotFound as exc:
        raise CommandError(str(exc)) from exc
