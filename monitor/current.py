"""The services of the app handling this request, for the views: the app factory puts them on the app."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from .services import Services


def services() -> Services:
    return current_app.extensions["monitor"]
