"""The forum categories Beacon ships with (no page creates categories; operators add more
with community.services.category_create). get_or_create: a no-op when they exist."""

from django.db import migrations

CATEGORIES = [
    (
        "getting-started",
        "Getting started",
        "新手入门",
        "Sign-up, identity verification and your first deposit.",
        "注册、身份认证和首次充值。",
    ),
    (
        "account-security",
        "Account security",
        "账户安全",
        "2FA, anti-phishing code, suspicious sign-ins and scams.",
        "双重验证、防钓鱼码、可疑登录和诈骗防范。",
    ),
    (
        "deposits-withdrawals",
        "Deposits and withdrawals",
        "充值与提币",
        "Networks, memos, confirmations and fees.",
        "网络、备注、区块确认和手续费。",
    ),
    (
        "trading",
        "Trading",
        "交易",
        "Spot, futures, P2P and earn products.",
        "现货、合约、P2P 和理财产品。",
    ),
]


def create(apps, schema_editor):
    category = apps.get_model("community", "ForumCategory")
    for position, (slug, name_en, name_zh, text_en, text_zh) in enumerate(CATEGORIES, start=1):
        category.objects.get_or_create(
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_zh_hans": name_zh,
                "description_en": text_en,
                "description_zh_hans": text_zh,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0002_article_draft_action")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
