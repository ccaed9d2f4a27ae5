"""The email channel: mail in becomes tickets and messages, replies go out threaded.

- `parsed` / `parsing`: raw RFC 822 bytes → `ParsedMail` (charsets, parts, names, HTML);
- `quotes`: the new text of a reply, without quoted history and signature;
- `classify`: automatic replies, bounces, bulk mail (loops and noise);
- `threading`: which ticket a message belongs to;
- `intake`: the one pipeline the three ways in share (IMAP, HTTP, `ingest_email`);
- `outbound`: the headers that let replies find their ticket again.
"""
