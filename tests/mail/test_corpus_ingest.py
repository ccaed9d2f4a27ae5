"""Every message of the shared real-world corpus goes through the whole pipeline on
PostgreSQL: it becomes a ticket, a threaded message, or a recorded bounce or automatic
reply, never an exception; its text reaches the ticket in readable characters."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.exceptions import ApplicationError
from tickets.mail.intake import email_ingest
from tickets.mail.parsing import parse_message
from tickets.mail.quotes import split_reply
from tickets.models import InboundEmail, TicketMessage

SHARED = Path(os.environ.get("BEACON_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
CORPUS = SHARED / "corpora" / "mail"
# What a message may become; "unparseable" would mean one we failed to read.
ACCEPTED = {"ticket", "reply", "follow_up", "note", "bounce", "auto_reply", "bulk", "loop"}


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    """The shared corpus, read in place. CI always has it beside the clone, so there a
    missing corpus fails; a developer without ../shared is told how to point at it."""
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared mail corpus is missing at {CORPUS}")
        pytest.skip(f"the shared mail corpus is not at {CORPUS} (set BEACON_SHARED_DIR)")
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.name.startswith("LICENSE"))
    assert len(files) >= 90, f"only {len(files)} messages at {CORPUS}"
    return files


@pytest.fixture
def many_per_hour(settings):
    # The corpus has many messages from one sender; the rate limit is tested elsewhere.
    settings.BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR = 10_000


@pytest.mark.django_db
def test_every_corpus_message_is_ingested_into_something_an_agent_can_use(
    corpus_files, many_per_hour, private_media
):
    files = corpus_files
    outcomes: dict[str, list[str]] = {}
    created = 0
    for path in files:
        raw = path.read_bytes()
        if not raw.strip():  # the corpus's one empty file is no message: refused, clearly
            with pytest.raises(ApplicationError, match="empty"):
                email_ingest(raw, source="pipe")
            continue
        intake = email_ingest(raw, source="pipe")
        inbound = intake.inbound
        assert intake.outcome in ACCEPTED, f"{path.name}: {intake.outcome} {inbound.detail}"
        if intake.created:  # a few corpus files share a Message-ID: stored once
            created += 1
            outcomes.setdefault(intake.outcome, []).append(path.name)
            if intake.outcome in {"ticket", "reply", "follow_up", "note"}:
                _assert_text_arrived(path, inbound)
    assert InboundEmail.objects.count() == created
    assert len(outcomes["ticket"]) > len(files) / 2, outcomes


def _assert_text_arrived(path: Path, inbound: InboundEmail) -> None:
    """The first words of the message's new text are on the ticket, as they were written."""
    parsed = parse_message(path.read_bytes())
    new_text = split_reply(parsed.text)[0] if inbound.outcome != "ticket" else parsed.text
    message: TicketMessage = inbound.ticket_message
    assert message is not None, path.name
    for word in new_text.split()[:5]:
        assert word in message.body, f"{path.name}: {word!r} missing from the ticket"
    assert inbound.text == parsed.text[: len(inbound.text)]


@pytest.mark.django_db
def test_corpus_messages_in_asian_charsets_arrive_readable(
    corpus_files, many_per_hour, private_media
):
    expectations = {
        "multi_charset/japanese_shift_jis.eml": None,
        "multi_charset/japanese_iso_2022.eml": None,
        "multi_charset/ks_c_5601-1987.eml": None,
    }
    for relative in expectations:
        path = CORPUS / relative
        if not path.exists():
            pytest.fail(f"{relative} is missing from the corpus")
        inbound = email_ingest(path.read_bytes(), source="pipe").inbound
        text = inbound.subject + inbound.text
        assert any(
            "\u3040" <= ch <= "\u30ff" or "\uac00" <= ch <= "\ud7a3" or "\u4e00" <= ch <= "\u9fff"
            for ch in text
        ), relative
        assert "\ufffd" not in text, relative
