"""Signing staff in to the web app's test client: accounts added with a password, the sign-in form and its CSRF
token, and the authenticator's code for the roles that need one (their app enrolled already, unless asked not to)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pyotp
from sqlalchemy import update

from monitor.accounts.store import accounts

PASSWORD = "correct horse battery staple"


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def add(services, email, role, *, totp=False, enrolled=True):
    """The account's authenticator (pyotp.TOTP) when it has one; enrolled: as after its first sign-in."""
    at = datetime.fromtimestamp(services.clock(), timezone.utc)
    uri = services.accounts.add(email, email.split("@")[0], role, PASSWORD, totp=totp, at=at)
    if uri and enrolled:
        with services.accounts.engine.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.email == email).values(totp_confirmed_at=at))
    return pyotp.parse_uri(uri) if uri else None


def sign_in(web, email, password=PASSWORD, **request):
    token = csrf(web.get("/login", **request).data)
    return web.post("/login", data={"email": email, "password": password, "csrf_token": token}, **request)


def signed_in(services, web, role):
    email = f"{role}@gatehouse.sch.uk"
    totp = add(services, email, role)
    sign_in(web, email)
    if totp:
        page = web.get("/login/code")
        code = totp.at(datetime.fromtimestamp(services.clock(), timezone.utc))
        web.post("/login/code", data={"code": code, "csrf_token": csrf(page.data)})
    return web
