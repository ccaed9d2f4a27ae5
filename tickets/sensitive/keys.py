"""Private keys: 64 hex digits (with or without 0x), WIF, and extended private keys.

64 hex digits are also what a transaction id or a block hash looks like, and customers
paste those all the time. Rule: the nearest cue word within CONTEXT_CHARS decides. A
transaction cue (txid, hash, 交易哈希, an explorer's /tx/ link…) makes it a TXID, left
alone; a key cue (private key, 私钥…) or no cue at all makes it a key, masked. When in
doubt the guard masks: a hidden TXID costs the customer a retype, a shown key their money.
Ethereum addresses (0x + 40 hex) and public keys (66 or 130 hex) are other lengths.
"""

from __future__ import annotations

import re

from tickets.sensitive.spans import Span

CONTEXT_CHARS = 60
_BASE58 = "1-9A-HJ-NP-Za-km-z"
HEX_KEY = re.compile(r"(?<![0-9A-Za-z])(?:0x)?[0-9a-fA-F]{64}(?![0-9A-Za-z])")
# WIF: 51 characters starting with 5 (uncompressed), 52 starting with K or L (compressed).
WIF = re.compile(rf"(?<![{_BASE58}])(?:5[{_BASE58}]{{50}}|[KL][{_BASE58}]{{51}})(?![{_BASE58}])")
# BIP32 extended private keys: xprv, tprv, and the BIP49/84 yprv, zprv (and testnet u/v).
EXTENDED = re.compile(rf"(?<![{_BASE58}])[xtyzuvYZUV]prv[{_BASE58}]{{100,112}}(?![{_BASE58}])")

TXID_CUES = re.compile(
    r"tx\s*id|txn|tx\s*hash|transaction|hash|/tx/|explorer|scan\b|etherscan|tronscan|bscscan"
    r"|block|交易哈希|哈希|交易\s*id|交易号|交易编号|交易记录|区块|链上",
    re.IGNORECASE,
)
KEY_CUES = re.compile(r"private\s*key|priv\s*key|secret\s*key|私钥|密钥", re.IGNORECASE)


def _nearest_cue_is_txid(text: str, start: int, end: int) -> bool:
    """True when a transaction cue is nearer to the hex than any key cue."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]

    def distance(pattern: re.Pattern) -> int | None:
        near = [len(before) - m.end() for m in pattern.finditer(before)]
        near += [m.start() for m in pattern.finditer(after)]
        return min(near) if near else None

    txid, key = distance(TXID_CUES), distance(KEY_CUES)
    return txid is not None and (key is None or txid < key)


def find(text: str) -> list[Span]:
    spans = [
        Span(m.start(), m.end(), "private_key")
        for m in HEX_KEY.finditer(text)
        if not _nearest_cue_is_txid(text, m.start(), m.end())
    ]
    spans += [Span(m.start(), m.end(), "private_key") for m in WIF.finditer(text)]
    spans += [Span(m.start(), m.end(), "private_key") for m in EXTENDED.finditer(text)]
    return spans
