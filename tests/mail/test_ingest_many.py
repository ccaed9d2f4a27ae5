"""`manage.py ingest_email PATH ...`: a backlog (files, a Maildir, an mbox) in one run,
each message exactly once, so the replay can be run again (issue 17)."""

from __future__ import annotations

import io
import mailbox

import pytest
from django.core.management import call_command

from tests.mail.builders import customer_email
from tickets.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scratch_media(private_media, settings):
    settings.BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR = 1000


def run(*paths) -> str:
    out = io.StringIO()
    call_command("ingest_email", *[str(p) for p in paths], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_files_a_maildir_and_an_mbox_in_one_run_and_again_changes_nothing(tmp_path):
    loose = tmp_path / "one.eml"
    loose.write_bytes(customer_email(sender="a@example.test", subject="Loose").as_bytes())
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for n in range(3):
        maildir.add(customer_email(sender=f"m{n}@example.test", subject=f"Maildir {n}").as_bytes())
    mbox = mailbox.mbox(tmp_path / "backlog.mbox")
    for n in range(2):
        mbox.add(customer_email(sender=f"x{n}@example.test", subject=f"Mbox {n}").as_bytes())
    mbox.flush()

    summary = run(loose, tmp_path / "Maildir", tmp_path / "backlog.mbox")
    assert "6 stored" in summary
    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert subjects == {"Loose", "Maildir 0", "Maildir 1", "Maildir 2", "Mbox 0", "Mbox 1"}

    again = run(loose, tmp_path / "Maildir", tmp_path / "backlog.mbox")
    assert "6 already stored" in again
    assert InboundEmail.objects.count() == 6


def test_an_empty_file_is_refused_by_name_and_the_rest_still_stored(tmp_path):
    (tmp_path / "a.eml").write_bytes(b"")
    (tmp_path / "b.eml").write_bytes(customer_email(sender="b@example.test").as_bytes())
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("ingest_email", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 65
    assert "a.eml" in err.getvalue()
    assert InboundEmail.objects.count() == 1
