"""The editors' workspace: one module per concern, each an interface over the services.

Importing the modules registers their ModelAdmins with the default admin site. Admins whose
querysets annotate counts state their ``ordering``: a GROUP BY query ignores Meta.ordering, and
the autocomplete views page through get_queryset() as it is.
"""

from . import articles, deliveries, issues, people, publications, records, subscribers

__all__ = [
    "MODEL_ORDER",
    "articles",
    "deliveries",
    "issues",
    "people",
    "publications",
    "records",
    "subscribers",
]

# The order of the editorial tables in the index and the sidebar: the week's work first, then the
# shared records, then what the workflow keeps (listed only for operators).
MODEL_ORDER = (
    "issue",
    "article",
    "comment",
    "auditentry",
    "publication",
    "section",
    "copyrightnotice",
    "organisation",
    "person",
    "subscriber",
    "mailing",
    "approval",
    "rendition",
    "editlock",
    "notification",
)
