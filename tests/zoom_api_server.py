"""A stand-in for Zoom's REST API (v2) and its OAuth token endpoint: a real HTTP server on 127.0.0.1.

Point a client at ``server.api_url`` (``http://127.0.0.1:PORT/v2``) and ``server.oauth_url``
(``http://127.0.0.1:PORT/oauth/token``), or the service at ``server.environment()`` (ZOOM_API_URL, ZOOM_OAUTH_URL and
the app's credentials). It answers with the JSON shapes Zoom documents (zoom-api.md 3.2, 3.4):

- ``POST /oauth/token?grant_type=account_credentials&account_id=...`` with HTTP Basic client id and secret;
- ``GET /v2/meetings/{id}`` from ``server.meetings[id]``, else 404 code 3001;
- ``GET /v2/users/{id or e-mail}`` from ``server.users`` (keyed by id; found by e-mail too), else 404 code 1001;
- ``GET /v2/users/{user}/settings[?option=meeting_security|meeting_authentication]`` from
  ``server.user_settings[id or e-mail]`` (protocol-safe ones for a user without), else 404 code 1001;
- ``GET /v2/users?page_size=&next_page_token=`` every user, in pages of at most ``server.max_page_size``.

A user's settings are kept as the three answers merged (what ``safe_user_settings()`` returns): the plain answer is
all but ``meeting_security`` and the authentication keys, ``option=meeting_security`` answers
``{"meeting_security": {...}}`` and ``option=meeting_authentication`` answers ``{"meeting_authentication": true,
"authentication_options": [...], ...}``. The settings' paths are then those of contracts.md ("in_meeting.chat",
"meeting_security.waiting_room", "meeting_authentication"), so a test flips one setting in place.

Failures: ``expire_tokens()``, ``rate_limit(count, retry_after)``, ``fail(count or seconds, status)`` (Zoom down),
``delay`` (slow answers), ``max_requests_per_second`` (429 beyond it, as Zoom). ``requests`` records every request
(``at``: ``server.clock()``, time.monotonic unless a test sets another, method, path, query).
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from monitor.zoom_api import ZoomCredentials

ACCOUNT_ID = "gAtEhOuSe-AcCoUnT"
CLIENT_ID = "mOnItOr-ClIeNt"
CLIENT_SECRET = "sEcReT-9f8e7d6c5b4a"
GRANTED_SCOPES = "meeting:read:meeting:admin user:read:list_users:admin user:read:settings:admin user:read:user:admin"
AUTHENTICATION_KEYS = ("meeting_authentication", "authentication_options", "allow_authentication_exception")
RATE_LIMITED = {"code": 429, "message": "You have reached the maximum per-second rate limit for this API. "
                                        "Try again later."}


class Recorded(NamedTuple):
    at: float
    method: str
    path: str
    query: dict[str, str]


@dataclass
class Outage:
    status: int
    left: int | None
    until: float | None

    def hits(self, now: float) -> bool:
        if self.until is not None:
            return now < self.until
        if self.left:
            self.left -= 1
            return True
        return False


def safe_meeting(meeting_id: str, *, host_id: str = "hOsT-tEaChEr-1", host_email: str = "a.teacher@gatehouse.sch.uk",
                 topic: str = "Year 9 Maths", start_time: str = "2026-11-18T10:00:00Z",
                 auto_recording: str = "cloud") -> dict:
    """GET /meetings/{id} for a scheduled lesson whose every setting is as the protocol's appendix wants."""
    return {
        "uuid": f"uUiD{meeting_id}==", "id": int(meeting_id), "host_id": host_id, "host_email": host_email,
        "assistant_id": "", "topic": topic, "type": 2, "status": "waiting", "start_time": start_time,
        "duration": 60, "timezone": "Europe/London", "agenda": "", "created_at": "2026-11-01T09:00:00Z",
        "start_url": f"https://zoom.us/s/{meeting_id}?zak=x", "join_url": f"https://zoom.us/j/{meeting_id}",
        "password": "kW3pQ9", "h323_password": "274190", "pstn_password": "274190", "encrypted_password": "x",
        "pre_schedule": False,
        "settings": {
            "host_video": False, "participant_video": False, "join_before_host": False, "jbh_time": 0,
            "mute_upon_entry": True, "waiting_room": True,
            "waiting_room_options": {"mode": "follow_setting", "who_goes_to_waiting_room": "everyone"},
            "meeting_authentication": True, "authentication_option": "signIn_D8cJuqWVQ623CI4Q8yQK0Q",
            "authentication_name": "Sign in to Zoom", "authentication_domains": "", "use_pmi": False,
            "auto_recording": auto_recording, "approval_type": 2, "audio": "both", "watermark": False,
            "enforce_login": False, "enforce_login_domains": "", "alternative_hosts": "", "private_meeting": False,
            "internal_meeting": False, "encryption_type": "enhanced_encryption", "focus_mode": False,
            "continuous_meeting_chat": {"enable": False}, "device_testing": False,
        },
    }


