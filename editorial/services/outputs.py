"""What publishing sets off: the one place where outputs of a published issue are requested."""

from editorial.models import Issue

from .renditions import rendition_request


def issue_outputs_request(*, issue: Issue) -> None:
    """Ask for every output of a just-published issue (in the publishing transaction)."""
    rendition_request(actor=None, issue_id=issue.pk)
