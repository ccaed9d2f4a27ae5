"""Bytes to text by the charset a message declares, with the aliases real mail needs.

Mail labels its text with the narrow standard name (GB2312, Big5, Shift_JIS, EUC-KR) but
is written by Windows and phone mailers that use the vendor supersets, so a label is read
as its superset. When the label is missing, unknown or wrong, the bytes are tried as
UTF-8, then as the charsets the rest of the message used (`hints`), then as
charset-normalizer's best guess, then as Windows-1252 / Latin-1, which never fail.
"""

from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

import charset_normalizer

# Labels seen in mail that Python does not know, or knows as the narrower charset.
# Each maps to the codecs to try in order; the first that decodes strictly wins.
_LABEL_CODECS: dict[str, tuple[str, ...]] = {
    "x-gbk": ("gb18030",),
    "x-gb2312": ("gb18030",),
    "gb_2312-80": ("gb18030",),
    "csgb2312": ("gb18030",),
    "x-euc-cn": ("gb18030",),
    "windows-936": ("gb18030",),
    "ms936": ("gb18030",),
    "x-big5": ("big5hkscs", "cp950"),
    "cn-big5": ("big5hkscs", "cp950"),
    "csbig5": ("big5hkscs", "cp950"),
    "x-sjis": ("cp932", "shift_jis_2004"),
    "s-jis": ("cp932", "shift_jis_2004"),
    "shift-jis": ("cp932", "shift_jis_2004"),
    "windows-31j": ("cp932", "shift_jis_2004"),
    "x-ms-cp932": ("cp932", "shift_jis_2004"),
    "csshiftjis": ("cp932", "shift_jis_2004"),
    "x-euc-jp": ("euc_jp", "euc_jis_2004"),
    "ks_c_5601-1987": ("cp949",),
    "ks_c_5601": ("cp949",),
    "ks_c_5601-1989": ("cp949",),
    "ksc5601": ("cp949",),
    "ksc_5601": ("cp949",),
    "windows-949": ("cp949",),
    "uhc": ("cp949",),
    "x-windows-949": ("cp949",),
    "x-unicode20utf7": ("utf-7",),
    "unicode-1-1-utf-8": ("utf-8",),
    "x-unicode20utf8": ("utf-8",),
    "iso-8859-8-i": ("iso8859-8",),
}

# Python codec name (after codecs.lookup) -> the superset(s) to read it with.
_CODEC_SUPERSETS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "big5": ("big5hkscs", "cp950"),
    "euc_kr": ("cp949",),
    "shift_jis": ("cp932", "shift_jis_2004"),
    "euc_jp": ("euc_jp", "euc_jis_2004"),
    # Mail labelled ISO-2022-JP often carries half-width kana or NEC/IBM extensions
    # (circled digits, 株): each superset, then a CP932 reading of the JIS bytes.
    "iso2022_jp": ("iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_2", "x-iso2022-jp-cp932"),
    # As browsers do (WHATWG): "ISO-8859-1" text is in practice Windows-1252.
    "iso8859-1": ("cp1252", "latin-1"),
    "tis-620": ("cp874",),
    "iso8859-11": ("cp874",),
    "iso8859-9": ("cp1254", "iso8859-9"),
}

