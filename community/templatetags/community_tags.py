"""How the forum names people: {{ person|forum_name }}."""

from __future__ import annotations

import re
import unicodedata

from django import template
from django.utils.translation import gettext as _

register = template.Library()

# Names that pose as Beacon ("Beacon Support", "官方客服"): only staff posts, with their
# checkable staff ID, may look official; anyone else with such a name is shown as a member.
_OFFICIAL_LOOKING = re.compile(
    r"beac[o0]n|supp[o0]rt|official|admin|moderat|staff|help\s*desk|客服|官方|管理员|工作人员|版主",
    re.IGNORECASE,
)


@register.filter
def forum_name(person, official: bool = False) -> str:
    """The first name (never the email or UID); "Member" when there is none, or when a
    non-staff name looks official."""
    name = unicodedata.normalize("NFKC", (person.first_name or "").strip())
    if not name or (not official and _OFFICIAL_LOOKING.search(name.replace(" ", ""))):
        return _("Member")
    return person.first_name
