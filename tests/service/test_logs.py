"""The log: readable text by default, one JSON object a line with LOG_FORMAT=json (the request id and the meeting uuid
where there is one), a wrong LOG_FORMAT named at start-up; and no line of a whole stream's processing carries a name,
an e-mail or chat content of the stream's."""
from __future__ import annotations

import io
import json
import logging
import subprocess

from rq import Queue, SimpleWorker

from monitor.background import QUEUES
from monitor.logs import JsonLines
from workers import jobs

from .. import zoom
from ..servers import ROOT, monitor

STREAMS = sorted((ROOT / "examples").glob("*.jsonl")) + [ROOT / "tests/fixtures/recorded-week-2026-W48.jsonl"]
PRIVATE_KEYS = ("email", "name", "message", "file")


def private_words(bodies: list[dict]) -> set[str]:
    """Every e-mail, person's name, chat message and file name in the deliveries."""
    found: set[str] = set()

    def walk(value, key=""):
        if isinstance(value, dict):
            for inner, item in value.items():
                walk(item, inner)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and value and any(word in key for word in PRIVATE_KEYS) and key != "topic":
            found.add(value)
    walk(bodies)
    return found


def test_a_whole_stream_logs_json_lines_with_ids_and_nobodys_name_email_or_chat(services, client, clock):
    bodies = [json.loads(line) for path in STREAMS for line in path.read_text().splitlines() if line.strip()]
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        jobs.bind(services)
        for n, body in enumerate(bodies):
            data = zoom.raw(body)
            headers = {**zoom.signed_headers(data, int(clock())), "x-zm-request-id": f"req-{n}"}
            assert client.post("/zoom/webhook", data=data, headers=headers).status_code == 200
            clock.advance(5)
        clock.advance(86400)
        services.pipeline.fire_due_checks()
        SimpleWorker([Queue(name, connection=services.redis) for name in QUEUES],
                     connection=services.redis).work(burst=True)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    assert len(lines) > len(bodies), "every delivery logged at debug level, and more"
    delivered = [line for line in lines if line["logger"] == "monitor.webhook"]
    assert all(line["request_id"].startswith("req-") for line in delivered)
    assert any("meeting_uuid" in line for line in delivered)
    assert {"at", "level", "logger", "message"} <= set(lines[0])
    text = written.getvalue()
    leaked = sorted(word for word in private_words(bodies) if word in text)
    assert leaked == [], f"the log names {leaked}"


def test_text_is_the_default_and_a_wrong_format_is_named():
    done = subprocess.run(monitor("db", "current"), cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "LOG_FORMAT": "xml", "HOME": "/tmp"} | _python_path())
    assert done.returncode == 2
    assert "environment variable LOG_FORMAT is 'xml': it is text (the default) or json" in done.stderr


def _python_path() -> dict[str, str]:
    import os

    return {name: os.environ[name] for name in ("PATH", "PYTHONPATH") if name in os.environ}
