"""What the bundle's names mean in the domain model; shared by the reader, the writer and import."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from editorial.models.issues import OrganisationRole, PersonRole

FORMAT = "digest-issue-bundle/1"
MANIFEST_NAMES = ("issue.yaml", "issue.yml", "issue.json")

ORGANISATION_ROLES = {
    "guiding_units": OrganisationRole.GUIDING_UNIT,
    "chief_editors": OrganisationRole.CHIEF_EDITOR,
    "co_editors": OrganisationRole.CO_EDITOR,
    "academic_support": OrganisationRole.ACADEMIC_SUPPORT,
}
PERSON_ROLES = {
    "board_members": PersonRole.BOARD_MEMBER,
    "editors_in_chief": PersonRole.EDITOR_IN_CHIEF,
    "deputy_editors": PersonRole.DEPUTY_EDITOR,
    "executive_editors": PersonRole.EXECUTIVE_EDITOR,
    "responsible_editors": PersonRole.RESPONSIBLE_EDITOR,
    "art_editors": PersonRole.ART_EDITOR,
}
PUBLICATION_TEXT_FIELDS = (
    "tagline",
    "slogan",
    "phone",
    "fax",
    "email",
    "address",
    "wechat_account_name",
    "wechat_caption",
)
ORGANISATION_TEXT_FIELDS = ("name_en", "acronym")


@cache
def manifest_schema() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("schema.json")).read_text(encoding="utf-8"))
