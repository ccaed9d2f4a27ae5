"""One-time links sent by email: issue one, and redeem it exactly once while it is fresh.

The token in the URL is the link row's id signed with the secret key and the link's
purpose; the email is rendered with `link_token`, so no usable token sits in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import OneTimeLink, User

TOKEN_MAX_LENGTH = 200


class LinkInvalid(ValueError):
    """Unknown, forged, used, expired or for another purpose; one error for all, on purpose."""


def link_issue(
    *, user: User, purpose: str, lifetime: timedelta, subject_id: int | None = None
) -> OneTimeLink:
    """Save a new link; put `link_token(link)` in the URL when the email is rendered."""
    return OneTimeLink.objects.create(
        user=user, purpose=purpose, subject_id=subject_id, expires_at=timezone.now() + lifetime
    )


def link_token(link: OneTimeLink) -> str:
    return signing.dumps(link.id, salt=_salt(link.purpose))


def link_peek(*, token: str, purpose: str) -> OneTimeLink:
    """The link if it could be redeemed now, without using it (for a confirmation page)."""
    return _find(token=token, purpose=purpose, lock=False)


@transaction.atomic
def link_redeem(*, token: str, purpose: str) -> OneTimeLink:
    """Mark the link used and return it; a second redeem of the same token fails."""
    link = _find(token=token, purpose=purpose, lock=True)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link


@dataclass(frozen=True)
class LinkFailure:
    status: int  # 400 or 410
    link: OneTimeLink | None  # the spent or expired link; None when forged


def link_failure(*, token: str, purpose: str) -> LinkFailure:
    """Why `token` failed, for the page of the person holding it; call after LinkInvalid.

    Spent or expired: "410 Gone". Never ours (forged, cut short, for another page):
    "400 Bad Request". Only a genuine signature reaches "spent", so the difference tells
    an attacker nothing they did not know.
    """
    try:
        link_id = _signed_id(token, purpose)
    except LinkInvalid:
        return LinkFailure(400, None)
    link = OneTimeLink.objects.filter(id=link_id, purpose=purpose).first()
    return LinkFailure(410 if link is not None else 400, link)


def _signed_id(token: str, purpose: str) -> int:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise LinkInvalid(token)
    try:
        return signing.loads(token, salt=_salt(purpose))
    except signing.BadSignature as exc:
        raise LinkInvalid(token) from exc


def _salt(purpose: str) -> str:
    return f"beacon.one-time-link.{purpose}"


def _find(*, token: str, purpose: str, lock: bool) -> OneTimeLink:
    link_id = _signed_id(token, purpose)
    rows = OneTimeLink.objects.select_related("user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    link = rows.filter(id=link_id, purpose=purpose).first()
    if link is None or link.used_at is not None or link.expires_at <= timezone.now():
        raise LinkInvalid(token)
    return link
