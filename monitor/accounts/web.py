"""Signing in to the incident queue: password, then the authenticator's code for accounts that have one. At an
account's first sign-in its authenticator app is enrolled: a QR code of its secret, and a first right code."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import wraps

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_url, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..clock import utc_now
from ..current import services
from .qr import grouped, qr_svg
from .store import Person
from .throttle import Attempt, SignInThrottle, account_digest

log = logging.getLogger(__name__)
bp = Blueprint("accounts", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
CODE_WAIT_SECONDS = 300
"""How long the code may take after the right password (the half-signed-in state)."""
ENROL_WAIT_SECONDS = 900
"""How long enrolling may take after the right password: installing an authenticator app takes a while."""
SESSION_IDLE = timedelta(hours=10)
"""A session ends after this long without activity: a school's working day."""
SEEN_EVERY_SECONDS = 60
"""The session's last activity is written at most this often (each time, a new cookie)."""
SEEN, WAITING_FOR_CODE = "seen", "waiting_for_code"
LIVE_REFRESH_HEADER = "X-Live-Refresh"
"""Sent by the pages' live refresh (static/live.js): not activity of the member of staff."""


class SignInForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class CodeForm(FlaskForm):
    code = StringField("Code from your authenticator app", validators=[DataRequired(), Length(min=6, max=16)])
    """Six digits, or at sign-in a recovery code (xxxxx-xxxxx)."""


class SignOutForm(FlaskForm):
    pass


def _now() -> datetime:
    return utc_now(services().clock)


def role_required(*roles: str):
    """Signed in, and in one of these roles (403 otherwise)."""
    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate


def _throttle() -> SignInThrottle:
    return SignInThrottle(services().redis, services().clock)


def _attempt(account: str) -> Attempt:
    """Counts a sign-in attempt from the client's address (as the trusted proxies report it) on an account."""
    return _throttle().attempt(request.remote_addr or "-", account)


def _too_many(template: str, form) -> tuple[str, int]:
    return render_template(template, form=form, error="Too many attempts: try again later."), 429


def _sign_in(person: Person) -> None:
    session.clear()
    login_user(person)
    session.permanent = True
    session[SEEN] = services().clock()


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = SignInForm()
    if form.validate_on_submit():
        account = account_digest(current_app.secret_key, form.email.data)
        attempt = _attempt(account)
        if not attempt.allowed:
            return _too_many("login.html", form)
        person = services().accounts.check_password(form.email.data, form.password.data, _now())
        if person is None:
            log.warning("sign-in refused")
            return render_template("login.html", form=form, error="Wrong e-mail or password, or the account is "
                                   "locked for a while after too many attempts."), 401
        _throttle().succeeded(attempt)
        if person.needs_code:
            session.clear()
            wait = CODE_WAIT_SECONDS if person.enrolled else ENROL_WAIT_SECONDS
            session[WAITING_FOR_CODE] = {"id": person.id, "version": person.session_version, "account": account,
                                         "until": services().clock() + wait, "enrolling": not person.enrolled}
            return redirect(_next_step(session[WAITING_FOR_CODE]))
        _sign_in(person)
        log.info("account %s signed in", person.id)
        return redirect(url_for("staff.incidents"))
    return render_template("login.html", form=form), 400 if request.method == "POST" else 200


def _next_step(waiting: dict) -> str:
    return url_for("accounts.enrol" if waiting.get("enrolling") else "accounts.code")