def safe_user_settings(auto_recording: str = "cloud") -> dict:
    """A teacher's settings, the three answers merged, every one as the protocol's appendix wants."""
    return {
        "schedule_meeting": {
            "host_video": False, "participants_video": False, "join_before_host": False,
            "use_pmi_for_scheduled_meetings": False, "use_pmi_for_instant_meetings": False,
            "personal_meeting": False, "require_password_for_scheduling_new_meetings": True,
            "require_password_for_scheduled_meetings": True, "require_password_for_instant_meetings": True,
            "require_password_for_pmi_meetings": "all", "embed_password_in_join_link": False,
            "force_pmi_jbh_password": True, "audio_type": "both",
        },
        "in_meeting": {
            "chat": False, "private_chat": False, "allow_participants_chat_with": 1, "file_transfer": False,
            "screen_sharing": True, "who_can_share_screen": "host", "who_can_share_screen_when_someone_is_sharing":
            "host", "waiting_room": True, "annotation": False, "remote_control": False, "breakout_room": True,
            "request_permission_to_unmute_participants": True,
        },
        "recording": {"local_recording": False, "cloud_recording": True, "auto_recording": auto_recording},
        "email_notification": {"jbh_reminder": True, "cancel_meeting_reminder": True},
        "meeting_security": {
            "waiting_room": True, "auto_security": True, "meeting_password": True, "pmi_password": True,
            "require_password_for_scheduled_meeting": True, "block_user_domain": False,
            "only_authenticated_can_join_from_webclient": True, "embed_password_in_join_link": False,
            "waiting_room_settings": {"participants_to_place_in_waiting_room": 0,
                                      "users_who_can_admit_participants_from_waiting_room": 0,
                                      "whitelisted_domains_for_waiting_room": ""},
        },
        "meeting_authentication": True,
        "authentication_options": [{"id": "signIn_D8cJuqWVQ623CI4Q8yQK0Q", "name": "Sign in to Zoom",
                                    "type": "enforce_login", "default_option": True, "visible": True}],
        "allow_authentication_exception": False,
    }


def zoom_user(email: str, user_id: str | None = None, *, first_name: str = "Ada", last_name: str = "Teacher",
              **fields) -> dict:
    """GET /users/{id} for an active licensed user of the school's account."""
    user_id = user_id or "uSeR-" + email.split("@")[0].replace(".", "-")
    return {"id": user_id, "first_name": first_name, "last_name": last_name,
            "display_name": f"{first_name} {last_name}", "email": email, "type": 2, "role_name": "Member",
            "pmi": 5551234567, "use_pmi": False, "personal_meeting_url": "https://zoom.us/j/5551234567",
            "timezone": "Europe/London", "verified": 1, "dept": "", "created_at": "2025-09-01T08:00:00Z",
            "last_login_time": "2026-11-17T08:00:00Z", "language": "en-GB", "status": "active", "role_id": "2",
            "account_id": ACCOUNT_ID, "account_number": 123456789, "cluster": "us05", **fields}


