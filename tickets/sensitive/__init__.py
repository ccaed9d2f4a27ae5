"""The sensitive-data guard for everything customers type: chat messages and tickets.

`tickets.sensitive.guard.scan` is the entry point; the other modules are its detectors
(one per kind), each returning the spans it would mask. It lives in tickets because
livechat may use tickets but never the reverse, and both need it.
"""