def _waiting(enrolling: bool):
    """The half-signed-in state (right password, code to come), or where to go instead: the sign-in page when there
    is none or it has run out, the other step's page when the account is at that one."""
    waiting = session.get(WAITING_FOR_CODE)
    if waiting is None:
        return None, redirect(url_for("accounts.login"))
    if services().clock() > waiting["until"]:
        session.clear()
        within = "fifteen minutes" if waiting.get("enrolling") else "five minutes"
        flash(f"The code was not given within {within}: sign in again.", "error")
        return None, redirect(url_for("accounts.login"))
    if bool(waiting.get("enrolling")) != enrolling:
        return None, redirect(_next_step(waiting))
    return waiting, None


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    waiting, elsewhere = _waiting(enrolling=False)
    if elsewhere:
        return elsewhere
    form = CodeForm()
    if form.validate_on_submit():
        attempt = _attempt(waiting["account"])
        if not attempt.allowed:
            return _too_many("code.html", form)
        person = services().accounts.check_code(waiting["id"], waiting["version"], form.code.data, _now())
        if person is None:
            log.warning("second factor refused for account %s", waiting["id"])
            return render_template("code.html", form=form, error="That code is not right, or was used already, or "
                                   "the account is locked for a while after too many attempts."), 401
        _throttle().succeeded(attempt)
        _sign_in(person)
        log.info("account %s signed in with a second factor", person.id)
        return redirect(url_for("staff.incidents"))
    return render_template("code.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    """The account's first sign-in: its authenticator app scans the QR code (or takes the secret typed in), and its
    first right code confirms it. Until then the account sees nothing else."""
    waiting, elsewhere = _waiting(enrolling=True)
    if elsewhere:
        return elsewhere
    enrolment = services().accounts.enrolment(waiting["id"], waiting["version"])
    if enrolment is None:  # enrolled meanwhile (another browser), changed or disabled: start again
        session.clear()
        return redirect(url_for("accounts.login"))
    form = CodeForm()

    def page(error: str | None = None):
        return render_template("enrol.html", form=form, qr=qr_svg(enrolment.uri), secret=grouped(enrolment.secret),
                               error=error)

    if form.validate_on_submit():
        attempt = _attempt(waiting["account"])
        if not attempt.allowed:
            return page("Too many attempts: try again later."), 429
        enrolled = services().accounts.confirm_second_factor(waiting["id"], waiting["version"], form.code.data, _now())
        if enrolled is None:
            log.warning("enrolment code refused for account %s", waiting["id"])
            return page("That code is not right: check the app's clock, and that it shows this account, or the "
                        "account is locked for a while after too many attempts."), 401
        _throttle().succeeded(attempt)
        _sign_in(enrolled.person)
        log.info("account %s enrolled its authenticator app and signed in", enrolled.person.id)
        return render_template("recovery_codes.html", codes=enrolled.recovery_codes)  # this once: kept only hashed
    return page(), 400 if request.method == "POST" else 200


@bp.post("/logout")
@login_required
def logout():
    if not SignOutForm().validate_on_submit():
        abort(400)
    services().accounts.end_sessions(current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.before_app_request
def end_idle_sessions():
    """A session ends after SESSION_IDLE without a request from its member of staff (a page refreshing itself is
    not one)."""
    seen = session.get(SEEN)
    if seen is None:
        return
    now = services().clock()
    if now - seen > SESSION_IDLE.total_seconds():
        session.clear()
        flash("You were signed out after a long time without activity.", "error")
    elif now - seen >= SEEN_EVERY_SECONDS and LIVE_REFRESH_HEADER not in request.headers:
        session[SEEN] = now


@login_manager.unauthorized_handler
def unauthorized():
    """Not signed in: to the sign-in page, or, half-way (right password, code to come), back to that step."""
    waiting = session.get(WAITING_FOR_CODE)
    if waiting is not None and services().clock() <= waiting["until"]:
        return redirect(_next_step(waiting))
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url("accounts.login", request.url))


@login_manager.user_loader
def load(session_id: str):
    return services().accounts.signed_in(session_id)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    app.permanent_session_lifetime = SESSION_IDLE  # the cookie too: Flask refuses a signed one older than this
    csrf.init_app(app)

    @app.context_processor
    def sign_out_form():
        return {"sign_out_form": SignOutForm()}
