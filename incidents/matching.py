"""Is this text (a ticket, a chat message, a form being filled) about an active incident?

Signals: the coin and network (from the form's fields, else named in the text), the
feature (from the request type, else words such as 提币 / withdraw), and the incident's
own keywords. Certain: a coin or network of the incident together with its feature or a
keyword (or, for an incident with no coin or network, its feature together with a
keyword); then the ticket or chat is linked at once. Uncertain: one signal alone (a
coin, a network, or a keyword); it waits in the review list. A feature alone (any
withdrawal question) says nothing: withdrawals go on for every other coin.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.core.cache import cache

from incidents.models import Incident

logger = logging.getLogger(__name__)

# Words that name a feature, in both languages; lower case.
FEATURE_WORDS: dict[str, tuple[str, ...]] = {
    "deposit": ("充值", "充币", "入金", "到账", "deposit"),
    "withdrawal": ("提现", "提币", "出金", "withdraw"),
    "trading": ("交易", "下单", "成交", "trade", "trading", "order"),
    "login": ("登录", "登陆", "sign in", "log in", "login", "sign-in"),
    "kyc": ("认证", "实名", "kyc", "verification", "verify"),
    "p2p": ("p2p", "c2c", "otc"),
    "earn": ("理财", "质押", "staking", "earn"),
}
# Request types (tickets' slugs) and the feature they are about.
TYPE_FEATURES = {
    "deposit-not-credited": "deposit",
    "deposit-missing-memo": "deposit",
    "withdrawal-problem": "withdrawal",
    "trading-order": "trading",
    "kyc": "kyc",
    "p2p-dispute": "p2p",
    "earn-staking": "earn",
}
# Other names customers use for networks.
NETWORK_ALIASES = {
    "TRC20": ("trc20", "trc-20", "tron", "波场"),
    "ERC20": ("erc20", "erc-20", "ethereum", "以太坊"),
    "BEP20": ("bep20", "bep-20", "bsc", "币安智能链"),
    "SOL": ("solana", "sol"),
    "BTC": ("bitcoin", "比特币"),
}

ACTIVE_CACHE_KEY = "incidents:active"
ACTIVE_CACHE_SECONDS = 30


@dataclass(frozen=True)
class Match:
    incident: Incident
    certain: bool
    why: str


def active_incidents() -> list[Incident]:
    """The active incidents, from the cache (every ticket and bot answer asks; there are
    usually none). services clears it on every change. Without the cache (Redis down)
    they are read each time: a customer's request or chat must not fail for it."""
    try:
        found = cache.get(ACTIVE_CACHE_KEY)
    except Exception:
        logger.warning("active incidents not cached", exc_info=True)
        return list(Incident.objects.filter(status=Incident.Status.ACTIVE))
    if found is None:
        found = list(Incident.objects.filter(status=Incident.Status.ACTIVE))
        try:
            cache.set(ACTIVE_CACHE_KEY, found, ACTIVE_CACHE_SECONDS)
        except Exception:
            logger.warning("active incidents not cached", exc_info=True)
    return found


def _has_word(text: str, word: str, *, stem: bool = False) -> bool:
    """Latin words whole ("sol" is not in "solved"), or as a stem with `stem` ("withdraw"
    in "withdrawal"); Chinese anywhere (it has no spaces between words)."""
    word = word.lower()
    if re.fullmatch(r"[a-z0-9 -]+", word):
        end = "" if stem else "(?![a-z0-9])"
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}{end}", text) is not None
    return word in text


def _network_named(text: str, network: str) -> bool:
    names = (network.lower(), *NETWORK_ALIASES.get(network.upper(), ()))
    return any(_has_word(text, name) for name in names)


def match(text: str, *, coin: str = "", network: str = "", type_slug: str = "") -> list[Match]:
    """The active incidents `text` (and the form's coin, network and type) is about."""
    incidents = active_incidents()
    if not incidents:
        return []
    text = (text or "").lower()[:5000]
    found = []
    for incident in incidents:
        coins = [c.upper() for c in incident.coins]
        networks = [n.upper() for n in incident.networks]
        signals = []
        if coins and (coin.upper() in coins or any(_has_word(text, c) for c in coins)):
            signals.append("coin")
        if networks and (
            network.upper() in networks or any(_network_named(text, n) for n in networks)
        ):
            signals.append("network")
        feature = TYPE_FEATURES.get(type_slug)
        if any(
            f == feature or any(_has_word(text, w, stem=True) for w in FEATURE_WORDS.get(f, ()))
            for f in incident.features
        ):
            signals.append("feature")
        if any(_has_word(text, k, stem=True) for k in incident.keywords if k.strip()):
            signals.append("keyword")
        what = {"coin", "network"} & set(signals)
        if what and ({"feature", "keyword"} & set(signals) or not incident.features):
            certain = True
        elif not coins and not networks and {"feature", "keyword"} <= set(signals):
            certain = True
        else:
            certain = False
        if certain or what or "keyword" in signals:
            found.append(Match(incident, certain, "+".join(signals)))
    return sorted(found, key=lambda m: (not m.certain, -m.incident.declared_at.timestamp()))
