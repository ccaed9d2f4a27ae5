"""The outbox's tasks: queued after the commit that wrote the reply, safe to run twice, and
the beat sweep scheduled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from outside import tasks
from outside.models import ExternalContact, OutboundMessage

pytestmark = pytest.mark.django_db


def test_a_reply_queues_its_task_only_after_commit_and_the_task_sends_it_once(
    telegram, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        telegram("hello")
    assert callbacks  # the flush task is queued on commit, not before
    assert platforms.sent == []  # nothing sent inside the request's transaction
    contact = ExternalContact.objects.get()
    count = OutboundMessage.objects.filter(contact=contact).count()
    assert tasks.outbox_flush(contact.pk) == count
    assert tasks.outbox_flush(contact.pk) == 0  # a second run (a retried task) posts nothing
    assert len(platforms.texts("telegram")) == count


def test_the_sweep_task_sends_what_a_lost_task_left(telegram, platforms):
    telegram("hello")  # its task is never run (lost)
    assert tasks.outbox_sweep() == OutboundMessage.objects.count()
    assert OutboundMessage.objects.filter(status="sent").count() == OutboundMessage.objects.count()


def test_a_worker_that_died_mid_send_leaves_the_row_to_the_sweep_after_its_lease(
    telegram, platforms
):
    from outside import services

    telegram("hello")
    row = OutboundMessage.objects.order_by("id").first()
    OutboundMessage.objects.filter(pk=row.pk).update(
        status="sending", next_try=timezone.now() + services.SEND_LEASE
    )
    assert services.outbox_sweep() == 0  # held by its (dead) worker's lease; none overtake it
    assert platforms.sent == []
    later = timezone.now() + services.SEND_LEASE + timedelta(seconds=1)
    assert services.outbox_sweep(now=later) == OutboundMessage.objects.count()


def test_the_sweeps_are_scheduled():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"outside.tasks.outbox_sweep", "outside.tasks.contacts_keep_present"} <= schedule


@pytest.mark.django_db(transaction=True)
def test_on_the_real_broker_the_committed_reply_queues_its_task_which_delivers_it(
    telegram, platforms, broker_queue
):
    from config.celery import app

    # when: a message is handled for real (committed; the on-commit hooks run)
    telegram("hello")
    queued = broker_queue.take()
    # then: the flush task is on the broker, for this contact, and a worker running it
    # delivers every reply once
    contact = ExternalContact.objects.get()
    assert {"task": "outside.tasks.outbox_flush", "args": [contact.pk]} in queued
    for task in queued:
        if task["task"].startswith("outside."):
            app.tasks[task["task"]].apply(args=task["args"], throw=True)
    assert len(platforms.texts("telegram")) == OutboundMessage.objects.count() >= 2
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}
