"""What a person or a program sees when a page is missing or not theirs: staff get a page in the app's layout with
a way back; the machine-facing routes (/api/*, the health checks, Zoom's webhook) keep answering JSON."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MACHINE_FACING = ("/api/", "/healthz", "/readyz")
EXPLAINED = {
    403: ("Not for your role", "This page is open to other roles than yours. If you need it, ask the designated "
                               "safeguarding lead."),
    404: ("Page not found", "There is no page at this address: it may have been mistyped, or what it showed is not "
                            "yours to see."),
}


def json_error(exc: HTTPException):
    """The error as JSON, keeping the headers that say more (Allow on a 405)."""
    kept = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
    return jsonify(error=exc.description or exc.name), exc.code, kept


def _staff_error(exc: HTTPException):
    if request.path.startswith(MACHINE_FACING):
        return json_error(exc)
    if exc.code not in EXPLAINED:
        return exc
    title, explanation = EXPLAINED[exc.code]
    return render_template("error.html", title=title, explanation=explanation), exc.code


def init_staff_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _staff_error)


def init_machine_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, json_error)
