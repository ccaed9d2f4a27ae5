from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from helpcenter.models import Article, ArticleCategory

pytestmark = pytest.mark.django_db

ARTICLE = """---
id: {id}
lang: {lang}
title: "{title}"
category: wallets
tags: [cold wallet, 冷钱包]
updated: 2026-03-01
---

# {title}

Keep most coins in a cold wallet.
"""


def write(tmp_path: Path, name: str, **fields) -> Path:
    path = tmp_path / name
    path.write_text(ARTICLE.format(**fields), encoding="utf-8")
    return path


def test_import_articles_links_translations_by_id(tmp_path):
    # given
    write(tmp_path, "a.en.md", id="cold-wallet", lang="en", title="Cold wallets")
    write(tmp_path, "a.zh.md", id="cold-wallet", lang="zh-hans", title="冷钱包")
    # when
    call_command("import_articles", str(tmp_path), stdout=StringIO())
    # then
    versions = Article.objects.filter(slug="cold-wallet").order_by("lang")
    assert [(a.lang, a.title) for a in versions] == [("en", "Cold wallets"), ("zh-hans", "冷钱包")]
    assert versions[0].status == Article.Status.PUBLISHED
    assert versions[0].tags == ["cold wallet", "冷钱包"]
    assert ArticleCategory.objects.filter(slug="wallets").exists()


def test_import_articles_again_updates_and_never_duplicates(tmp_path):
    # given
    path = write(tmp_path, "a.en.md", id="cold-wallet", lang="en", title="Cold wallets")
    call_command("import_articles", str(path), stdout=StringIO())
    # when: unchanged, then changed
    out = StringIO()
    call_command("import_articles", str(path), stdout=out)
    write(tmp_path, "a.en.md", id="cold-wallet", lang="en", title="Cold storage")
    call_command("import_articles", str(path), stdout=out)
    # then
    assert "1 unchanged" in out.getvalue() and "1 updated" in out.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["Cold storage"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("no front matter", "no YAML front matter"),
        ("---\nid: x\n---\nbody", "lacks 'lang'"),
        (
            "---\nid: x\nlang: fr\ntitle: t\ncategory: c\nupdated: 2026-01-01\n---\nbody",
            "lang 'fr'",
        ),
        (
            "---\nid: Bad Id!\nlang: en\ntitle: t\ncategory: c\nupdated: 2026-01-01\n---\nbody",
            "must be lower-case",
        ),
        ("---\nid: x\nlang: en\ntitle: t\ncategory: c\nupdated: someday\n---\nbody", "not a date"),
        ("---\n: : :\n---\nbody", "not valid YAML"),
    ],
)
def test_import_articles_reports_bad_files_and_imports_the_good(tmp_path, text, message):
    # given
    (tmp_path / "bad.md").write_text(text, encoding="utf-8")
    write(tmp_path, "good.md", id="good", lang="en", title="Good")
    err = StringIO()
    # when
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    # then
    assert message in err.getvalue()
    assert list(Article.objects.values_list("slug", flat=True)) == ["good"]


def test_import_articles_rejects_missing_path():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_articles", "/nonexistent/path", stdout=StringIO())


def test_import_articles_loads_the_shared_corpus(kb_corpus):
    out = StringIO()
    call_command("import_articles", str(kb_corpus), stdout=out)
    assert Article.objects.filter(status="published").count() == 160
    assert Article.objects.values("slug").distinct().count() == 80
