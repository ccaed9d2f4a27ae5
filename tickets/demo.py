"""Demo teams and a few requests from the demo customer, so the console is not empty."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from helpcenter.models import BusinessCalendar
from tickets import services
from tickets.models import Macro, SlaPolicy, Team, Ticket, TicketType

# (slug, English name, Chinese name, business calendar from helpcenter's site.yaml)
TEAMS = [
    ("support-zh", "Chinese support", "中文客服", "support-24-7"),
    ("support-en", "English support", "英文客服", "support-24-7"),
    ("security", "Security desk", "安全团队", "support-24-7"),
    ("kyc-review", "KYC review", "身份认证审核", "hotline-cn"),  # local office hours
]
# Catch-all SLA targets per priority, in business minutes: first response, next, resolution.
SLA_BY_PRIORITY = {
    "urgent": (30, 60, 240),
    "high": (60, 120, 480),
    "normal": (240, 480, 1440),
    "low": (480, 960, 2880),
}
# Per type, overriding the catch-all: (type slug, first, next, resolution, team on breach).
SLA_BY_TYPE = [
    ("account-security", 15, 30, 240, "security"),
    ("complaint", 240, 480, 4320, None),
    # Reviews, on the reviewing team's calendar. KYC: decided within 3 business days of
    # the KYC team's 9-hour office day (1-3 days promised), first look within one.
    ("kyc-review", 540, 540, 1620, None),
    ("unfreeze-appeal", 60, 120, 480, None),
    ("2fa-reset", 240, 480, 1440, None),
]
# The demo chat agents' teams (the demo agent Alex is in all of them).
TEAM_AGENTS = {
    "support-zh": ["agent.zh@beacon.test", "agent.both@beacon.test"],
    "support-en": ["agent.both@beacon.test"],
    "kyc-review": ["agent.zh@beacon.test"],
    "security": ["agent.both@beacon.test"],
}
# Request topics the demo help centre's articles send customers to, beside the ones the
# migrations ship (tickets/migrations/0002_ticket_types.py): the articles name each by its
# label and link it as /requests/new/?type=<slug> (tests/helpcenter/test_demo_content.py).
# (slug, English name, Chinese name, position, fields as (name, required))
DEMO_TYPES = [
    (
        "deposit-missing-memo",
        "Deposit without memo/tag",
        "充值漏填 Memo/标签",
        5,
        [
            ("uid", True),
            ("coin", True),
            ("network", True),
            ("amount", True),
            ("txid", True),
            ("address", True),
            ("occurred_at", False),
        ],
    ),
    (
        "p2p-dispute",
        "P2P order dispute",
        "P2P 订单申诉",
        22,
        [("uid", True), ("order_id", True), ("amount", False), ("occurred_at", False)],
    ),
    (
        "futures",
        "Futures: liquidation or funding fee",
        "合约：强平或资金费用",
        24,
        [("uid", True), ("order_id", False), ("occurred_at", False)],
    ),
    (
        "earn",
        "Earn and staking",
        "理财与质押",
        26,
        [("uid", True), ("coin", False), ("amount", False)],
    ),
    (
        "campaign",
        "Campaigns and rewards",
        "活动与奖励",
        27,
        [("uid", True), ("occurred_at", False)],
    ),
]
# Where new tickets of a type go.
TYPE_TEAMS = {
    "account-security": "security",
    "kyc": "kyc-review",
    "kyc-review": "kyc-review",
    "unfreeze-appeal": "security",
    "2fa-reset": "security",
}
DEMO_REQUESTS = [
    (
        "deposit-not-credited",
        "USDT 充值两小时还没到账",
        "我从别的平台提了 USDT 过来，区块浏览器显示成功，但这里还没到账。",
        {"coin": "USDT", "network": "TRC20", "amount": "500", "txid": "9f" * 32},
    ),
    (
        "withdrawal-problem",
        "Withdrawal stuck in review",
        "My ETH withdrawal has been under review since this morning.",
        {"coin": "ETH", "network": "ERC20", "amount": "0.8", "address": "0x" + "7a" * 20},
    ),
    ("other", "How do I change my anti-phishing code?", "Where is the setting?", {}),
]


MACROS = [
    (
        "Ask for the TXID",
        "en",
        "Hello {customer_name},\n\nThank you for contacting Beacon "
        "support about request {ticket_number}. Please send us the transaction ID (TXID) and the "
        "network you used, and we will trace it at once.\n\nBest regards,\n{agent_name}",
    ),
    (
        "索取交易哈希",
        "zh-hans",
        "{customer_name}，您好：\n\n感谢您就工单 {ticket_number} 联系 "
        "Beacon 客服。请提供交易哈希（TXID）和所用的网络，我们会立即为您核查。\n\n{agent_name}",
    ),
    (
        "Solved, anything else?",
        "en",
        "Hello {customer_name},\n\nWe have solved request "
        "{ticket_number}. If anything is still wrong, just reply to this message.\n\n{agent_name}",
    ),
]


def _sla_policies() -> None:
    for priority, (first, following, resolution) in SLA_BY_PRIORITY.items():
        SlaPolicy.objects.update_or_create(
            ticket_type=None,
            priority=priority,
            defaults={
                "name": f"Default, {priority}",
                "first_response_minutes": first,
                "next_response_minutes": following,
                "resolution_minutes": resolution,
            },
        )
    for type_slug, first, following, resolution, team in SLA_BY_TYPE:
        SlaPolicy.objects.update_or_create(
            ticket_type=TicketType.objects.get(slug=type_slug),
            priority="",
            defaults={
                "name": f"{type_slug}, any priority",
                "first_response_minutes": first,
                "next_response_minutes": following,
                "resolution_minutes": resolution,
                "move_to_team_on_breach": Team.objects.filter(slug=team).first(),
            },
        )


def _ticket_types() -> None:
    # Keyed by slug; names and fields follow the demo content, as ops would set them.
    for slug, name_en, name_zh, position, spec in DEMO_TYPES:
        TicketType.objects.update_or_create(
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_zh_hans": name_zh,
                "kind": TicketType.Kind.REQUEST,
                "fields": [{"name": name, "required": required} for name, required in spec],
                "position": position,
            },
        )


@transaction.atomic
def seed(out) -> None:
    _ticket_types()
    for title, language, body in MACROS:
        Macro.objects.update_or_create(title=title, defaults={"language": language, "body": body})
    agent = User.objects.filter(email="agent@beacon.test").first()
    for slug, name_en, name_zh, calendar in TEAMS:
        team, _ = Team.objects.update_or_create(
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_zh_hans": name_zh,
                "calendar": BusinessCalendar.objects.filter(slug=calendar).first(),
            },
        )
        if agent:
            team.members.add(agent)
        team.members.add(*User.objects.filter(email__in=TEAM_AGENTS.get(slug, [])))
    for type_slug, team_slug in TYPE_TEAMS.items():
        TicketType.objects.filter(slug=type_slug, team=None).update(
            team=Team.objects.get(slug=team_slug)
        )
    _sla_policies()
    _demo_requests(out)
    _demo_emails(out)


def _demo_requests(out) -> None:
    customer = User.objects.filter(email="customer@beacon.test").first()
    if customer is None or Ticket.objects.filter(requester=customer).exists():
        out.write("  tickets: already there")
        return
    for type_slug, subject, body, values in DEMO_REQUESTS:
        ticket_type = TicketType.objects.get(slug=type_slug)
        field_values = {"uid": str(customer.uid), **values}
        services.ticket_create(
            requester=customer,
            ticket_type=ticket_type,
            subject=subject,
            body=body,
            field_values=field_values,
            language=customer.language,
        )
    out.write(f"  tickets: {len(DEMO_REQUESTS)} demo requests")


# Mail as it reaches the support mailbox: a verified customer in Chinese, a stranger,
# and a bounce. Fixed Message-IDs make seeding again a no-op (exactly once).
DEMO_EMAILS = [
    (
        "From: =?UTF-8?B?5byg5LiJ?= <customer@beacon.test>\r\nTo: support@beacon.test\r\n"
        "Subject: =?UTF-8?B?5YWF5YC85pyq5Yiw6LSm?=\r\n"
        "Message-ID: <demo-email-1@mail.example.test>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "你好，我昨天充值了 200 USDT（TRC20），到现在还没有到账。\r\n\r\n"
        "-- \r\n发自我的iPhone\r\n"
    ),
    (
        "From: Sam Lee <sam.lee@example.net>\r\nTo: support@beacon.test\r\n"
        "Subject: Please unlock my account\r\n"
        "Message-ID: <demo-email-2@example.net>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        "<p>Hi, my account is <b>locked</b>. Please remove the 2FA so I can log in.</p>"
        "<p>Thanks,<br>Sam</p>\r\n"
    ),
    (
        "From: MAILER-DAEMON@mx.example.org\r\nTo: support@beacon.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <demo-bounce-1@mx.example.org>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n--b--\r\n"
    ),
]


def _demo_emails(out) -> None:
    from tickets.mail.intake import email_ingest

    made = sum(email_ingest(raw.encode(), source="pipe").created for raw in DEMO_EMAILS)
    out.write(f"  emails: {made} demo emails ingested")
