"""A misspelt word no article holds is read as a word several articles' bodies share
(helpcenter/search/typos.py); words of English and proper names are left alone."""

from __future__ import annotations

import pytest

from helpcenter.search import engine, typos

pytestmark = pytest.mark.django_db


@pytest.fixture
def help_centre(article_factory):
    # "receive", "file", "maker" and "count" each in three bodies, never in a title
    shared = "File a request if the maker fee does not count."
    bodies = [
        (
            "deposit-missing",
            "Deposit not credited",
            "If you did not receive the coins, check the memo.",
        ),
        ("withdrawal-pending", "Withdrawal still processing", "The wallet may receive them late."),
        ("internal-transfer", "Sending to another Beacon user", "They receive it at once."),
    ]
    for slug, title, body in bodies:
        article_factory(slug=slug, lang="en", title=title, body_markdown=f"{body} {shared}")
    typos.clear_cache()
    yield
    typos.clear_cache()


@pytest.mark.usefixtures("help_centre")
def test_a_misspelt_body_word_is_read_as_the_word():
    assert ("reciev", "receiv") in typos.correction_pairs("coins never recieved")


@pytest.mark.usefixtures("help_centre")
@pytest.mark.parametrize(
    "question",
    [
        "is it fine to wait",  # "fine" is English, not a slip of "file"
        "the lakers score",  # a name: a slip keeps its first letter, "maker" does not
        "couldnt log in",  # English typed without its apostrophe, not a slip of "count"
    ],
)
def test_words_of_english_and_names_are_not_read_as_body_words(question):
    assert typos.correction_pairs(question) == []


@pytest.mark.usefixtures("help_centre")
def test_a_misspelt_word_finds_the_articles_whose_bodies_have_the_word():
    found = engine.search("recieved", lang="en")
    plain = engine.search("recieved", lang="en", features=engine.Features(typos=False))
    assert {hit.slug for hit in found} == {
        "deposit-missing",
        "withdrawal-pending",
        "internal-transfer",
    }
    assert plain == []
