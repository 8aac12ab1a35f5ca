"""The stored files editors see — figures, covers, logos, the WeChat QR code, PDFs — served to
those who may view what holds them, and to nobody else.

Not behind the admin's login redirect: whoever may not have a file gets 404, the same answer as
for a name nothing holds, so the view tells nobody which files exist.
"""

from django.db import models
from django.http import Http404, HttpRequest, HttpResponseBase

from editorial.files import file_response
from editorial.models import Figure, Issue, Organisation, Publication, Rendition

# Each file field, with the permission that lets a user view the row holding it.
OWNERS: tuple[tuple[type[models.Model], str, str], ...] = (
    (Figure, "image", "editorial.view_article"),
    (Issue, "cover_image", "editorial.view_issue"),
    (Organisation, "logo", "editorial.view_organisation"),
    (Publication, "wechat_qr", "editorial.view_publication"),
    (Rendition, "file", "editorial.view_issue"),
)


def stored_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """The file stored at ``name``, when a row the user may view holds it."""
    for model, field, permission in OWNERS:
        if (
            request.user.has_perm(permission)
            and model._default_manager.filter(**{field: name}).exists()
        ):
            storage = model._meta.get_field(field).storage  # type: ignore[union-attr]
            try:
                return file_response(storage, name)
            except OSError as exc:
                raise Http404("文件已不在存储中。") from exc
    raise Http404("没有这个文件。")
