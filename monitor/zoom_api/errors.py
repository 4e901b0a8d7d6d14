"""What a call to Zoom's API raises. No text of these names a secret or a token."""


class ZoomApiError(Exception):
    """Zoom's API could not answer the question (the message says what it answered)."""


class ZoomCredentialsError(ZoomApiError):
    """Zoom's token endpoint refused the app's credentials: ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID or ZOOM_CLIENT_SECRET is
    wrong, or the app is not activated."""


class ZoomUnavailable(ZoomApiError):
    """Zoom did not answer (5xx, a network error or a timeout), or asked to wait too long: try later."""
