"""Each thread's own Redis connection: replies, errors, a lost connection, a server without the script."""
import threading

import pytest
from redis.exceptions import ConnectionError, ResponseError

from monitor.redis_client import ThreadClient
from monitor.wiring import connect_redis

pytestmark = pytest.mark.integration


def test_commands_in_one_write_get_their_replies_decoded(real_redis):
    connection = ThreadClient(real_redis)
    # raw replies: no redis-py callbacks
    assert connection.execute(("SET", "k", "é"), ("GET", "k"), ("INCR", "n")) == ["OK", "é", 1]


def test_an_error_reply_is_raised_after_every_reply_was_read(real_redis):
    connection = ThreadClient(real_redis)
    real_redis.set("text", "a")
    with pytest.raises(ResponseError):
        connection.execute(("INCR", "text"), ("SET", "after", "1"))
    assert connection.execute(("GET", "after")) == ["1"]  # still in step with the server


def test_each_thread_has_its_own_connection(real_redis):
    connection = ThreadClient(real_redis)
    mine, other = connection.execute(("CLIENT", "ID")), []
    thread = threading.Thread(target=lambda: other.extend(connection.execute(("CLIENT", "ID"))))
    thread.start()
    thread.join()
    assert connection.execute(("CLIENT", "ID")) == mine != other


def test_a_killed_connection_is_opened_again(real_redis):
    connection = ThreadClient(real_redis)
    [client_id] = connection.execute(("CLIENT", "ID"))
    real_redis.client_kill_filter(_id=client_id)
    assert connection.execute(("PING",)) == ["PONG"]


def test_a_script_the_server_lost_is_loaded_again(real_redis):
    connection = ThreadClient(real_redis)
    script = real_redis.register_script("return ARGV[1] .. KEYS[1]")
    assert connection.run(script, ("k",), ["a"]) == "ak"
    real_redis.script_flush()
    assert connection.run(script, ("k",), ["b"], ("SET", "before", "1")) == "bk"
    assert real_redis.get("before") == b"1"


def test_no_server_raises_connection_error(real_redis):
    with pytest.raises(ConnectionError):
        ThreadClient(connect_redis("redis://127.0.0.1:1/0")).execute(("PING",))
