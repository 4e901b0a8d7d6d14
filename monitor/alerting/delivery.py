"""The configured channels, made from the school's config and the secrets in the environment."""
from __future__ import annotations

import os
from collections.abc import Mapping

from ..config import ChannelSection, ConfigError, SchoolConfig
from .channels import EmailChannel, SlackChannel, TeamsChannel, WebhookChannel

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


def smtp_channel(environ: Mapping[str, str] = os.environ) -> EmailChannel:
    """The school's SMTP server, from SMTP_* variables and ALERTS_FROM."""
    return EmailChannel(host=environ["SMTP_HOST"], port=int(environ.get("SMTP_PORT", "587")),
                        security=environ.get("SMTP_SECURITY", "starttls"),
                        username=environ.get("SMTP_USERNAME") or None, password=environ.get("SMTP_PASSWORD") or None,
                        sender=environ["ALERTS_FROM"])


def channel(config: SchoolConfig, name: str, environ: Mapping[str, str] = os.environ):
    """The channel called ``name``, and its recipients (e-mail only)."""
    section = config.alerts.channels[name]
    if section.type == "email":
        return smtp_channel(environ), list(section.to)
    url = environ[section.url_env]
    if section.type == "teams":
        return TeamsChannel(url), []
    if section.type == "slack":
        return SlackChannel(url), []
    return WebhookChannel(url, environ[section.secret_env]), []
