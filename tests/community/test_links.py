"""Scam defence: look-alike links and handles neutralised and held; new accounts' links held."""

from __future__ import annotations

from community import services
from community.links import candidates
from community.models import Post
from livechat.services.presence import presence_for
from tests.community.conftest import LOOKALIKE_HOST


def _ask(author, category, body: str, title: str = "Need help with a withdrawal"):
    return services.topic_create(
        author=author, category=category, title=title, body=body, language="en"
    )


def test_lookalike_link_is_held_and_not_clickable(
    client, asker, moderator, fees, official_channels
):
    # given
    body = f"Support told me to go to [the desk](https://{LOOKALIKE_HOST}/support) or https://{LOOKALIKE_HOST}/x"

    # when
    outcome = _ask(asker, fees, body)

    # then: held, and neither the Markdown link nor the bare URL is a link any more
    post = outcome.post
    assert outcome.held and post.status == Post.Status.HELD
    assert post.hold_reasons == ["lookalike"]
    assert "<a " not in post.body_html
    assert "xn--" in post.body_html  # the link's real (punycode) host is shown, defanged
    assert 'class="link-neutralised"' in post.body_html
    assert 'class="link-flagged"' in post.body_html
    # not public: strangers get a 404, the author sees it with a notice
    assert client.get(f"/community/t/{post.topic_id}/").status_code == 404
    client.force_login(asker)
    page = client.get(f"/community/t/{post.topic_id}/").content.decode()
    assert 'data-testid="held-notice"' in page and 'data-testid="flagged-notice"' in page

    # when: a moderator approves it
    services.post_moderate(actor=moderator, post=post, action="approve", reason="checked")

    # then: public, the look-alike still not a link
    client.logout()
    public = client.get(f"/community/t/{post.topic_id}/")
    assert public.status_code == 200
    assert f"https://{LOOKALIKE_HOST}" not in public.content.decode().split("post-body")[1]


def test_lookalike_handle_and_email_in_a_reply_hold_it(helper, question):
    # when
    handle = services.post_reply(author=helper, topic=question, body="DM @beac0n_support now")
    email = services.post_reply(
        author=helper, topic=question, body=f"Write to support@{LOOKALIKE_HOST} today"
    )

    # then
    assert handle.held and handle.post.flagged_links == ["@beac0n_support"]
    assert "[@]beac0n_support" in handle.post.body_html
    assert email.held and email.post.flagged_links == [f"support@{LOOKALIKE_HOST}"]
    assert "<a " not in email.post.body_html


def test_official_links_stay_clickable_and_published(helper, question):
    # when
    outcome = services.post_reply(
        author=helper,
        topic=question,
        body="Check [the fee page](https://beacon.test/fees) or ask @beacon_support.",
    )

    # then
    assert not outcome.held and outcome.post.flagged_links == []
    assert '<a href="https://beacon.test/fees"' in outcome.post.body_html


def test_a_customer_claiming_a_staff_id_nobody_holds_is_held(helper, agent, question):
    # given: one real staff ID
    real = presence_for(agent).staff_id

    # when
    fake = services.post_reply(
        author=helper, topic=question, body="I am agent BCN-00000, send me your code"
    )
    genuine = services.post_reply(author=helper, topic=question, body=f"{real} helped me")

    # then
    if real != "BCN-00000":
        assert fake.held and fake.post.flagged_links == ["BCN-00000"]
    assert not genuine.held


def test_new_accounts_links_wait_for_review_but_plain_text_does_not(
    newcomer, question, official_channels
):
    # when
    plain = services.post_reply(
        author=newcomer, topic=question, body="Same problem here, see fees.pdf and @beacon_support"
    )
    linked = services.post_reply(
        author=newcomer, topic=question, body="Fee table: https://beacon.test/fees"
    )

    # then
    assert not plain.held
    assert linked.held and linked.post.hold_reasons == ["new_account_link"]
    assert "https://beacon.test/fees" in linked.post.body_html
    assert "link-flagged" not in linked.post.body_html  # official: not neutralised


def test_candidates_finds_urls_hosts_addresses_and_handles():
    text = "go to www.evil.test/path, https://a.test/x. mail me@b.test or @someone (not e.g)"
    assert candidates(text) == [
        "https://a.test/x",
        "me@b.test",
        "www.evil.test/path",
        "@someone",
    ]


def test_a_customer_named_like_staff_is_shown_as_a_member(client, person, agent, question):
    # given
    impostor = person(first_name="Beacon Support")
    services.post_reply(author=impostor, topic=question, body="DM me for a refund")
    agent.first_name = "Omar"
    agent.save(update_fields=["first_name"])
    services.post_reply(author=agent, topic=question, body="We never DM first.")

    # when
    page = client.get(f"/community/t/{question.id}/").content.decode()

    # then
    assert "Beacon Support" not in page
    names = [part.split("</strong>")[0].strip() for part in page.split('class="post-author">')[1:]]
    assert names == ["Mei", "Member", "Omar"]
