"""Who sent a text, and what that allows: the one rule every channel asks.

A text that reaches Beacon (a web form, a chat message left for later, a complaint, an
email, an API call) names an account it comes from. Whether Beacon may treat it as that
account's own depends on how the sender proved it:

    SIGNED_IN            a session or API token of the account
    EMAIL_AUTHENTICATED  the receiving mail server vouched for the From domain
                         (Authentication-Results: dmarc, or aligned dkim/spf, pass)
    EMAIL_THREAD         a reply naming a signed thread of a request Beacon mailed only
                         to that address (valid for that request only)
    CONFIRMED_LINK       the owner followed a confirmation link sent to the address
    UNPROVEN             an anonymous visitor who typed an address; an unauthenticated email

What a proven sender's text may do: land on the account as the customer's own, be listed
in their requests, be quoted in email that carries their anti-phishing code. What an
unproven one's may do: be stored for agents, flagged, never listed on the account and
never quoted in email; the mail it causes carries no anti-phishing code (the layout
leaves it out when the kind's context says `sender_unproven`, notifications.emails).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Proof(models.TextChoices):
    SIGNED_IN = "signed_in", "signed in"
    EMAIL_AUTHENTICATED = "email_authenticated", "email authenticated by the mail server"
    EMAIL_THREAD = "email_thread", "reply in a request's signed thread"
    CONFIRMED_LINK = "confirmed_link", "confirmation link followed"
    UNPROVEN = "unproven", "not proven"


@dataclass(frozen=True)
class Sender:
    """The account a text claims to come from, and how that claim was proven."""

    account: object  # accounts.User; the contact account for an unproven address
    proof: Proof

    @property
    def proven(self) -> bool:
        return self.proof != Proof.UNPROVEN


def signed_in(user) -> Sender:
    """A signed-in customer (session or token): their words are their own."""
    if not getattr(user, "is_authenticated", False):
        raise ValueError("signed_in() needs an authenticated user")
    return Sender(account=user, proof=Proof.SIGNED_IN)


def unproven(account) -> Sender:
    """Someone who only typed (or forged) the account's address."""
    return Sender(account=account, proof=Proof.UNPROVEN)