class ZoomApiStandIn(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """As new: no state, no failures, no requests recorded, the app's usual credentials."""
        self.clock = time.monotonic
        self.account_id, self.client_id, self.client_secret = ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET
        self.scope = GRANTED_SCOPES
        self.expires_in = 3600
        self.meetings: dict[str, dict] = {}
        self.users: dict[str, dict] = {}
        self.user_settings: dict[str, dict] = {}
        self.max_page_size = 300
        self.delay = 0.0
        """Seconds each answer is held back."""
        self.max_requests_per_second: float | None = None
        self.requests: list[Recorded] = []
        self.tokens: dict[str, float] = {}
        """The tokens still accepted, and until when (by ``clock``)."""
        self.issued: list[str] = []
        """Every token issued, in order."""
        self.refuse_tokens = False
        """Every token, old or new, is refused (as if the app had been deactivated since it got them)."""
        self.outages: dict[str, list[Outage]] = {"api": [], "oauth": []}
        self.rate_limited = 0
        self.retry_after: str | None = None
        self._served: deque[float] = deque()

    # --- where it is --------------------------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.origin + "/v2"

    @property
    def oauth_url(self) -> str:
        return self.origin + "/oauth/token"

    def credentials(self, **changes) -> ZoomCredentials:
        values = {"account_id": ACCOUNT_ID, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                  "api_url": self.api_url, "oauth_url": self.oauth_url}
        return ZoomCredentials(**{**values, **changes})

    def environment(self) -> dict[str, str]:
        return {"ZOOM_ACCOUNT_ID": ACCOUNT_ID, "ZOOM_CLIENT_ID": CLIENT_ID, "ZOOM_CLIENT_SECRET": CLIENT_SECRET,
                "ZOOM_API_URL": self.api_url, "ZOOM_OAUTH_URL": self.oauth_url}

    # --- state --------------------------------------------------------------------------------------------------

    def add_user(self, email: str, user_id: str | None = None, settings: dict | None = None, **fields) -> dict:
        """A user of the account, with protocol-safe settings unless given."""
        user = zoom_user(email, user_id, **fields)
        self.users[user["id"]] = user
        self.user_settings[user["id"]] = settings if settings is not None else safe_user_settings()
        return user

    def find_user(self, key: str) -> dict | None:
        if key in self.users:
            return self.users[key]
        return next((u for u in self.users.values() if u.get("email", "").lower() == key.lower()), None)

    # --- failures -----------------------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every token issued so far is refused from now on (401, code 124)."""
        with self.lock:
            self.tokens.clear()

    def rate_limit(self, count: int = 1, retry_after: str | None = "1") -> None:
        """The next ``count`` API requests are answered 429 with this Retry-After (None: without one)."""
        with self.lock:
            self.rate_limited, self.retry_after = count, retry_after

    def fail(self, count: int | None = None, seconds: float | None = None, status: int = 503,
             endpoint: str = "api") -> None:
        """The next ``count`` requests, or every request for ``seconds`` (by ``clock``), are answered ``status``;
        ``endpoint``: "api" (/v2) or "oauth" (the token endpoint)."""
        until = self.clock() + seconds if seconds is not None else None
        with self.lock:
            self.outages[endpoint].append(Outage(status, count, until))

    # --- what it saw --------------------------------------------------------------------------------------------

    def api_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/v2/") or r.path == "/v2"]

    def token_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/oauth/token"]

    def busiest_second(self, recorded: list[Recorded] | None = None) -> int:
        """The most API requests (or of ``recorded``) in any one-second window [t, t + 1)."""
        times = sorted(r.at for r in (self.api_requests() if recorded is None else recorded))
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= 1.0:
                first += 1
            most = max(most, last - first + 1)
        return most

    # --- answers ------------------------------------------------------------------------------------------------

    def answer(self, method: str, target: str, headers) -> tuple[int, dict, dict[str, str]]:
        """(status, JSON body, extra headers) for one request."""
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query))
        with self.lock:
            now = self.clock()
            self.requests.append(Recorded(now, method, path, query))
            endpoint = "oauth" if path == "/oauth/token" else "api"
            for outage in self.outages[endpoint]:
                if outage.hits(now):
                    return outage.status, {"code": outage.status, "message": "Service unavailable."}, {}
            if endpoint == "oauth":
                return self._token(method, query, headers.get("Authorization", ""), now)
            if self.rate_limited:
                self.rate_limited -= 1
                extra = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
                return 429, RATE_LIMITED, {"X-RateLimit-Type": "QPS", **extra}
            if self.max_requests_per_second is not None:
                while self._served and now - self._served[0] >= 1.0:
                    self._served.popleft()
                if len(self._served) >= self.max_requests_per_second:
                    return 429, RATE_LIMITED, {"X-RateLimit-Type": "QPS", "Retry-After": "1"}
                self._served.append(now)
            token = headers.get("Authorization", "").removeprefix("Bearer ")
            if self.refuse_tokens or self.tokens.get(token, -1.0) <= now:
                return 401, {"code": 124, "message": "Invalid access token."}, {}
        if method != "GET":
            return 405, {"code": 405, "message": "Method not allowed."}, {}
        return self._resource(path, query)

    def _token(self, method: str, query: dict, authorization: str, now: float):
        if method != "POST":
            return 405, {"reason": "Method not allowed", "error": "invalid_request"}, {}
        if query.get("grant_type") != "account_credentials":
            return 400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"}, {}
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, {}
        if query.get("account_id") != self.account_id:
            return 400, {"reason": "Invalid account_id", "error": "invalid_request"}, {}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = now + self.expires_in
        self.issued.append(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": self.expires_in,
                     "scope": self.scope, "api_url": "https://api.zoom.us"}, {}

    def _resource(self, path: str, query: dict) -> tuple[int, dict, dict[str, str]]:
        if not path.startswith("/v2/"):
            return 404, {"message": "Not found."}, {}
        segments = [unquote(s) for s in path.split("/")[2:]]
        match segments:
            case ["meetings", meeting_id]:
                meeting = self.meetings.get(meeting_id)
                if meeting is None:
                    return 404, {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}, {}
                return 200, meeting, {}
            case ["users"]:
                return 200, self._users_page(query), {}
            case ["users", key]:
                user = self.find_user(key)
                if user is None:
                    return 404, {"code": 1001, "message": f"User does not exist: {key}."}, {}
                return 200, user, {}
            case ["users", key, "settings"]:
                return self._settings(key, query.get("option"))
        return 404, {"message": "Not found."}, {}

    def _settings(self, key: str, option: str | None) -> tuple[int, dict, dict[str, str]]:
        user = self.find_user(key)
        stored = next((self.user_settings[k] for k in (user and user["id"], user and user["email"], key)
                       if k in self.user_settings), None)
        if stored is None and user is None:
            return 404, {"code": 1001, "message": f"User does not exist: {key}."}, {}
        stored = stored if stored is not None else safe_user_settings()
        if option is None:
            return 200, {k: v for k, v in stored.items() if k not in ("meeting_security", *AUTHENTICATION_KEYS)}, {}
        if option == "meeting_security":
            return 200, {"meeting_security": stored.get("meeting_security", {})}, {}
        if option == "meeting_authentication":
            return 200, {k: stored[k] for k in AUTHENTICATION_KEYS if k in stored}, {}
        return 400, {"code": 300, "message": f"Invalid option: {option}."}, {}

    def _users_page(self, query: dict) -> dict:
        everyone = list(self.users.values())
        size = max(1, min(int(query.get("page_size") or 30), 300, self.max_page_size))
        token = query.get("next_page_token") or ""
        start = int(token.removeprefix("page-")) if token.startswith("page-") else 0
        end = start + size
        return {"page_count": -(-len(everyone) // size), "page_size": size, "total_records": len(everyone),
                "next_page_token": f"page-{end}" if end < len(everyone) else "", "users": everyone[start:end]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # the headers and the body go in two writes: no 40 ms wait between them

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, body, extra = self.server.answer(method, self.path, self.headers)
        time.sleep(self.server.delay)
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting

    def log_message(self, format, *args):
        pass
