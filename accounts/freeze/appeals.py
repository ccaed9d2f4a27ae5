"""The customer's side of an unfreeze appeal: ask for a link, then appeal through it.

Neither needs a sign-in (the account is frozen); the link from the email stands in for
it. The link is spent when an appeal is accepted, so it works until an appeal is
pending; a rejected customer asks for a fresh one.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.audit import security_event_record
from accounts.documents import document_store
from accounts.effects import send_durably
from accounts.freeze import notices
from accounts.freeze.services import active_freeze
from accounts.links import link_redeem
from accounts.models import IdentityDocument, OneTimeLink, SecurityEvent, UnfreezeAppeal, User
from accounts.signals import security_review_requested
from core.exceptions import ApplicationError
from core.text import plain_text


class AppealPending(ApplicationError):
    """An appeal of this person's is already waiting for the reviewers."""

    status_code = 409


class AccountNotFrozen(ApplicationError):
    status_code = 409


def appeal_pending_exists(*, user: User) -> bool:
    return UnfreezeAppeal.objects.filter(user=user, status=UnfreezeAppeal.Status.PENDING).exists()


@transaction.atomic
def appeal_link_request(*, email: str) -> bool:
    """Email a fresh appeal link if `email` is a frozen account without a pending appeal.

    Returns whether one was sent, for tests and logs only: the page answers the same
    either way, so nobody learns which addresses have accounts.
    """
    user = User.objects.select_for_update().filter(email__iexact=email.strip()).first()
    if user is None:
        return False
    freeze = active_freeze(user=user)
    if freeze is None or appeal_pending_exists(user=user):
        return False
    notices.appeal_link_notify(user=user, freeze=freeze)
    return True


@transaction.atomic
def appeal_submit(
    *,
    token: str,
    legal_name: str,
    birth_date: dt.date,
    description: str,
    selfie: UploadedFile,
    request: HttpRequest | None = None,
) -> UnfreezeAppeal:
    """Spend the appeal link and put an appeal in the reviewers' queue.

    Raises LinkInvalid, AccountNotFrozen, AppealPending or DocumentRejected; any of them
    leaves the link unspent and nothing written.
    """
    link = link_redeem(token=token, purpose=OneTimeLink.Purpose.APPEAL)
    user = User.objects.select_for_update().get(pk=link.user_id)
    freeze = active_freeze(user=user)
    if freeze is None:
        raise AccountNotFrozen(_("Your account is not frozen: there is nothing to appeal."))
    if appeal_pending_exists(user=user):
        raise AppealPending(
            _("Your earlier appeal is still under review. We will email you the decision.")
        )
    selfie_document = document_store(user=user, kind=IdentityDocument.Kind.SELFIE, upload=selfie)
    appeal = UnfreezeAppeal(
        user=user,
        freeze=freeze,
        # Bidi controls could make a reviewer read another name (core.text).
        legal_name=plain_text(legal_name).strip(),
        birth_date=birth_date,
        description=plain_text(description).strip(),
        selfie=selfie_document,
    )
    appeal.full_clean()
    appeal.save()
    security_event_record(
        user=user, kind=SecurityEvent.Kind.APPEAL_SUBMITTED, request=request, appeal_id=appeal.id
    )
    send_durably(
        security_review_requested,
        kind="appeal",
        subject=appeal,
        user=user,
        url=reverse("security_desk:freeze-appeal", args=[appeal.id]),
    )
    return appeal
