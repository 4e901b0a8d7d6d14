"""The headers that tell a browser how to treat the monitor's answers: the staff's pages carry pupils' names, so
no other site may frame them, run script in them or keep a copy of them."""
from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                           "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
"""Scripts and styles only from the monitor's own files (no inline script, style attribute or event handler)."""
HSTS = "max-age=31536000"
"""A year; not includeSubDomains: the school's other hosts are not the monitor's to decide."""


def _staff(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"  # not no-referrer: Flask-WTF checks the Referer of forms over HTTPS
    if request.endpoint != "static":  # every other answer may carry pupils' names: pages, exports, /api
        headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:  # production: served over HTTPS
        headers["Strict-Transport-Security"] = HSTS
    return response


def _zoom(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_staff_app(app: Flask) -> None:
    app.after_request(_staff)


def init_zoom_app(app: Flask) -> None:
    app.after_request(_zoom)
