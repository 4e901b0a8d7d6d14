"""An account's first sign-in enrols its authenticator app: after the password, a QR code drawn into the page (and
the key to type in), and nothing else until the app's first right code."""
import re
from datetime import datetime, timezone

import pyotp

from monitor.accounts.qr import qr_svg

from ..signing_in import add, csrf, sign_in

DSL = "dsl@gatehouse.sch.uk"


def now(services):
    return datetime.fromtimestamp(services.clock(), timezone.utc)


def give_enrolment_code(web, code):
    token = csrf(web.get("/login/enrol").data)
    return web.post("/login/enrol", data={"code": code, "csrf_token": token})


def test_the_first_sign_in_shows_the_qr_code_and_key_and_needs_a_right_code(services, web):
    totp = add(services, DSL, "dsl", enrolled=False)
    response = sign_in(web, DSL)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/enrol")
    page = web.get("/login/enrol").get_data(as_text=True)
    assert re.search(r"<svg [^>]*class=\"qr\".*?<path ", page, re.S), "the QR code is drawn in the page"
    assert "data:" not in page and "<img" not in page                   # nothing the pages' CSP would refuse
    assert " ".join(re.findall(".{1,4}", totp.secret)) in page          # the key, in fours, to type in by hand
    assert web.get("/incidents").headers["Location"].endswith("/login/enrol")   # not usable yet
    assert web.get("/login/code").headers["Location"].endswith("/login/enrol")  # nor signed in with a code

    assert give_enrolment_code(web, "000000").status_code == 401
    assert web.get("/incidents").headers["Location"].endswith("/login/enrol")
    response = give_enrolment_code(web, totp.at(now(services)))
    assert response.status_code == 302 and web.get("/incidents").status_code == 200


def test_the_qr_code_is_the_accounts_enrolment(services, web):
    totp = add(services, DSL, "dsl", enrolled=False)
    sign_in(web, DSL)
    svg = re.search(r"<svg .*?</svg>", web.get("/login/enrol").get_data(as_text=True), re.S).group()
    uri = pyotp.TOTP(totp.secret).provisioning_uri(name=DSL, issuer_name="Zoom safeguarding monitor")
    assert svg == str(qr_svg(uri))


def test_once_enrolled_the_account_signs_in_with_codes_and_is_not_shown_the_key_again(services, web):
    totp = add(services, DSL, "dsl", enrolled=False)
    sign_in(web, DSL)
    give_enrolment_code(web, totp.at(now(services)))
    web.post("/logout", data={"csrf_token": csrf(web.get("/incidents").data)})
    services.clock.advance(30)
    response = sign_in(web, DSL)
    assert response.headers["Location"].endswith("/login/code")
    assert web.get("/login/enrol").headers["Location"].endswith("/login/code")
    token = csrf(web.get("/login/code").data)
    assert web.post("/login/code", data={"code": totp.at(now(services)), "csrf_token": token}).status_code == 302
    assert web.get("/incidents").status_code == 200


def test_the_enrolment_page_needs_the_password_first(services, web):
    add(services, DSL, "dsl", enrolled=False)
    response = web.get("/login/enrol")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_an_account_without_a_second_factor_has_nothing_to_enrol(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer", enrolled=False)
    assert sign_in(web, "viewer@gatehouse.sch.uk").headers["Location"].endswith("/incidents")


def test_wrong_enrolment_codes_lock_the_account_as_wrong_passwords_do(services, web):
    totp = add(services, DSL, "dsl", enrolled=False)
    sign_in(web, DSL)
    for _ in range(5):
        assert give_enrolment_code(web, "000000").status_code == 401
    assert give_enrolment_code(web, totp.at(now(services))).status_code == 401   # locked: even the right code
