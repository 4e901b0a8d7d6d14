"""Each thread's own Redis client, for the commands of every delivery.

redis-py's client takes a connection (its word for a socket to the server) from its pool for each command: a lock, a
process id check and a poll of the socket (a system call, which hands the GIL to another thread) before it,
bookkeeping after it. Here a thread keeps one and may send several commands in one write.
"""
from __future__ import annotations

import os
import threading

import hiredis
from redis import Redis
from redis.commands.core import Script
from redis.exceptions import ConnectionError, NoScriptError, ResponseError, TimeoutError

Command = tuple


class ThreadClient:
    """Replies come decoded, as str."""

    def __init__(self, redis: Redis):
        pool = redis.connection_pool
        self._connection_class = pool.connection_class
        self._settings = {**pool.connection_kwargs, "decode_responses": True}
        self._local = threading.local()

    def _connection(self):
        local, pid = self._local, os.getpid()
        if getattr(local, "pid", None) != pid:  # a forked process must not share its parent's socket
            local.connection, local.pid = self._connection_class(**self._settings), pid
        return local.connection

    def execute(self, *commands: Command) -> list:
        """Sends the commands in one write and returns their replies. A connection that fails is opened again and
        the commands sent once more, as redis-py's retry does: each of them must be safe to repeat."""
        conn = self._connection()
        packed = [b"".join(map(hiredis.pack_command, commands))]  # without redis-py's check of every argument
        try:
            return _exchange(conn, packed, len(commands))
        except (ConnectionError, TimeoutError):
            conn.disconnect()
            return _exchange(conn, packed, len(commands))

    def run(self, script: Script, keys: tuple, args: list, *before: Command):
        """The script's reply; ``before``, commands sent ahead of it in the same write."""
        call = ("EVALSHA", script.sha, len(keys), *keys, *args)
        try:
            return self.execute(*before, call)[-1]
        except NoScriptError:  # a restarted or other server: load it, as redis-py's Script does
            self.execute(("SCRIPT", "LOAD", script.script))
            return self.execute(*before, call)[-1]


def _exchange(conn, packed: list[bytes], count: int) -> list:
    conn.send_packed_command(packed, check_health=False)
    replies = []
    for _ in range(count):
        try:
            replies.append(conn.read_response())
        except ResponseError as exc:  # read the other replies first: the connection stays in step
            replies.append(exc)
    for reply in replies:
        if isinstance(reply, ResponseError):
            raise reply
    return replies
