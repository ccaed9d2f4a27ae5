"""Sign-ins, failed attempts and sign-outs in the audit trail, and the new-device alert.

A sign-in from a browser (device cookie) or a network (IPv4 /24, IPv6 /48) the person has
not signed in from before records NEW_DEVICE and emails them an alert with a "This wasn't
me" link. Their very first sign-in only remembers the device: there is nothing to compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import client_ip, client_user_agent, security_event_record
from accounts.links import link_issue
from accounts.models import KnownDevice, OneTimeLink, SecurityEvent, User
from accounts.security.devices import device_hash, device_id_of, network_of
from accounts.security.notices import new_device_alert

NOT_ME_LINK_LIFETIME = timedelta(hours=24)
# Django's authenticate() may be called with the address under either name.
_LOGIN_KEYS = ("email", "username", "login")
_EMAIL_MAX = 254


@transaction.atomic
def sign_in_record(*, user: User, request: HttpRequest) -> SecurityEvent:
    """Record a completed sign-in; alert by email when the device or network is new."""
    sign_in = security_event_record(user=user, kind=SecurityEvent.Kind.SIGN_IN, request=request)
    hashed = device_hash(device_id_of(request))
    network = network_of(client_ip(request))
    # Lock the person's row: two sign-ins at once must not both count as the first.
    User.objects.select_for_update().filter(pk=user.pk).first()
    known = KnownDevice.objects.filter(user=user)
    first_ever = not known.exists()
    new_device = not hashed or not known.filter(device_hash=hashed).exists()
    new_network = not network or not known.filter(network=network).exists()
    _remember(user=user, hashed=hashed, network=network, user_agent=client_user_agent(request))
    if first_ever or not (new_device or new_network):
        return sign_in
    security_event_record(
        user=user,
        kind=SecurityEvent.Kind.NEW_DEVICE,
        request=request,
        sign_in_id=sign_in.id,
        new_device=new_device,
        new_network=new_network,
        network=network,
    )
    link = link_issue(
        user=user,
        purpose=OneTimeLink.Purpose.NOT_ME,
        lifetime=NOT_ME_LINK_LIFETIME,
        subject_id=sign_in.id,
    )
    new_device_alert(
        user=user, sign_in=sign_in, link=link, new_device=new_device, new_network=new_network
    )
    return sign_in


def _remember(*, user: User, hashed: str, network: str, user_agent: str) -> None:
    if not hashed:
        return  # a browser without the cookie cannot be recognised next time anyway
    now = timezone.now()
    device, created = KnownDevice.objects.get_or_create(
        user=user,
        device_hash=hashed,
        network=network,
        defaults={"user_agent": user_agent, "first_seen": now, "last_seen": now},
    )
    if not created:
        device.last_seen, device.user_agent = now, user_agent
        device.save(update_fields=["last_seen", "user_agent"])


def sign_in_failed_record(
    *, credentials: Mapping[str, Any], request: HttpRequest | None
) -> SecurityEvent | None:
    """Record a wrong password against the account it named, if any.

    `credentials` come from Django's user_login_failed; only the address is read, never
    the password. An address nobody has records nothing (there is no trail to add to).
    """
    user = _user_named(credentials)
    if user is None:
        return None
    return security_event_record(user=user, kind=SecurityEvent.Kind.SIGN_IN_FAILED, request=request)


def _user_named(credentials: Mapping[str, Any]) -> User | None:
    address = next(
        (credentials[key] for key in _LOGIN_KEYS if isinstance(credentials.get(key), str)), ""
    ).strip()
    if not address or len(address) > _EMAIL_MAX:
        return None
    user = User.objects.filter(email__iexact=address).first()
    if user is None:
        email = EmailAddress.objects.select_related("user").filter(email__iexact=address).first()
        user = email.user if email else None
    return user


def sign_out_record(*, user: User | None, request: HttpRequest | None) -> None:
    if user is not None and user.is_authenticated:
        security_event_record(user=user, kind=SecurityEvent.Kind.SIGN_OUT, request=request)
