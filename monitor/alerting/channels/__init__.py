"""The channels that deliver an alert: e-mail, Microsoft Teams, Slack and a generic signed JSON webhook.

A channel only formats and sends: it adds nothing to what the AlertMessage says. Its words are plain text, some of
them Zoom's (a meeting's topic is whatever its host typed), so each channel puts them in its markup as text: HTML
escaped in the e-mail, Markdown escaped for Teams, plain_text objects for Slack; the webhook's JSON is data. The
URLs of Teams and Slack webhooks are secrets (whoever knows one can post to the channel), so errors name only their
scheme and host.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from ...clock import Clock, wall_clock
from ...config import ChannelSection, ConfigError, SchoolConfig
from .channel import Channel, DeliveryError
from .email import EmailChannel
from .slack import SlackChannel
from .teams import TeamsChannel
from .webhook import WebhookChannel

__all__ = ["Channel", "DeliveryError", "EmailChannel", "SlackChannel", "TeamsChannel", "WebhookChannel",
           "check_environment", "make_channel", "missing_environment", "missing_smtp", "smtp_channel"]

SMTP_VARIABLES = ("SMTP_HOST", "ALERTS_FROM")
"""Needed by e-mail channels; also SMTP_PORT (587), SMTP_SECURITY (starttls | ssl | none), SMTP_USERNAME,
SMTP_PASSWORD."""


def missing_smtp(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The environment variables the SMTP server needs (for e-mail alerts and the digest) that are not set."""
    return [name for name in SMTP_VARIABLES if not environ.get(name)]


def missing_environment(section: ChannelSection, environ: Mapping[str, str] = os.environ) -> list[str]:
    """The environment variables a channel needs that are not set."""
    if section.type == "email":
        return missing_smtp(environ)
    return [name for name in (section.url_env, section.secret_env) if name and not environ.get(name)]


def check_environment(config: SchoolConfig, environ: Mapping[str, str] = os.environ) -> None:
    """Start-up check: every secret a configured channel needs is in the environment."""
    for name, section in config.alerts.channels.items():
        for variable in missing_environment(section, environ):
            raise ConfigError(f"environment variable {variable} is not set (needed by alert channel {name!r})")
    if config.digest.recipients:
        for variable in missing_smtp(environ):
            raise ConfigError(f"environment variable {variable} is not set (needed by [digest] recipients)")
    if config.zoom_api.enabled and config.zoom_api.notify_hosts:
        for variable in missing_smtp(environ):
            raise ConfigError(f"environment variable {variable} is not set (needed by [zoom_api] notify_hosts)")


def smtp_channel(environ: Mapping[str, str] = os.environ, to: Sequence[str] = ()) -> EmailChannel:
    """The school's SMTP server, from SMTP_* variables and ALERTS_FROM; an alert sent through it goes to ``to``."""
    return EmailChannel(host=environ["SMTP_HOST"], port=int(environ.get("SMTP_PORT", "587")),
                        security=environ.get("SMTP_SECURITY", "starttls"),
                        username=environ.get("SMTP_USERNAME") or None, password=environ.get("SMTP_PASSWORD") or None,
                        sender=environ["ALERTS_FROM"], to=to)


def make_channel(config: SchoolConfig, name: str, environ: Mapping[str, str] = os.environ, *,
                 clock: Clock = wall_clock) -> Channel:
    """The channel called ``name``, with its recipients (an e-mail channel's ``to``) and its secrets."""
    section = config.alerts.channels[name]
    if section.type == "email":
        return smtp_channel(environ, section.to)
    url = environ[section.url_env]
    if section.type == "teams":
        return TeamsChannel(url)
    if section.type == "slack":
        return SlackChannel(url)
    return WebhookChannel(url, environ[section.secret_env], clock=clock)
