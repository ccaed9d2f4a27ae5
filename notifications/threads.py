"""Message-IDs and reply addresses that lead a reply back to what it answers.

An email about a ticket belongs to a *thread* ("ticket-42"). Its Message-ID, the
References it carries and its Reply-To all hold the thread and a signature, so a reply
from any mail client finds the ticket again, and nobody can point mail at a ticket by
guessing numbers: without the signature an id or address is just unknown.

    <ticket-42.n1234.3f9a0c1d2e4b5a69@beacon.test>   one email's Message-ID
    <ticket-42.3f9a0c1d2e4b5a69@beacon.test>         the thread's root (References)
    support+ticket-42.3f9a0c1d2e4b5a69@beacon.test  the Reply-To
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "beacon.mail.thread"
_THREAD = r"[a-z][a-z0-9-]{0,40}"
_SIGNATURE = r"[0-9a-f]{16}"
_OWN_ID = re.compile(rf"^(?P<thread>{_THREAD})(?:\.n[0-9]+)?\.(?P<sig>{_SIGNATURE})$")
_ONE_OFF_ID = re.compile(rf"^n(?P<id>[0-9]+)\.(?P<sig>{_SIGNATURE})$")


def mail_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2].lower() or "beacon.invalid"


def _support_mailbox() -> tuple[str, str]:
    local, _at, domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower().rpartition("@")
    return (local or "support"), (domain or "beacon.invalid")


def _signature(value: str) -> str:
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:16]


def message_id(notification_id: int, thread: str = "") -> str:
    """The Message-ID of one email: the same on every attempt to send it."""
    if thread:
        return f"<{thread}.n{notification_id}.{_signature(thread)}@{mail_domain()}>"
    one_off = f"n{notification_id}"
    return f"<{one_off}.{_signature(one_off)}@{mail_domain()}>"


def thread_root_id(thread: str) -> str:
    """What every email of the thread names in In-Reply-To and References."""
    return f"<{thread}.{_signature(thread)}@{mail_domain()}>"


def reply_address(thread: str) -> str:
    """support+<thread>.<signature>@domain: replies to it reach the thread's ticket."""
    local, domain = _support_mailbox()
    return f"{local}+{thread}.{_signature(thread)}@{domain}"


def support_address() -> str:
    local, domain = _support_mailbox()
    return f"{local}@{domain}"


def _verified_thread(value: str) -> str | None:
    match = _OWN_ID.match(value)
    if match and constant_time_compare(match["sig"], _signature(match["thread"])):
        return match["thread"]
    return None


def threads_in_ids(ids: Iterable[str]) -> list[str]:
    """The threads named by Beacon's own, correctly signed ids among `ids` (without <>)."""
    domain, found = mail_domain(), []
    for value in ids:
        left, _at, right = value.strip().strip("<>").lower().rpartition("@")
        thread = _verified_thread(left) if right == domain else None
        if thread and thread not in found:
            found.append(thread)
    return found


def is_own_message_id(value: str) -> bool:
    """True for a Message-ID Beacon itself gave an email it sent (a loop, when it comes back)."""
    left, _at, right = value.strip().strip("<>").lower().rpartition("@")
    if right != mail_domain():
        return False
    one_off = _ONE_OFF_ID.match(left)
    if one_off:
        return constant_time_compare(one_off["sig"], _signature(f"n{one_off['id']}"))
    return _verified_thread(left) is not None and ".n" in left


def thread_in_addresses(addresses: Iterable[str]) -> str | None:
    """The thread of the first signed reply address among `addresses`, if any."""
    local, domain = _support_mailbox()
    for address in addresses:
        box, _at, host = address.strip().lower().rpartition("@")
        base, plus, tag = box.partition("+")
        if host == domain and base == local and plus:
            thread = _verified_thread(tag)
            if thread:
                return thread
    return None
