"""Files Beacon itself makes for a ticket (a chat transcript), as opposed to uploads.

Uploads must be media (tickets.attachments checks their bytes); a file Beacon wrote
from its own data is known plain text. Either way it is served only as a sandboxed
download (tickets.views.customer._private_download).
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile

from tickets.models import TicketAttachment, TicketMessage


def ticket_attach_text(*, message: TicketMessage, name: str, text: str) -> TicketAttachment:
    """Attach `text` (UTF-8) to `message` as `name`; call inside the caller's transaction."""
    data = text.encode("utf-8")
    attachment = TicketAttachment(
        message=message,
        original_name=name[:200],
        content_type="text/plain; charset=utf-8",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment
