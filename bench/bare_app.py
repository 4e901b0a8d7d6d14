"""The baseline for bench/webhook_bench.py: a bare Flask app that only verifies Zoom's webhook signature.

It does what every webhook receiver must do (read the raw body, check the HMAC) and nothing else, so the real app's
figures can be read against it. Run from the repository root, with ZOOM_WEBHOOK_SECRET_TOKEN set:

    python -m gunicorn --chdir . 'bench.bare_app:create_app()'
"""
import os

from flask import Flask, jsonify, request

from monitor.signature import verify


def create_app() -> Flask:
    secret = os.environ["ZOOM_WEBHOOK_SECRET_TOKEN"]
    app = Flask(__name__)

    @app.post("/zoom/webhook")
    def receive():
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        if not verify(secret, timestamp, request.get_data(), signature):
            return jsonify(error="bad signature"), 401
        return jsonify(status="ok")

    return app
