"""notify: what rows it writes, for whom, and what it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

import notifications
from core.exceptions import ApplicationError
from notifications import NotificationKind
from notifications.models import Notification, NotificationPreference
from notifications.tasks import send_notification
from tests.notifications.conftest import hello_context

pytestmark = pytest.mark.django_db


def notify(**kwargs) -> list[Notification]:
    kwargs.setdefault("kind", "outbox_test.hello")
    return notifications.notify(**kwargs)


def test_notify_with_a_dedupe_key_makes_one_row_per_event(test_kinds, customer, user_factory):
    # given
    other = user_factory()
    context = hello_context(customer)
    # when: the same event is notified twice (a retried request, a re-run task)
    (first,) = notify(recipient=customer, context=context, dedupe_key="hello:1")
    (again,) = notify(recipient=customer, context=context, dedupe_key="hello:1")
    # and to someone else, by both channels
    to_other = notify(
        recipient=other, context=context, dedupe_key="hello:1", channels=("email", "bell")
    )
    # then
    assert again.id == first.id
    assert len({row.id for row in to_other} | {first.id}) == 3
    assert Notification.objects.count() == 3


def test_notify_with_the_same_dedupe_key_for_a_guest_makes_one_row(test_kinds, customer):
    context = hello_context(customer)
    (first,) = notify(to_email="Guest@Example.test", context=context, dedupe_key="hello:2")
    (again,) = notify(to_email="guest@example.test", context=context, dedupe_key="hello:2")
    assert again.id == first.id


def test_notify_with_a_dedupe_key_queues_once(
    test_kinds, customer, outbox_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=customer, context=hello_context(customer), dedupe_key="hello:3")
        notify(recipient=customer, context=hello_context(customer), dedupe_key="hello:3")
    assert len(outbox_queue.notification_ids()) == 1


def test_notify_stores_only_plain_values(test_kinds, customer):
    (row,) = notify(recipient=customer, context={**hello_context(customer), "amount": "25.5"})
    row.refresh_from_db()
    assert row.context == {"person_id": customer.id, "number": "240101-000042", "amount": "25.5"}
    assert (row.language, row.status, row.attempts) == ("en", "pending", 0)


@pytest.mark.parametrize(
    "context",
    [
        {"person": "placeholder"},  # replaced by a model instance below
        {"when": dt.datetime(2026, 1, 1)},
        {"ratio": float("nan")},
        {"reset_token": "abc"},
        {"nested": {"Password": "hunter2"}},
        {"body": "x" * 10_000},
    ],
)
def test_notify_refuses_objects_secrets_and_bodies_in_the_context(test_kinds, customer, context):
    if context.get("person"):
        context = {"person": customer}
    with pytest.raises(ValueError):
        notify(recipient=customer, context=context)
    assert not Notification.objects.exists()


def test_notify_refuses_what_cannot_be_delivered(test_kinds, customer):
    context = hello_context(customer)
    with pytest.raises(ValueError, match="recipient or a to_email"):
        notify(context=context)
    with pytest.raises(ValueError, match="bell needs a recipient"):
        notify(to_email="guest@example.test", context=context, channels=("bell",))
    with pytest.raises(ValueError, match="goes by"):
        notify(kind="outbox_test.security", recipient=customer, context=context, channels=("bell",))
    with pytest.raises(ValueError, match="language"):
        notify(recipient=customer, context=context, language="fr")
    with pytest.raises(LookupError):
        notify(kind="outbox_test.nothing", recipient=customer, context=context)
    with pytest.raises(ValidationError):
        notify(to_email="not an address", context=context)
    assert not Notification.objects.exists()


def test_register_refuses_a_second_kind_under_a_taken_name(test_kinds):
    with pytest.raises(ImproperlyConfigured):
        notifications.register(
            NotificationKind(name="outbox_test.hello", label="x", subject="x", template="x")
        )
    with pytest.raises(ImproperlyConfigured):
        NotificationKind(name="Hello", label="x", subject="x", template="x")
    with pytest.raises(ImproperlyConfigured):
        NotificationKind(name="outbox_test.no_template", label="x", subject="x")


# ---------------------------------------------------------------- preferences


def test_notify_skips_a_channel_the_recipient_turned_off(
    test_kinds, customer, outbox_queue, django_capture_on_commit_callbacks
):
    # given
    notifications.notification_preferences_update(
        user=customer, choices={"outbox_test.hello": {"bell"}}
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        email, bell = notify(
            recipient=customer, context=hello_context(customer), channels=("email", "bell")
        )
    # then: a skipped row records the choice; nothing is queued for it
    assert (email.status, email.last_error) == ("skipped", "turned off by the recipient")
    assert bell.status == "sent"
    assert outbox_queue.notification_ids() == []
    assert send_notification.apply(args=[email.id]).result == "not claimed"


def test_notify_sends_an_essential_kind_whatever_the_preferences_say(test_kinds, customer):
    # given: a preference row for an essential kind (the form cannot make one; the
    # database could hold one from before the kind became essential)
    NotificationPreference.objects.create(
        user=customer, kind="outbox_test.security", email=False, bell=False
    )
    # when
    (row,) = notify(
        kind="outbox_test.security", recipient=customer, context=hello_context(customer)
    )
    # then
    assert row.status == "pending"


def test_notification_preferences_update_refuses_to_turn_off_an_essential_kind(
    test_kinds, customer
):
    with pytest.raises(ApplicationError, match="cannot be turned off"):
        notifications.notification_preferences_update(
            user=customer, choices={"outbox_test.security": set()}
        )
    assert not NotificationPreference.objects.exists()


def test_notification_preferences_update_refuses_unknown_and_staff_only_kinds(test_kinds, customer):
    for name in ("outbox_test.nothing", "outbox_test.assigned"):
        with pytest.raises(ApplicationError):
            notifications.notification_preferences_update(user=customer, choices={name: set()})
    with pytest.raises(ApplicationError):
        notifications.notification_preferences_update(
            user=customer, choices={"outbox_test.hello": {"sms"}}
        )


def test_notify_follows_a_kinds_defaults_until_the_person_chooses(test_kinds, user_factory):
    # given: an agent who has not chosen; the kind defaults to the bell only
    agent = user_factory(is_staff=True)
    context = hello_context(agent)
    # when
    email, bell = notify(
        kind="outbox_test.assigned", recipient=agent, context=context, channels=("email", "bell")
    )
    # then
    assert (email.status, bell.status) == ("skipped", "sent")
    # when: they ask for email too
    notifications.notification_preferences_update(
        user=agent, choices={"outbox_test.assigned": {"email", "bell"}}
    )
    email, bell = notify(
        kind="outbox_test.assigned", recipient=agent, context=context, channels=("email", "bell")
    )
    # then
    assert (email.status, bell.status) == ("pending", "sent")


def test_notification_preferences_for_lists_the_kinds_a_person_may_get(test_kinds, customer):
    # given
    notifications.notification_preferences_update(
        user=customer, choices={"outbox_test.hello": {"bell"}}
    )
    # when
    choices = {
        c.kind.name: c.enabled
        for c in notifications.notification_preferences_for(user=customer)
        if c.kind.name.startswith("outbox_test.")  # the apps' own kinds are there too
    }
    # then: the staff-only kind is not offered to a customer; essential ones are all on
    assert choices == {
        "outbox_test.hello": {"bell"},
        "outbox_test.security": {"email"},
    }


def test_notify_rolled_back_in_a_savepoint_leaves_the_outer_change(test_kinds, customer):
    # given / when: the caller catches a failure of its own inner step
    with transaction.atomic():
        customer.first_name = "Kept"
        customer.save()
        try:
            with transaction.atomic():
                notify(recipient=customer, context=hello_context(customer))
                raise RuntimeError
        except RuntimeError:
            pass
    # then
    customer.refresh_from_db()
    assert customer.first_name == "Kept" and not Notification.objects.exists()
