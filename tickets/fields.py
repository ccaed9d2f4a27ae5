"""The typed fields a ticket type can ask for, and how each is checked.

Pure functions: forms, the API and services all validate through `clean_fields`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.text import plain_text

NETWORKS = {
    "BTC": "Bitcoin",
    "ERC20": "Ethereum (ERC20)",
    "TRC20": "TRON (TRC20)",
    "BEP20": "BNB Smart Chain (BEP20)",
    "SOL": "Solana",
    "ARB": "Arbitrum One",
    "OP": "Optimism",
    "POLYGON": "Polygon",
    "TON": "TON",
    "XRP": "XRP Ledger",
    "OTHER": pgettext_lazy("network", "Other"),  # the one name that is not a brand
}
_EVM = {"ERC20", "BEP20", "ARB", "OP", "POLYGON"}
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_EVM_TX = re.compile(r"^0x[0-9a-fA-F]{64}$")
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{64,90}$")
_COIN = re.compile(r"^[A-Z0-9]{2,12}$")
_ORDER = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
_ADDRESS = re.compile(r"^[A-Za-z0-9:_-]{20,128}$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text, datetime, choice, decimal


FIELD_SPECS = {
    spec.name: spec
    for spec in [
        FieldSpec("uid", _("UID"), "text"),
        FieldSpec("occurred_at", _("When did it happen?"), "datetime"),
        FieldSpec("coin", _("Coin"), "text"),
        FieldSpec("network", _("Network"), "choice"),
        FieldSpec("amount", _("Amount"), "decimal"),
        FieldSpec("txid", _("Transaction ID (TXID)"), "text"),
        FieldSpec("order_id", _("Order ID"), "text"),
        FieldSpec("address", _("Address"), "text"),
    ]
}


class FieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def txid_problem(txid: str, network: str) -> str | None:
    """Why `txid` cannot be a transaction on `network`, or None when it can."""
    if network in _EVM:
        return None if _EVM_TX.match(txid) else str(_("should be 0x followed by 64 hex digits"))
    if network in {"BTC", "TRC20", "XRP"}:
        return None if _HEX64.match(txid) else str(_("should be 64 hex digits"))
    if network == "SOL":
        return None if _BASE58.match(txid) else str(_("should be a base58 signature"))
    if not 8 <= len(txid) <= 128 or not txid.isprintable() or " " in txid:
        return str(_("does not look like a transaction ID"))
    return None


def _clean_one(name: str, raw: str, now: dt.datetime) -> str:
    value = raw.strip()
    if name == "uid" and not (value.isdigit() and 8 <= len(value) <= 12):
        raise FieldError(name, str(_("A UID is 8 to 12 digits.")))
    if name == "coin":
        value = value.upper()
        if not _COIN.match(value):
            raise FieldError(name, str(_("Use the coin's ticker, e.g. USDT.")))
    if name == "network" and value not in NETWORKS:
        raise FieldError(name, str(_("Choose a network from the list.")))
    if name == "amount":
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise FieldError(name, str(_("Enter a number."))) from exc
        if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e15"):
            raise FieldError(name, str(_("Enter an amount above zero.")))
        value = format(amount.normalize(), "f")
    if name == "order_id" and not _ORDER.match(value):
        raise FieldError(name, str(_("An order ID is 4 to 64 letters, digits, - or _.")))
    if name == "address" and not _ADDRESS.match(value):
        raise FieldError(name, str(_("This does not look like a wallet address.")))
    if name == "occurred_at":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise FieldError(name, str(_("Enter a date and time."))) from exc
        if moment.tzinfo is None:
            raise FieldError(name, str(_("Enter a date and time.")))
        if moment > now + dt.timedelta(minutes=5):
            raise FieldError(name, str(_("This is in the future.")))
        value = moment.astimezone(dt.UTC).isoformat()
    return value


def clean_fields(specs: list[dict], data: dict[str, object], now: dt.datetime) -> dict[str, str]:
    """Validate `data` against a type's field list; raises FieldError for the first problem.

    Unknown keys are ignored; `occurred_at` must already be time-zone aware.
    """
    cleaned: dict[str, str] = {}
    for spec in specs:
        name, required = spec.get("name"), bool(spec.get("required"))
        if name not in FIELD_SPECS:
            continue
        raw = data.get(name)
        raw = "" if raw is None else str(raw)
        if len(raw) > 300:
            raise FieldError(name, str(_("This is too long.")))
        if not raw.strip():
            if required:
                raise FieldError(name, str(_("This field is required.")))
            continue
        cleaned[name] = _clean_one(name, plain_text(raw), now)
    if "txid" in cleaned and (problem := txid_problem(cleaned["txid"], cleaned.get("network", ""))):
        raise FieldError("txid", str(_("This TXID %(problem)s.")) % {"problem": problem})
    if "txid" in cleaned:
        cleaned["txid"] = normalize_txid(cleaned["txid"])
    return cleaned


def normalize_txid(txid: str) -> str:
    """Hex is case-blind: one spelling, so duplicates and searches find each other."""
    txid = txid.strip()
    return txid.lower() if _HEX64.match(txid) or _EVM_TX.match(txid) else txid
