"""PostgreSQL goes away between the SMTP server's "250 accepted" and the outbox's "sent":
the customer still gets the email once.

The sink stops the private PostgreSQL while it accepts the message, so the sending
process learns of the accept with its database gone. Then the row's lease is made to run
out (its clock moved ten minutes back: counts, not timings) and the sweep runs, as beat
would five minutes later; the sweep is what used to send the same email again.
"""

from __future__ import annotations

import re
import signal
import threading
import time

from tests.faults.conftest import Process, Services, run_shell, wait_until

# A customer sets an anti-phishing code: the security notice is one outbox email row,
# queued to the broker when the change commits. Prints the row's id.
NOTIFY = """
import uuid
from accounts.models import User
from notifications.models import Notification
from accounts.security.services import anti_phishing_code_set
user = User.objects.create_user(f"{uuid.uuid4().hex[:12]}@example.test", None, language="en")
event = anti_phishing_code_set(user=user, code="FAULT-TEST-1", request=None)
row = Notification.objects.get(channel="email", kind="security.code_set", context__event_id=event.id)
print(row.id)
"""

# The send task, run the way a worker runs it (retries included), with the bookkeeping
# allowed {seconds} s instead of its default: long enough to retry, short enough for a test.
SEND = """
from notifications import outbox
outbox.BOOKKEEPING_SECONDS = {seconds}
from notifications.tasks import send_notification
result = send_notification.apply(args=[{notification_id}])
print(result.state, result.result)
"""

# Beat's sweep, once: queues again what is due (to the worker).
SWEEP = """
from notifications import notifications_requeue_unsent
print(notifications_requeue_unsent())
"""

FINISHED = {"sent", "failed", "skipped"}
# Celery's log line when a task ends, however it ends.
TASK_ENDED = re.compile(
    r"Task notifications\.tasks\.send_notification\[[^\]]+\] (succeeded|raised|retry)"
)


def row(services: Services, notification_id: int) -> dict:
    ((status, attempts),) = services.postgres.query(
        "SELECT status, attempts FROM accounts_notification WHERE id = %s", (notification_id,)
    )
    return {"status": status, "attempts": attempts}


def lease_runs_out(services: Services) -> None:
    """Ten minutes pass for every row not finished: its claim lapses, the sweep may take it."""
    services.postgres.query(
        "UPDATE accounts_notification"
        " SET claimed_at = claimed_at - interval '10 minutes',"
        "     next_attempt_at = next_attempt_at - interval '10 minutes'"
        " WHERE status IN ('pending', 'sending')"
    )


def sweep_and_settle(services: Services, env: dict, notification_id: int) -> None:
    """Run the sweep; wait until the worker has done whatever it queued for the row."""
    run_shell(env, SWEEP)
    wait_until(
        lambda: row(services, notification_id)["status"] in FINISHED,
        f"notification {notification_id} to be finished after the sweep",
    )


def tasks_ended(worker: Process) -> int:
    return len(TASK_ENDED.findall(worker.output()))


def assert_one_email_each(sink, notification_id: int) -> None:
    assert sink.copies_of(notification_id) == 1
    assert set(sink.count_by_message_id().values()) == {1}


def test_postgres_drops_at_the_accept_and_is_back_soon_one_email(services, sink, env, start_worker):
    # given: a real worker; the sink stops PostgreSQL as it accepts the email, and a
    # thread starts it again a little later (a restart, a failover)
    worker = start_worker()
    back = threading.Event()

    def drop_postgres() -> None:
        services.postgres.stop()

        def start_again() -> None:
            time.sleep(2)
            services.postgres.start()
            back.set()

        threading.Thread(target=start_again, daemon=True).start()

    sink.on_accept = drop_postgres
    # when: a change commits its notification and the worker sends it
    notification_id = int(run_shell(env, NOTIFY))
    wait_until(lambda: back.is_set() and tasks_ended(worker) >= 1, "the send task to end")
    # ... and later the sweep runs (the claim's lease has run out by then)
    lease_runs_out(services)
    sweep_and_settle(services, env, notification_id)
    # then: one email, and the row says it was sent by its one attempt
    assert_one_email_each(sink, notification_id)
    assert row(services, notification_id) == {"status": "sent", "attempts": 1}
    assert services.postgres.stops == 1


def test_postgres_stays_down_past_the_bookkeeping_retries_one_email(
    services, sink, env, start_worker
):
    # given: PostgreSQL stops as the sink accepts the email and stays down until the
    # sending process has given up on its bookkeeping
    sink.on_accept = services.postgres.stop
    notification_id = int(run_shell(env, NOTIFY))
    # when: the task sends it (in a process of its own, as a worker would)
    run_shell(env, SEND.format(seconds=2, notification_id=notification_id))
    assert sink.copies_of(notification_id) == 1
    # ... PostgreSQL comes back; the row never learned it was sent
    services.postgres.start()
    assert row(services, notification_id)["status"] == "sending"
    # ... and the sweep runs after the lease, with a worker to run what it queues (and
    # the task queued at commit, still waiting in the broker)
    lease_runs_out(services)
    start_worker()
    sweep_and_settle(services, env, notification_id)
    # then: the sweep marked it sent from the record the sender left; no second email
    assert_one_email_each(sink, notification_id)
    assert row(services, notification_id)["status"] == "sent"


def test_worker_killed_while_waiting_for_postgres_after_the_accept_one_email(
    services, sink, env, start_worker
):
    # given: PostgreSQL stops as the sink accepts the email, with a real worker sending
    worker = start_worker()
    sink.on_accept = services.postgres.stop
    notification_id = int(run_shell(env, NOTIFY))
    # when: the worker is killed (OOM, a deploy) while it waits for the database, once
    # it has left its record of the accept in Redis
    wait_until(
        lambda: services.redis_client().keys(f"*outbox-sent:{notification_id}:*"),
        "the worker's record that the email was accepted",
    )
    worker.stop(signal.SIGKILL)
    services.postgres.start()
    # ... and the sweep runs after the lease, with a new worker
    lease_runs_out(services)
    start_worker()
    sweep_and_settle(services, env, notification_id)
    # then
    assert_one_email_each(sink, notification_id)
    assert row(services, notification_id)["status"] == "sent"
