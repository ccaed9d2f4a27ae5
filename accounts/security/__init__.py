"""The customer's security page: login history, sessions, new-device alerts, anti-phishing
code, and re-authenticated changes of email, phone and password."""
