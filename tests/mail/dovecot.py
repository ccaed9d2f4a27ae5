"""A real IMAP server for the poller's tests: Debian's dovecot with its own config and
maildir in a temporary directory, on a free port on 127.0.0.1, plain-text login allowed.

Tests put mail in with IMAP APPEND and read flags back over IMAP, as any mail client would.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

from tests.servers import free_port

DOVECOT = Path("/usr/sbin/dovecot")
USER = "support@beacon.test"
# Characters the URL must percent-encode (not a colon: it would end the passwd-file field).
PASSWORD = "pa/ss@w rd%1"
# Bounds on waiting for the server to start or stop; not speed tests.
START_WAIT = 20
STOP_WAIT = 10
# As root, dovecot refuses to touch mail as root: the maildir belongs to nobody:nogroup.
ROOT_MAIL_UID = ROOT_MAIL_GID = 65534

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
{users}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# After the wrong-password test's failed login, the test's own login must not wait: no
# delay for the failure, and no growing penalty for the address (mode 0 turns it off).
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
first_valid_uid = 0
first_valid_gid = 0
mail_uid = {mail_uid}
mail_gid = {mail_gid}
mail_location = maildir:{dir}/mail
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {dir}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""

# Not root (a developer's machine): every dovecot process runs as the current user.
UNPRIVILEGED_USERS = """\
default_internal_user = {name}
default_internal_group = {group}
default_login_user = {name}
# chroot needs root; these two services chroot by default.
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


class DovecotServer:
    """Start with DovecotServer(), then wait_ready(); stop() at the end."""

    def __init__(self) -> None:
        if not DOVECOT.exists():
            raise FileNotFoundError(
                f"{DOVECOT} is missing: the IMAP tests need Debian's dovecot "
                "(apt-get install dovecot-imapd; .ci/run installs it)"
            )
        version = subprocess.run(
            [str(DOVECOT), "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if not version.startswith("2.3."):
            # 2.4 renamed and regrouped most settings (dovecot_config_version, passdb_*).
            raise RuntimeError(f"this config is written for dovecot 2.3 (Debian 12), not {version}")
        self.port = free_port()
        # Not pytest's tmp_path: dovecot's unix sockets live here, and their paths
        # must stay under the kernel's 108-character limit.
        self.dir = Path(tempfile.mkdtemp(prefix="beacon-dovecot-"))
        self._write_config()
        self.output = (self.dir / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        """The mailbox as BEACON_IMAP_URL spells it."""
        return self.url_for()

    def url_for(self, password: str = PASSWORD, folder: str = "INBOX") -> str:
        user, password = (urllib.parse.quote(part, safe="") for part in (USER, password))
        return f"imap://{user}:{password}@127.0.0.1:{self.port}/{urllib.parse.quote(folder)}"

    def _write_config(self) -> None:
        mail = self.dir / "mail"
        for sub in ("run", "state", "mail"):
            (self.dir / sub).mkdir()
        if os.geteuid() == 0:
            mail_uid, mail_gid, users = ROOT_MAIL_UID, ROOT_MAIL_GID, ""
            os.chown(mail, mail_uid, mail_gid)
            self.dir.chmod(0o711)  # the mail processes (nobody) must reach mail/
        else:
            mail_uid, mail_gid = os.getuid(), os.getgid()
            me = pwd.getpwuid(mail_uid).pw_name
            group = grp.getgrgid(mail_gid).gr_name
            users = UNPRIVILEGED_USERS.format(name=me, group=group)
        # passwd-file: user:password:uid:gid:gecos:home:shell; uid/gid come from mail_uid.
        (self.dir / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        (self.dir / "dovecot.conf").write_text(
            CONFIG.format(
                dir=self.dir, port=self.port, mail_uid=mail_uid, mail_gid=mail_gid, users=users
            )
        )

    def wait_ready(self) -> None:
        """Until the port answers with dovecot's "* OK" greeting (at most START_WAIT s)."""
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"dovecot stopped at start:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"dovecot did not greet on port {self.port}:\n{self.log()}")

    def log(self) -> str:
        """dovecot's own output and its log file, the end of each."""
        parts = []
        for name in ("stdout.log", "dovecot.log"):
            path = self.dir / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -------------------------------------------------------------- a mail client's view

    def client(self) -> imaplib.IMAP4:
        """A logged-in IMAP connection; close it with logout()."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> int:
        """Deliver one message as unseen; returns its UID."""
        client = self.client()
        try:
            status, data = client.append(f'"{folder}"', None, None, raw)
            assert status == "OK", data
            # "[APPENDUID <validity> <uid>] Append completed."
            return int(data[0].split(b"]")[0].split()[-1])
        finally:
            client.logout()

    def create_folder(self, folder: str) -> None:
        client = self.client()
        try:
            status, data = client.create(f'"{folder}"')
            assert status == "OK", data
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """Every message's flags by UID, read without changing them."""
        client = self.client()
        try:
            status, data = client.select(f'"{folder}"', readonly=True)
            assert status == "OK", data
            status, data = client.uid("FETCH", "1:*", "(FLAGS)")
            assert status == "OK", data
        finally:
            client.logout()
        found = {}
        for line in data:
            if not line:
                continue
            # b'1 (UID 3 FLAGS (\\Seen \\Recent))'
            response = imaplib.ParseFlags(line)
            uid = int(line.split(b"UID ")[1].split()[0])
            found[uid] = {flag.decode() for flag in response}
        return found

    def seen(self, folder: str = "INBOX") -> set[int]:
        return {uid for uid, flags in self.flags(folder).items() if "\\Seen" in flags}

    def unseen(self, folder: str = "INBOX") -> set[int]:
        return {uid for uid, flags in self.flags(folder).items() if "\\Seen" not in flags}
