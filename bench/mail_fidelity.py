"""Email fidelity: how often Beacon reads what a person sent (sender, subject, the opening
of the body, the attachments), on the shared corpus it was tuned on and, beside it, on a
held-out set it never saw.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon \
        python bench/mail_fidelity.py [--quick] [--heldout DIR]

Two sets, each scored by the parser alone and (not with `--quick`) as stored, after the
whole pipeline on a scratch database (what the agent sees on the ticket: a message that
was refused as a duplicate, filed as noise or lost its attachments scores as lost):

- **shared**: ../shared/corpora/mail (the Ruby mail gem's fixtures, MIT). It carries no
  expectations, so they are an independent reading made now with the standard
  library's strict parser (policy.default); a field the stdlib cannot read is not
  scored. This is the set the parser rules were fixed on.
- **held-out**: a directory of messages with an `expected.json` written by someone else
  ({"file": {"sender", "subject", "body" (opening; "" for no visible content),
  "attachments": [names]}}), by default $BEACON_MAIL_HELDOUT or /tmp/heldout/zammad.
  Not in the repository (see bench/README.md for what was used and why).

Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import email
import json
import logging
import os
import re
import sys
import tempfile
from email import policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import ROOT, SHARED, django_on_scratch_database, drop_scratch_database, emit  # noqa: E402

CORPUS = SHARED / "corpora" / "mail"
FIELDS = ("sender", "subject", "body", "attachments")
_TAG = re.compile(r"<[^>]+>")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _opening(text: str) -> str:
    """The first non-empty line, at most 40 characters, whitespace squashed."""
    for line in text.splitlines():
        if line.strip():
            return _squash(line)[:40]
    return ""


# ------------------------------------------------------------------ expectations


def stdlib_expectation(raw: bytes) -> dict:
    """What the standard library's strict reading says; a field it cannot read is None."""
    found: dict = dict.fromkeys(FIELDS)
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
    except Exception:
        return found
    _read_fields(message, found)
    for field, value in found.items():  # what the stdlib could not decode is not scored
        text = json.dumps(value, ensure_ascii=False) if value is not None else ""
        if _UNREADABLE.search(text) or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            found[field] = None
    return found


_UNREADABLE = re.compile(r"\ufffd|\\ud[c-f]|[\u0080-\u009f]|Ã.")


def _read_fields(message, found: dict) -> None:
    try:
        addresses = message["From"].addresses if message["From"] is not None else ()
        if addresses and addresses[0].addr_spec and "@" in addresses[0].addr_spec:
            found["sender"] = addresses[0].addr_spec.lower()
    except Exception:
        pass
    try:
        if message["Subject"] is not None:
            found["subject"] = _squash(str(message["Subject"]))
    except Exception:
        pass
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if body is not None:
            text = body.get_content()
            if body.get_content_type() == "text/html":
                text = _TAG.sub(" ", text)
            found["body"] = _opening(text)
    except Exception:
        pass
    try:
        names = [part.get_filename() for part in message.iter_attachments()]
        found["attachments"] = sorted(n for n in names if n)
    except Exception:
        pass


def shared_set() -> list[tuple[str, bytes, dict]]:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.name.startswith("LICENSE"))
    if not files:
        sys.exit(f"no corpus at {CORPUS} (set BEACON_SHARED_DIR)")
    out = []
    for path in files:
        raw = path.read_bytes()
        if raw.strip():
            out.append((str(path.relative_to(CORPUS)), raw, stdlib_expectation(raw)))
    return out


def heldout_set(folder: Path) -> list[tuple[str, bytes, dict]]:
    manifest = folder / "expected.json"
    if not manifest.is_file():
        return []
    expected = json.loads(manifest.read_text("utf-8"))
    return [(name, (folder / name).read_bytes(), want) for name, want in sorted(expected.items())]


# ------------------------------------------------------------------ scoring


def agrees(field: str, want, got) -> bool:
    if field == "sender":
        return (got or "").lower() == want.lower()
    if field == "subject":
        return _squash(got or "") == _squash(want)
    if field == "body":
        text = _squash(got or "")
        return not text if not want else _squash(want)[:40] in text
    names = {name.lower() for name in (got or [])}
    return all(name.lower() in names for name in want)


