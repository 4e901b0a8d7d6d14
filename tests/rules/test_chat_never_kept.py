"""Never keep chat content (rules.md version 2): what was written, file names, links and the chatters' display names
reach no Redis key or value, no database row, no log line and no alert, whatever the monitor flags about the chat."""
from __future__ import annotations

import logging

from sqlalchemy import MetaData, select

from monitor.alerting.channels.email import email_html, email_text
from monitor.alerting.content import alert_message

from .. import zoom
from ..zoom import HOST_ID, T0
from .runs import P1, P2, P3, TEACHER

MARKERS = {"content": "Marker-Said-q7Zt", "file": "Marker-File-x4Kp.pdf", "link": "Marker-Link-m2Rw",
           "sender": "Marker-Sender-b9Dn", "recipient": "Marker-Recipient-c3Hv"}


def with_markers(event: dict) -> dict:
    """The chat as Zoom sends it, each of its private parts holding a marker."""
    obj = event["payload"]["object"]
    chat = obj.get("chat_message") or obj["chat_message_file"]
    chat["sender_name"] = MARKERS["sender"]
    if "recipient_email" in chat:
        chat["recipient_name"] = MARKERS["recipient"]
    if "message_content" in chat:
        chat["message_content"] = f"meet me after school {MARKERS['content']}"
    if "file_name" in chat:
        chat.update(file_name=MARKERS["file"], download_url=f"https://zoom.us/rest/download?fileId={MARKERS['link']}")
    return event


def lesson_with_chat() -> list[dict]:
    pupil, teacher = ("p0", P1), ("t", TEACHER)
    events = [zoom.started(T0), zoom.joined(T0 + 1, "t", TEACHER, user_id=HOST_ID), zoom.recording("started", T0 + 2)]
    events += [zoom.joined(T0 + 10 + i, f"p{i}", p) for i, p in enumerate((P1, P2, P3))]
    chats = [zoom.chat(T0 + 600, pupil, teacher, "host"), zoom.chat_file(T0 + 700, teacher, pupil, "guest"),
             zoom.chat(T0 + 800, teacher), zoom.chat_file(T0 + 900, ("p1", P2)),
             zoom.chat_file(T0 + 950, teacher, pupil, "guest", kind="downloaded")]
    events += [with_markers(chat) for chat in chats]
    events += [zoom.left(T0 + 3000, f"p{i}", p) for i, p in enumerate((P1, P2, P3))]
    return events + [zoom.left(T0 + 3010, "t", TEACHER, user_id=HOST_ID), zoom.ended(T0 + 3020)]


def everything_in_redis(redis) -> list[str]:
    found = []
    for key in redis.keys("*"):
        kind = redis.type(key).decode()
        values = {"string": lambda: [redis.get(key)], "hash": lambda: [*redis.hgetall(key).items()],
                  "set": lambda: list(redis.smembers(key)), "zset": lambda: redis.zrange(key, 0, -1, withscores=True),
                  "list": lambda: redis.lrange(key, 0, -1), "stream": lambda: redis.xrange(key)}[kind]()
        found.append(f"{key!r} {values!r}")
    return found


def everything_in_the_database(engine) -> list[str]:
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as conn:
        return [f"{table.name} {row!r}" for table in tables.sorted_tables for row in conn.execute(select(table))]


def test_chat_content_names_files_and_links_are_kept_nowhere(services, deliver, clock, caplog):
    caplog.set_level(logging.DEBUG)
    for event in lesson_with_chat():
        clock.set(event["event_ts"] / 1000)
        assert deliver(event).status_code == 200
    services.pipeline.fire_due_checks()

    opened = services.incidents.list()
    assert {(i["rule"], i["subject"]) for i in opened} == {("private_chat", TEACHER), ("chat_in_lesson", None)}
    private = next(i for i in opened if i["rule"] == "private_chat")
    assert private["occurrences"] == 2          # the pupil's message and the teacher's file: who, not what
    assert {private["evidence"]["event"]["sender"]["email"], private["evidence"]["event"]["recipient"]["email"]} == \
        {P1, TEACHER}

    message = alert_message(services.config, services.alerts.incidents([i["id"] for i in opened]), "key")
    alerts = [repr(message), email_text(message), email_html(message)]
    logs = [f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records]
    kept = {"redis": everything_in_redis(services.redis), "database": everything_in_the_database(services.database),
            "logs": logs, "alerts": alerts}
    assert kept["redis"] and kept["database"] and kept["logs"]    # the search looked at something
    for where, texts in kept.items():
        for marker in MARKERS.values():
            assert not [text for text in texts if marker.lower() in text.lower()], f"{marker} is kept in {where}"
