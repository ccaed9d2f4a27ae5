"""Detectors for the chat guard (livechat.guard): each returns the spans it would mask."""
