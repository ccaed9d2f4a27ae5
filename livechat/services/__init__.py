"""Writes to livechat; one module per concern, each function in one transaction."""
