"""The monitor's log lines: readable text by default, or one JSON object a line (``LOG_FORMAT=json``) for a log
collector, with the request id and the meeting uuid where there is one. No line carries a name, an e-mail or chat
content: the code never logs them, and an exception's message (which may quote its input) is left out of the JSON,
which keeps the exception's class and where it was raised."""
from __future__ import annotations

import json
import logging
import os
import secrets
import traceback
from contextvars import ContextVar
from datetime import datetime, timezone

from .config import ConfigError

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The request being answered: Zoom's x-zm-request-id for a delivery, else one of our own, drawn when a line first
needs it ("": a request without an id yet; None: no request, e.g. a job)."""
MEETING_UUID: ContextVar[str | None] = ContextVar("meeting_uuid", default=None)
"""The meeting instance the delivery being answered is about."""


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"at": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"), "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        request_id = REQUEST_ID.get()
        if request_id == "":  # only now: most requests write no line, and the webhook's path stays short
            request_id = secrets.token_hex(8)
            REQUEST_ID.set(request_id)
        if request_id is not None:
            line["request_id"] = request_id
        meeting_uuid = MEETING_UUID.get()
        if meeting_uuid is not None:
            line["meeting_uuid"] = meeting_uuid
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
            line["raised_at"] = [f"{frame.filename}:{frame.lineno} in {frame.name}"
                                 for frame in traceback.extract_tb(record.exc_info[2])]
        return json.dumps(line, ensure_ascii=False)


def new_request(request_id: str | None, meeting_uuid: str | None = None) -> None:
    """What the log lines written while answering a request carry (each thread answers one request at a time)."""
    REQUEST_ID.set(request_id or "")
    MEETING_UUID.set(meeting_uuid)


def init_app(app) -> None:
    """Each staff request's log lines carry its X-Request-Id (a proxy's), else an id of our own."""
    from flask import request

    app.before_request(lambda: new_request(request.headers.get("X-Request-Id")))


def log_format(environ=os.environ) -> str:
    chosen = environ.get("LOG_FORMAT", "text").strip().lower() or "text"
    if chosen not in FORMATS:
        raise ConfigError(f"environment variable LOG_FORMAT is {chosen!r}: it is text (the default) or json")
    return chosen


def configure(level: int = logging.INFO, environ=os.environ) -> None:
    """The root logger's handler, on standard error, in the chosen format (ConfigError for an unknown one); as
    logging.basicConfig, nothing changes when the root logger has a handler already."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format(environ) == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
