"""The application factory: ``gunicorn 'monitor.app:create_app()'`` in production, ``monitor serve`` for one process.
It builds the Flask app; monitor/wiring.py builds the services it serves."""
from __future__ import annotations

import logging
import secrets

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import api, errors, headers, logs, staff, webhook
from .accounts import web as accounts_web
from .alerting import api as alerts_api
from .config import ConfigError
from .digest import web as digest_web
from .findings import api as findings_api
from .findings import web as findings_web
from .metrics import exposition as metrics
from .privacy import web as privacy_web
from .services import Services
from .settings import Settings
from .wiring import build_services

log = logging.getLogger(__name__)


def create_app(services: Services | None = None) -> Flask:
    if services is None:
        try:
            logs.configure()
            services = build_services(Settings())
            if not services.secret_key:
                raise ConfigError("environment variable MONITOR_SECRET_KEY is not set (it signs the queue's sessions)")
        except ConfigError as exc:
            log.critical("cannot start: %s", exc)
            raise SystemExit(3) from None  # gunicorn's "worker failed to boot": the arbiter stops, no restart loop
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=services.config.webhook.max_body_bytes,
        SECRET_KEY=services.secret_key or secrets.token_urlsafe(32),
        SESSION_COOKIE_SECURE=services.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=services.secure_cookies,
    )
    app.extensions["monitor"] = services
    headers.init_staff_app(app)
    errors.init_staff_app(app)
    if services.config.web.trusted_proxies:  # the staff's addresses, for their sign-in limits
        hops = services.config.web.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    logs.init_app(app)
    webhook.init_app(app)
    api.init_app(app)
    alerts_api.init_app(app)
    findings_api.init_app(app)
    accounts_web.init_app(app)
    staff.init_app(app)
    digest_web.init_app(app)
    findings_web.init_app(app)
    privacy_web.init_app(app)
    metrics.init_app(app)
    for machine_facing in (api.bp, alerts_api.bp, findings_api.bp):  # the bearer token instead
        accounts_web.csrf.exempt(machine_facing)
    return app