# Labels that say "I don't know": treated like a missing charset.
_NO_CHARSET = {"", "none", "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "default"}
# Text codecs that are not charsets and must never run on mail bytes.
_NOT_CHARSETS = {"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode"}
# Codecs whose text may be pure ASCII bytes yet still need decoding.
_SEVEN_BIT_ENCODINGS = ("utf-7", "utf_16", "utf-16", "utf_32", "utf-32", "iso2022", "hz")
# A JIS X 0208 designation inside otherwise ASCII bytes: undeclared ISO-2022-JP.
_JIS_ESCAPE = re.compile(rb"\x1b\$[@B]")
_ASCII_BYTES = bytes(range(128))
# What charset-normalizer may answer, in the order that breaks its ties: the charsets
# undeclared mail is really written in, Beacon's customers' first. Left to itself it
# calls short Latin-1 text UTF-16 or Cyrillic ("café" -> "cafй") and GBK Thai.
_GUESSABLE = [
    "utf_8",
    "cp1252",
    "gb18030",
    "big5hkscs",
    "cp932",
    "cp949",
    "euc_jp",
    "cp1251",
    "koi8_r",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp874",
    "cp1258",
]
# Guesses this close in "chaos" are equally plausible for short text.
_TIE = 0.02
# Characters a wrong guess produces and real text rarely has: half-width katakana,
# Hangul compatibility jamo, C1 controls, private use.
_IMPLAUSIBLE = re.compile("[\uff61-\uff9f\u3131-\u318e\u0080-\u009f\ue000-\uf8ff]")


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str  # the codec that produced `text`
    # The bytes were read in another charset than the declared one (or, declaring none,
    # were neither ASCII nor UTF-8): worth a note to the agent.
    guessed: bool = False


def normalise_label(label: str | None) -> str:
    """ "GB2312", 'utf-8*en' (RFC 2231 language), ' "UTF-8" ' -> "gb2312", "utf-8"."""
    if not label:
        return ""
    return label.strip().strip("\"'").split("*", 1)[0].strip().lower()


@lru_cache(maxsize=512)
def codecs_for(label: str | None) -> tuple[str, ...]:
    """The codecs to try for a declared charset label, best first; () when unknown."""
    name = normalise_label(label)
    if name in _NO_CHARSET:
        return ()
    if name in _LABEL_CODECS:
        return _LABEL_CODECS[name]
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return ()
    # codecs.lookup also finds bytes-to-bytes codecs (base64, zlib, rot13) and escape
    # codecs; a declared charset must name a real text encoding.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return ()
    return _CODEC_SUPERSETS.get(info.name, (info.name,))


def decode_bytes(data: bytes, declared: str | None = None, hints: tuple[str, ...] = ()) -> Decoded:
    """Decode `data` labelled `declared`; never raises, never returns surrogates.

    `hints` are other charsets the same message used (its encoded words, its other
    parts): a body that declares nothing is most likely in one of those.
    """
    candidates = codecs_for(declared)
    if data.isascii() and not _needs_decoding(candidates):
        if not candidates and _JIS_ESCAPE.search(data):
            jis = _first_strict(data, _CODEC_SUPERSETS["iso2022_jp"])
            if jis:
                return jis
        return Decoded(data.decode("ascii"), "ascii")

    if not _needs_decoding(candidates):
        utf8 = _as_utf8(data, candidates)
        if utf8:
            return utf8
    found = _first_strict(data, candidates)
    if found:
        return found

    for hint in hints:
        found = _first_strict(data, codecs_for(hint))
        if found:
            return Decoded(found.text, found.charset, guessed=True)
    guess = _normalizer_guess(data)
    if guess:
        return Decoded(guess.text, guess.charset, guessed=True)
    for codec in candidates:
        if codec != "ascii" and not codec.startswith("x-"):
            return Decoded(data.decode(codec, "replace"), codec, guessed=True)
    try:
        return Decoded(data.decode("cp1252"), "cp1252", guessed=True)
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1", guessed=True)


def _as_utf8(data: bytes, candidates: tuple[str, ...]) -> Decoded | None:
    """UTF-8 when the bytes are valid UTF-8 and the label does not clearly say otherwise.

    Valid multi-byte UTF-8 almost never happens by chance in GBK, Big5 or Latin-1 text,
    while UTF-8 mislabelled as one of those is common (mailers that copy the label of
    the message they answer). A lone short sequence could be chance, so a label other
    than ASCII/Latin-1 is only overruled by at least four 8-bit bytes.
    """
    try:
        text = data.decode("utf-8-sig")  # Windows editors start UTF-8 with a BOM
    except UnicodeDecodeError:
        return None
    if not candidates or candidates[0] in ("utf-8", "ascii"):
        return Decoded(text, "utf-8")
    if candidates[0] != "cp1252" and len(data.translate(None, _ASCII_BYTES)) < 4:
        return None
    return Decoded(text, "utf-8", guessed=True)


def _needs_decoding(candidates: tuple[str, ...]) -> bool:
    return bool(candidates) and candidates[0].startswith(_SEVEN_BIT_ENCODINGS)


def _first_strict(data: bytes, candidates: tuple[str, ...]) -> Decoded | None:
    for codec in candidates:
        try:
            if codec == "x-iso2022-jp-cp932":
                text = _iso2022jp_as_cp932(data)
            else:
                text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return Decoded(text, codec)
    return None


def _normalizer_guess(data: bytes) -> Decoded | None:
    try:
        matches = list(charset_normalizer.from_bytes(data, cp_isolation=_GUESSABLE))
        if not matches:
            return None
        scored = [(match.chaos + _implausible_share(str(match)), match) for match in matches]
        best_score = min(score for score, _match in scored)
        # Short text leaves several charsets about equally plausible; take ours first.
        tied = [match for score, match in scored if score <= best_score + _TIE]
        best = min(tied, key=lambda m: _GUESS_ORDER.get(m.encoding, len(_GUESS_ORDER)))
        return Decoded(str(best), best.encoding)
    except Exception:  # a third-party guesser must not take the parse down with it
        return None


def _implausible_share(text: str) -> float:
    sample = text[:2000]
    return len(_IMPLAUSIBLE.findall(sample)) / max(1, len(sample))


_GUESS_ORDER = {name: rank for rank, name in enumerate(_GUESSABLE)}
_JIS_DESIGNATION = re.compile(rb"\x1b(\$[@B]|\$\(D|\([BJI])")


def _iso2022jp_as_cp932(data: bytes) -> str:
    """Read ISO-2022-JP by converting its JIS X 0208 pairs to Shift_JIS and decoding as
    CP932, which knows the NEC and IBM extension rows Windows mailers put in JIS mail."""
    out = bytearray()
    mode = b"(B"
    pos = 0
    for match in _JIS_DESIGNATION.finditer(data):
        out += _jis_chunk(data[pos : match.start()], mode)
        mode = match.group(1)
        pos = match.end()
    out += _jis_chunk(data[pos:], mode)
    return out.decode("cp932")


def _jis_chunk(chunk: bytes, mode: bytes) -> bytes:
    if mode in (b"$@", b"$B"):
        converted = bytearray()
        i = 0
        while i < len(chunk):
            high = chunk[i]
            if high in (0x0A, 0x0D):  # a line break inside a two-byte run
                converted.append(high)
                i += 1
                continue
            low = chunk[i + 1] if i + 1 < len(chunk) else 0
            if not (0x21 <= high <= 0x7E and 0x21 <= low <= 0x7E):
                raise UnicodeDecodeError("iso2022_jp", chunk, i, i + 2, "not a JIS X 0208 pair")
            lead = (high + 1) // 2 + (0x70 if high <= 0x5E else 0xB0)
            if high % 2:
                trail = low + (0x1F if low <= 0x5F else 0x20)
            else:
                trail = low + 0x7E
            converted += bytes((lead, trail))
            i += 2
        return bytes(converted)
    if mode == b"(I":  # half-width katakana: JIS X 0201 0x21-0x5F -> 0xA1-0xDF
        return bytes(b + 0x80 if 0x21 <= b <= 0x5F else b for b in chunk)
    if mode == b"$(D":
        raise UnicodeDecodeError("iso2022_jp", chunk, 0, len(chunk), "JIS X 0212")
    if not chunk.isascii():
        raise UnicodeDecodeError("iso2022_jp", chunk, 0, len(chunk), "8-bit byte")
    return chunk


# RFC 2047 encoded words. The text part is matched loosely (spaces and "?" included)
# because broken mailers put raw spaces and question marks inside them.
_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([QqBb])\?(.*?)\?=", re.DOTALL)
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")


def encoded_word_charsets(value: str) -> list[str]:
    """The charsets a header's encoded words declare ("=?GB2312?B?...?=" -> "gb2312")."""
    if "=?" not in value:
        return []
    return [normalise_label(m.group(1)) for m in _ENCODED_WORD.finditer(value)]


def decode_header_text(value: str, hints: tuple[str, ...] = ()) -> str:
    """Decode a raw header value: 8-bit bytes (kept as surrogate escapes by the stdlib
    parser) and RFC 2047 encoded words, with the same charset rules as bodies.

    Adjacent encoded words in one charset are joined as bytes before decoding, because
    CJK mailers split a character's bytes across two words.
    """
    if not value.isascii():
        raw = value.encode("utf-8", "surrogateescape")
        value = decode_bytes(raw, None, hints).text
    if "=?" not in value:
        return value
    pieces: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    last_end = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            pieces.append(decode_bytes(bytes(pending), pending_charset, hints).text)
            pending.clear()
            pending_charset = None

    for match in _ENCODED_WORD.finditer(value):
        between = value[last_end : match.start()]
        # Whitespace between two encoded words is folding, not text (RFC 2047 §6.2).
        if between and not (pending_charset is not None and between.isspace()):
            flush()
            pieces.append(between)
        charset = normalise_label(match.group(1))
        data = _decode_word(match.group(2), match.group(3))
        if data is None:
            flush()
            pieces.append(match.group(0))
        else:
            if pending_charset is not None and charset != pending_charset:
                flush()
            pending_charset = charset
            pending += data
        last_end = match.end()
    flush()
    pieces.append(value[last_end:])
    return "".join(pieces)


def _decode_word(encoding: str, text: str) -> bytes | None:
    try:
        if encoding in "Bb":
            cleaned = _NOT_BASE64.sub("", text)
            if len(cleaned) % 4 == 1:  # a stray last character cannot carry a byte
                cleaned = cleaned[:-1]
            return binascii.a2b_base64(cleaned + "=" * (-len(cleaned) % 4))
        return binascii.a2b_qp(text.encode("utf-8", "surrogateescape"), header=True)
    except (binascii.Error, ValueError):
        return None
