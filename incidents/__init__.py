"""Incident mode: when a chain halts or a wallet is in maintenance, one place to say so.

An operations lead declares an incident; the maintenance banner and an announcement go
up from it; the bot answers matching questions with its status first and the request
form tells a customer that what they are about to report is known; matching new tickets
and chats are linked to it (the uncertain ones wait in a review list); updates reach every
linked customer in their language through the outbox, and resolving it solves the linked
tickets.

A top-level app: it uses tickets, livechat and helpcenter through their public services,
and they know nothing of it (they offer hooks: livechat.bot.notices, tickets.form_notices,
and a Ticket's post_save).
"""
