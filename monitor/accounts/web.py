"""Signing in to the incident queue: password, then the authenticator's code for accounts that have one."""
from __future__ import annotations

import logging
from datetime import datetime
from functools import wraps

from flask import Blueprint, Flask, abort, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .. import keys
from ..clock import utc_now
from ..services import services

log = logging.getLogger(__name__)
bp = Blueprint("accounts", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
IP_ATTEMPTS, IP_WINDOW_SECONDS = 20, 900


class SignInForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class CodeForm(FlaskForm):
    code = StringField("Code from your authenticator app", validators=[DataRequired(), Length(min=6, max=8)])


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


def _too_many_tries() -> bool:
    """At most IP_ATTEMPTS sign-in attempts from one address in IP_WINDOW_SECONDS, whatever the account."""
    key = keys.sign_in_attempts(request.remote_addr or "-")
    redis = services().redis
    tries = redis.incr(key)
    if tries == 1:
        redis.expire(key, IP_WINDOW_SECONDS)
    return tries > IP_ATTEMPTS


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = SignInForm()
    if form.validate_on_submit():
        if _too_many_tries():
            return render_template("login.html", form=form, error="Too many attempts: try again later."), 429
        person = services().accounts.check_password(form.email.data, form.password.data, _now())
        if person is None:
            log.warning("sign-in refused")
            return render_template("login.html", form=form, error="Wrong e-mail or password, or the account is "
                                   "locked for a while after too many attempts."), 401
        session.clear()
        if person.needs_code:
            session["code_for"] = person.id
            return redirect(url_for("accounts.code"))
        login_user(person)
        log.info("account %s signed in", person.id)
        return redirect(url_for("queue.incidents"))
    return render_template("login.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    account_id = session.get("code_for")
    if account_id is None:
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if _too_many_tries():
            return render_template("code.html", form=form, error="Too many attempts: try again later."), 429
        if services().accounts.check_code(account_id, form.code.data, _now()):
            session.clear()
            login_user(services().accounts.get(account_id))
            log.info("account %s signed in with a second factor", account_id)
            return redirect(url_for("queue.incidents"))
        return render_template("code.html", form=form, error="That code is not right."), 401
    return render_template("code.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if not SignOutForm().validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@login_manager.user_loader
def load(account_id: str):
    return services().accounts.get(int(account_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    csrf.init_app(app)

    @app.context_processor
    def sign_out_form():
        return {"sign_out_form": SignOutForm()}
