"""`make run`'s supervisor: a part that dies is started again, and the portal goes on
serving pages and running tasks; Ctrl-C still stops all three, children included.

run_portal runs as `make run` runs it, on a free port, against the private PostgreSQL
and Redis, with mail to the sink. Its parts are found in the process table (children of
the command whose command line names them), not in its log.
"""

from __future__ import annotations

import os
import signal
import urllib.request
from pathlib import Path

import pytest

from tests.faults.conftest import PYTHON, Process, run_shell, wait_until
from tests.faults.test_outbox_postgres_drops import NOTIFY, row
from tests.servers import free_port

PARTS = {"web": " config.web ", "worker": " worker ", "beat": " beat "}


def children_of(pid: int) -> dict[str, int]:
    """The command's live parts by name (web, worker, beat): their pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) != pid or state == "Z":
            continue
        for name, marker in PARTS.items():
            if marker in f" {cmdline} ":
                found[name] = int(entry.name)
    return found


def group_alive(pgid: int) -> bool:
    """Whether any process is left in the process group (a part and its children)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def portal(env):
    port = free_port()
    process = Process(
        [PYTHON, "manage.py", "run_portal", "--host", "127.0.0.1", "--port", str(port)],
        env,
        "run_portal",
    )
    process.port = port
    yield process
    process.stop(signal.SIGKILL)
    for pid in children_of(process.pid).values():  # nothing may outlive a failed test
        os.killpg(pid, signal.SIGKILL)
    process.log_file.close()


def test_a_killed_worker_is_restarted_and_the_portal_keeps_working(services, sink, env, portal):
    # given: the portal up, answering /healthz
    first = wait_until(
        lambda: len(children_of(portal.pid)) == 3 and children_of(portal.pid), "3 parts"
    )
    wait_until(lambda: healthz(portal.port) == 200, "/healthz to answer 200")
    # when: the worker is killed (the OOM killer's SIGKILL)
    os.kill(first["worker"], signal.SIGKILL)
    # then: a new worker is started, and the others are the same processes
    now = wait_until(
        lambda: (
            (found := children_of(portal.pid)).get("worker", first["worker"]) != first["worker"]
            and found
        ),
        "a new worker",
    )
    assert (now["web"], now["beat"]) == (first["web"], first["beat"])
    assert not group_alive(first["worker"])  # its pool went with it
    output = portal.wait_for_output("worker started (pid", count=2)
    assert (
        f"worker (pid {first['worker']}) stopped: killed by SIGKILL; restarting it in 1 s" in output
    )
    # ... the portal still answers, and a task still runs: the new worker sends an email
    assert healthz(portal.port) == 200
    notification_id = int(run_shell(env, NOTIFY))
    wait_until(lambda: row(services, notification_id)["status"] == "sent", "the email to be sent")
    assert sink.copies_of(notification_id) == 1
    # when: Ctrl-C
    returncode = portal.stop(signal.SIGINT)
    # then: all three stopped, children included, and the command exited cleanly
    assert returncode == 0
    assert [name for name, pid in now.items() if group_alive(pid)] == []
    assert "stopping web, worker, beat" in portal.output()


def test_restart_backoff_doubles_then_stays_at_the_longest_and_forgets_after_the_window():
    from core.management.commands.run_portal import RESTART_WINDOW, Part

    part = Part("worker", ["true"])
    # when: the part dies eight times in a row, a second apart
    delays = [part.next_delay(now=float(second))[0] for second in range(8)]
    # then: 1, 2, 4, 8, 16 s, then the longest wait for as long as it keeps dying
    assert delays == [1, 2, 4, 8, 16, 60, 60, 60]
    # ... and once a whole window has passed without a death, it starts over at 1 s
    assert part.next_delay(now=8 + RESTART_WINDOW) == (1, 1)
