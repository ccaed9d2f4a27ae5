"""SLA clocks: targets per type and priority, due times on the ticket, escalation sweeps.

`clock` is the pure arithmetic (no database); `policies` picks a ticket's policy and
calendar; `service` keeps a ticket's stored due times right after every change; `sweep`
escalates the tickets that fall due.
"""
