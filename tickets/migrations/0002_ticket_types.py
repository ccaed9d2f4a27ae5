"""The request types Beacon ships with; ops edit or add more in the admin."""

from django.db import migrations

R, O = True, False  # required, optional


def fields(*pairs):
    return [{"name": name, "required": required} for name, required in pairs]


TYPES = [
    (
        "deposit-not-credited",
        "Deposit not credited",
        "充值未到账",
        "request",
        fields(
            ("uid", R),
            ("coin", R),
            ("network", R),
            ("amount", R),
            ("txid", R),
            ("occurred_at", O),
            ("address", O),
        ),
    ),
    (
        "withdrawal-problem",
        "Withdrawal problem",
        "提币问题",
        "request",
        fields(
            ("uid", R),
            ("coin", R),
            ("network", R),
            ("amount", R),
            ("address", R),
            ("txid", O),
            ("occurred_at", O),
        ),
    ),
    (
        "trading-order",
        "Trading / order problem",
        "交易 / 订单问题",
        "request",
        fields(("uid", R), ("order_id", R), ("occurred_at", O)),
    ),
    (
        "account-security",
        "Account security",
        "账户安全",
        "request",
        fields(("uid", R), ("occurred_at", O)),
    ),
    ("kyc", "Identity verification (KYC)", "身份认证（KYC）", "request", fields(("uid", R))),
    ("api", "API", "API", "request", fields(("uid", R), ("occurred_at", O))),
    (
        "app-website",
        "App or website problem",
        "App 或网站问题",
        "request",
        fields(("occurred_at", O)),
    ),
    ("complaint", "Complaint", "投诉", "complaint", fields(("uid", O))),
    (
        "asset-recovery",
        "Asset recovery appeal",
        "资产找回申请",
        "request",
        fields(
            ("uid", R),
            ("coin", R),
            ("network", R),
            ("amount", R),
            ("txid", R),
            ("address", O),
            ("occurred_at", O),
        ),
    ),
    ("other", "Other", "其他", "request", fields(("uid", O))),
]


def create(apps, schema_editor):
    TicketType = apps.get_model("tickets", "TicketType")
    for position, (slug, name_en, name_zh, kind, spec) in enumerate(TYPES):
        TicketType.objects.get_or_create(
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_zh_hans": name_zh,
                "kind": kind,
                "fields": spec,
                "position": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