def parsed_reading(raw: bytes) -> dict:
    from tickets.mail.parsing import parse_message

    try:
        mail = parse_message(raw)
    except Exception:
        return dict.fromkeys(FIELDS)
    return {
        "sender": mail.sender.address,
        "subject": mail.subject,
        "body": mail.text,
        "attachments": [a.filename for a in mail.attachments],
    }


def stored_reading(raw: bytes) -> dict:
    """What the agent sees on the ticket after the whole pipeline."""
    from tickets.mail.intake import UNKNOWN_SENDER, email_ingest

    try:
        intake = email_ingest(raw, source="pipe")
    except Exception:
        return dict.fromkeys(FIELDS)
    # A second copy of a message shows what the first stored (a true duplicate reads the
    # same; two different messages wrongly merged read as the other one: a loss).
    inbound = intake.inbound
    message = inbound.ticket_message
    if message is None or inbound.outcome == "unparseable":
        return dict.fromkeys(FIELDS)
    body = message.body
    if body in _PLACEHOLDERS:  # what Beacon writes on a ticket for a message with no text
        body = ""
    subject = inbound.ticket.subject if inbound.outcome == "ticket" else inbound.subject
    if subject == "(no subject)":
        subject = ""
    requester = inbound.ticket.requester.email if inbound.outcome == "ticket" else inbound.sender
    return {
        "sender": "" if requester == UNKNOWN_SENDER else requester,
        "subject": subject,
        "body": body,
        "attachments": [a.original_name for a in message.attachments.all()],
    }


_PLACEHOLDERS = {"(empty email)", "(no text; see the attachments)"}


def score(items, reader) -> tuple[dict, list[str]]:
    hits = dict.fromkeys(FIELDS, 0)
    counted = dict.fromkeys(FIELDS, 0)
    misses = []
    for name, raw, want in items:
        got = reader(raw)
        for field in FIELDS:
            if want.get(field) is None:
                continue
            if field == "attachments" and not want[field]:
                continue  # scored only where the message has attachments
            counted[field] += 1
            if agrees(field, want[field], got[field]):
                hits[field] += 1
            else:
                misses.append(
                    f"{name}: {field} expected {want[field]!r}, got {str(got[field])[:80]!r}"
                )
    result = {
        field: (round(100 * hits[field] / counted[field], 1) if counted[field] else None)
        for field in FIELDS
    }
    result["n"] = counted
    return result, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the parser alone, no database")
    parser.add_argument(
        "--heldout",
        type=Path,
        default=Path(os.environ.get("BEACON_MAIL_HELDOUT", "/tmp/heldout/zammad")),
    )
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    sets = {"shared": None, "heldout": heldout_set(args.heldout)}
    name = None
    if args.quick:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        import django

        django.setup()
    else:
        name = django_on_scratch_database()
    try:
        sets["shared"] = shared_set()
        results: dict = {}
        for label, items in sets.items():
            if not items:
                results[label] = None
                continue
            results[label] = {"messages": len(items)}
            results[label]["parsed"], misses = score(items, parsed_reading)
            if not args.quick:
                from django.conf import settings

                settings.BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR = 1_000_000
                settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="beacon-fidelity-")
                results[label]["stored"], stored_misses = score(items, stored_reading)
                misses += [f"stored {m}" for m in stored_misses]
            if args.misses:
                for miss in misses:
                    print(f"  [{label}] {miss}")
    finally:
        if name:
            drop_scratch_database(name)
    print(f"{'agreement %':<22}" + "".join(f"{label:>22}" for label in results))
    for how in ("parsed", "stored"):
        for field in FIELDS:
            cells = []
            for label in results:
                value = (results[label] or {}).get(how, {}).get(field) if results[label] else None
                n = (
                    (results[label] or {}).get(how, {}).get("n", {}).get(field)
                    if results[label]
                    else None
                )
                cells.append("-" if value is None else f"{value:.1f} (n={n})")
            if any(cell != "-" for cell in cells):
                print(f"{how + ' ' + field:<22}" + "".join(f"{cell:>22}" for cell in cells))
    line = {"bench": "mail_fidelity", "quick": args.quick}
    for label, result in results.items():
        if result:
            line[label] = {
                how: {f: result[how][f] for f in FIELDS}
                for how in ("parsed", "stored")
                if how in result
            }
            line[label]["messages"] = result["messages"]
    emit(line)


if __name__ == "__main__":
    main()
