"""Who an inbound email is from, as far as it is proven (the rule: accounts.trust).

The From address names an account: the one that verified that address, else a contact
account for it. The email proves that account sent it when
  - our receiving server authenticated the From domain (tickets.mail.authresults, with
    BEACON_MAIL_AUTHSERV_IDS naming that server), or
  - it answers a request of that account through the request's signed thread (Beacon's
    Message-IDs or reply address), which Beacon mailed to that address only; this proves
    the sender for that one request (`proof_for_reply`).
Anything else is unproven: a forged From: costs nothing.
"""

from __future__ import annotations

from django.conf import settings

from accounts import trust
from tickets.mail import authresults
from tickets.mail.parsed import ParsedMail

_SIGNED_THREAD = ("references", "reply address")  # tickets.mail.thread_match's `how`


def email_sender(parsed: ParsedMail, account) -> trust.Sender:
    """`account` (the From address's) with the proof the headers give, before threading."""
    authenticated = authresults.from_domain_authenticated(
        parsed.header_all("Authentication-Results"),
        from_address=parsed.sender.address,
        trusted_ids=settings.BEACON_MAIL_AUTHSERV_IDS,
    )
    proof = trust.Proof.EMAIL_AUTHENTICATED if authenticated else trust.Proof.UNPROVEN
    return trust.Sender(account=account, proof=proof)


def proof_for_reply(sender: trust.Sender, *, ticket, how: str) -> trust.Sender:
    """A reply from the requester's address in the request's signed thread proves the
    sender for that request (the thread's signature only ever went to that address)."""
    if sender.proven or how not in _SIGNED_THREAD or ticket.requester_id != sender.account.id:
        return sender
    if not ticket.sender_proven:
        return sender  # our mail about an unproven request proves nothing about its text
    return trust.Sender(account=sender.account, proof=trust.Proof.EMAIL_THREAD)
