"""The editors' workspace: one module per concern, each an interface over the services.

Importing the modules registers their ModelAdmins with the default admin site. Admins whose
querysets annotate counts state their ``ordering``: a GROUP BY query ignores Meta.ordering, and
the autocomplete views page through get_queryset() as it is.
"""

from . import articles, deliveries, issues, people, publications, records, subscribers

__all__ = [
    "articles",
    "deliveries",
    "issues",
    "people",
    "publications",
    "records",
    "subscribers",
]
