"""Zoom's REST API, through the school's Server-to-Server OAuth app (contracts.md, Zoom API).

client.py makes the calls; token.py keeps the access token in Redis for every process; budget.py spaces the
requests of every process under ``[zoom_api] max_requests_per_second``; retries.py waits out Zoom's 429s and
retries its failures; errors.py says what a caller may catch.
"""
from .client import ZoomApi
from .credentials import ZoomCredentials
from .errors import ZoomApiError, ZoomCredentialsError, ZoomUnavailable

__all__ = ["ZoomApi", "ZoomApiError", "ZoomCredentials", "ZoomCredentialsError", "ZoomUnavailable"]
