"""Why a one-time link did not work, so the page can say so plainly.

accounts.links answers one LinkInvalid for every failure, on purpose (callers must not
leak which). A person holding a link of their own deserves better than that: a link
that is spent or expired gets "410 Gone", one that was never ours (forged, cut short,
meant for another page) "400 Bad Request". The difference tells an attacker nothing
they did not know: only a genuine signature reaches "spent".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from accounts import links
from accounts.models import OneTimeLink


@dataclass(frozen=True)
class LinkFailure:
    status: int  # 400 or 410
    link: OneTimeLink | None  # the spent or expired link; None when forged


def link_failure(*, token: str, purpose: str) -> LinkFailure:
    """Call after link_peek/link_redeem raised LinkInvalid for `token`."""
    if not token or len(token) > links.TOKEN_MAX_LENGTH:
        return LinkFailure(400, None)
    try:
        # The salt is the links module's; reused, not copied, so the two cannot drift.
        link_id = signing.loads(token, salt=links._salt(purpose))
    except signing.BadSignature:
        return LinkFailure(400, None)
    link = OneTimeLink.objects.filter(id=link_id, purpose=purpose).first()
    return LinkFailure(410 if link is not None else 400, link)
