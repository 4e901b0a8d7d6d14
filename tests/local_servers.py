"""Real servers on this machine that stand in for the outside world: an SMTP server and a webhook receiver."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller

from .servers import free_port


class Mailbox:
    """aiosmtpd handler: keeps every message it accepts, with who (if anyone) logged in to send it."""

    def __init__(self):
        self.received: list[tuple[object, EmailMessage, bytes | None]] = []

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope, mail, session.auth_data))
        return "250 Message accepted"


@contextmanager
def smtp_server(**options):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


class Receiver(ThreadingHTTPServer):
    """Stands in for Teams, Slack and a school's own system: records each POST and answers `status`."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.requests: list[tuple[str, object, bytes]] = []
        self.status = 200
        self.delay = 0.0
        """Seconds to hold each request (received and recorded) before answering."""

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((self.path, self.headers, body))
        time.sleep(self.server.delay)
        try:
            self.send_response(self.server.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender was killed while this request was held

    def log_message(self, format, *args):
        pass


class PrivatePostgres:
    """A PostgreSQL server of the test's own, which it may stop and start again: the machine's server is shared
    with other test runs. Run as the postgres user when the tests run as root (PostgreSQL refuses root)."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]))
        if not found and not shutil.which("initdb"):
            raise RuntimeError("PostgreSQL's initdb is not installed (apt-get install postgresql; bash .ci/run does)")
        self.bin = Path(found[-1]).parent if found else Path(shutil.which("initdb")).parent
        self.root = Path(tempfile.mkdtemp(prefix="monitor-test-pg-"))
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.root / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-o", options, "-l", str(self.root / "server.log"), "-w",
                  "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.root, ignore_errors=True)
