"""An account's first sign-in enrols its authenticator app: after the password, a QR code drawn into the page (and
the key to type in), and nothing else until the app's first right code."""
import re
from datetime import datetime, timezone

import pyotp
from sqlalchemy import select

from monitor.accounts.qr import qr_svg
from monitor.accounts.store import recovery_codes

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
    assert response.status_code == 200 and b"recovery codes" in response.data
    assert web.get("/incidents").status_code == 200


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


# --- recovery codes ------------------------------------------------------------------------------------------------

RECOVERY_CODE = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")


def enrolled(services, web):
    """Enrols the DSL's app at the first sign-in; returns the recovery codes the page shows, then signs out."""
    totp = add(services, DSL, "dsl", enrolled=False)
    sign_in(web, DSL)
    codes = RECOVERY_CODE.findall(give_enrolment_code(web, totp.at(now(services))).get_data(as_text=True))
    web.post("/logout", data={"csrf_token": csrf(web.get("/incidents").data)})
    return codes


def give_code(web, code):
    token = csrf(web.get("/login/code").data)
    return web.post("/login/code", data={"code": code, "csrf_token": token})


def test_enrolment_shows_ten_recovery_codes_once_and_keeps_them_only_hashed(services, web):
    codes = enrolled(services, web)
    assert len(set(codes)) == 10
    with services.accounts.engine.connect() as conn:
        kept = [row.code_hash for row in conn.execute(select(recovery_codes))]
    assert len(kept) == 10 and not any(code in h or code.replace("-", "") in h for code in codes for h in kept)
    assert all(h.startswith("scrypt:") for h in kept)
    sign_in(web, DSL)                                          # signing in again: the codes are not shown again
    assert web.get("/login/enrol").headers["Location"].endswith("/login/code")
    assert not RECOVERY_CODE.search(web.get("/login/code").get_data(as_text=True))


def test_a_recovery_code_signs_in_once_in_place_of_the_authenticators(services, web):
    codes = enrolled(services, web)
    sign_in(web, DSL)
    assert give_code(web, codes[3].upper().replace("-", " ")).status_code == 302   # as typed off paper
    assert web.get("/incidents").status_code == 200
    assert services.accounts.recovery_codes_left(services.accounts.all()[0].id) == 9
    web.post("/logout", data={"csrf_token": csrf(web.get("/incidents").data)})
    sign_in(web, DSL)
    assert give_code(web, codes[3]).status_code == 401                               # spent
    assert give_code(web, "abcde-fghjk").status_code == 401                          # never one
    assert give_code(web, codes[4]).status_code == 302
