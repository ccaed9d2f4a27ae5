"""The email channel: mail in becomes tickets and messages, replies go out threaded.

- `parsed` / `parsing`: raw RFC 822 bytes → `ParsedMail`, with `headers`, `addresses`,
  `params` (MIME parameters, file names), `transfer` (encodings), `parts` (the walk over
  the MIME tree), `body` (text, HTML, attachments), `charsets` and `html` (nh3);
- `quotes`: the new text of a reply, without quoted history and signature;
- `classify`: automatic replies, bounces, bulk mail (loops and noise);
- `threading`: which ticket a message belongs to;
- `intake`: the one pipeline the three ways in share (IMAP, HTTP, `ingest_email`);
- `imap` (the mailbox poll), `webhook` (POST /api/v1/mail/inbound), and
  `manage.py ingest_email` (the MTA pipe): the three ways in.

The headers that let replies find their ticket again are written by the outbox
(`notifications.threads`).
"""
