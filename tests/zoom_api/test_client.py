"""The Zoom API client against the stand-in and the real Redis: the shared token, Zoom's failures, 404s."""
from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import format_datetime

import pytest

from monitor.clock import utc_now
from monitor.zoom_api import ZoomApi, ZoomApiError, ZoomCredentialsError, ZoomUnavailable

from ..zoom_api_server import CLIENT_SECRET, GRANTED_SCOPES, safe_meeting

MEETING = "81000000002"
TEACHER = "a.teacher@gatehouse.sch.uk"


@pytest.fixture
def lesson(zoom_api_server):
    zoom_api_server.meetings[MEETING] = safe_meeting(MEETING)
    return zoom_api_server.meetings[MEETING]


# --- the token --------------------------------------------------------------------------------------------------

def test_one_token_is_fetched_and_shared_by_every_process(zoom_api_server, make_api, lesson):
    first, second = make_api(), make_api()

    assert first.meeting(MEETING) == lesson
    assert second.meeting(MEETING) == lesson
    assert second.meeting(MEETING) == lesson

    assert len(zoom_api_server.token_requests()) == 1
    assert len(zoom_api_server.api_requests()) == 3
    token = zoom_api_server.token_requests()[0]
    assert token.method == "POST"
    assert token.query == {"grant_type": "account_credentials", "account_id": zoom_api_server.account_id}


def test_the_token_is_renewed_five_minutes_before_it_expires(zoom_api_server, zoom_api, clock, lesson):
    zoom_api.meeting(MEETING)
    clock.advance(3600 - 300 - 1)
    zoom_api.meeting(MEETING)
    assert len(zoom_api_server.token_requests()) == 1

    clock.advance(2)
    zoom_api.meeting(MEETING)

    assert len(zoom_api_server.token_requests()) == 2
    assert len(zoom_api_server.api_requests()) == 3, "renewed before Zoom refused it: no request was refused"


def test_a_token_of_a_short_life_is_renewed_half_way(zoom_api_server, zoom_api, clock, lesson):
    zoom_api_server.expires_in = 100
    zoom_api.meeting(MEETING)
    clock.advance(49)
    zoom_api.meeting(MEETING)
    clock.advance(2)
    zoom_api.meeting(MEETING)

    assert len(zoom_api_server.token_requests()) == 2


def test_a_refused_token_is_replaced_once_and_the_call_made_again(zoom_api_server, make_api, lesson, caplog):
    first, second = make_api(), make_api()
    first.meeting(MEETING)
    zoom_api_server.expire_tokens()

    with caplog.at_level(logging.WARNING):
        assert first.meeting(MEETING) == lesson
        assert second.meeting(MEETING) == lesson, "the other process uses the new token"

    assert len(zoom_api_server.token_requests()) == 2
    assert [r.path for r in zoom_api_server.api_requests()] == [f"/v2/meetings/{MEETING}"] * 4
    assert caplog.messages == [f"Zoom GET /meetings/{MEETING}: HTTP 401: fetching a new access token"]


def test_a_token_refused_twice_is_an_error(zoom_api_server, zoom_api, lesson):
    zoom_api.meeting(MEETING)
    zoom_api_server.refuse_tokens = True

    with pytest.raises(ZoomApiError, match=r"HTTP 401 code 124: Invalid access token"):
        zoom_api.meeting(MEETING)
    assert len(zoom_api_server.token_requests()) == 2


def test_credentials_zoom_refuses_are_a_credentials_error_without_the_secret(zoom_api_server, make_api, caplog):
    api = make_api(zoom_api_server.credentials(client_secret="wrong-Secret-5e4d3c"))

    with caplog.at_level(logging.DEBUG), pytest.raises(ZoomCredentialsError) as refused:
        api.meeting(MEETING)

    message = str(refused.value)
    assert "Invalid client_id or client_secret" in message
    assert "ZOOM_CLIENT_SECRET" in message
    assert "wrong-Secret-5e4d3c" not in message + caplog.text
    assert CLIENT_SECRET not in message + caplog.text
    assert len(zoom_api_server.token_requests()) == 1, "a refusal is not retried"
    assert zoom_api_server.api_requests() == []


def test_a_wrong_account_is_a_credentials_error(zoom_api_server, make_api):
    api = make_api(zoom_api_server.credentials(account_id="another-account"))

    with pytest.raises(ZoomCredentialsError, match="Invalid account_id"):
        api.user(TEACHER)


def test_the_token_endpoint_down_is_unavailable(zoom_api_server, zoom_api, sleeper):
    zoom_api_server.fail(count=10, endpoint="oauth")

    with pytest.raises(ZoomUnavailable, match=r"Zoom token request: HTTP 503 after 4 tries: try later"):
        zoom_api.meeting(MEETING)

    assert sleeper.waits == [0.5, 1.0, 2.0]
    assert len(zoom_api_server.token_requests()) == 4


def test_granted_scopes_come_from_a_fresh_token(zoom_api_server, zoom_api):
    assert zoom_api.granted_scopes() == GRANTED_SCOPES.split()
    zoom_api_server.scope = "user:read:user:admin"
    assert zoom_api.granted_scopes() == ["user:read:user:admin"]
    assert len(zoom_api_server.token_requests()) == 2


# --- 429, 5xx and timeouts ---------------------------------------------------------------------------------------

def test_a_429_is_waited_for_as_retry_after_says(zoom_api_server, zoom_api, sleeper, lesson, caplog):
    zoom_api.meeting(MEETING)
    zoom_api_server.rate_limit(count=1, retry_after="3")

    with caplog.at_level(logging.WARNING):
        assert zoom_api.meeting(MEETING) == lesson

    assert 3.0 in sleeper.waits
    assert len(zoom_api_server.api_requests()) == 3
    assert caplog.messages == [f"Zoom GET /meetings/{MEETING}: HTTP 429, waiting 3 s"]


def test_a_retry_after_as_a_date_is_waited_for_until_then(zoom_api_server, zoom_api, sleeper, clock, lesson):
    zoom_api_server.rate_limit(count=1, retry_after=format_datetime(utc_now(clock) + timedelta(seconds=7),
                                                                    usegmt=True))

    assert zoom_api.meeting(MEETING) == lesson

    assert any(6 < wait <= 7 for wait in sleeper.waits), sleeper.waits


def test_a_429_holds_back_every_process(zoom_api_server, make_api, sleeper, lesson):
    first, second = make_api(sleep=lambda seconds: None), make_api()  # the first's sleep leaves the clock be
    first.meeting(MEETING)
    zoom_api_server.rate_limit(count=1, retry_after="5")
    first.meeting(MEETING)

    second.meeting(MEETING)

    assert sleeper.waits == [pytest.approx(5, abs=0.1)], "the second process waited for the first's 429 too"


def test_a_429_asking_for_an_absurd_wait_gives_up(zoom_api_server, zoom_api, sleeper, lesson):
    zoom_api_server.rate_limit(count=1, retry_after="3600")

    with pytest.raises(ZoomUnavailable, match=r"HTTP 429, asked to wait 3600 s\): try later"):
        zoom_api.meeting(MEETING)

    assert all(wait < 60 for wait in sleeper.waits)


def test_429s_that_go_on_give_up(zoom_api_server, zoom_api, lesson):
    zoom_api_server.rate_limit(count=100, retry_after=None)

    with pytest.raises(ZoomUnavailable, match="5 times in a row"):
        zoom_api.meeting(MEETING)

    assert len(zoom_api_server.api_requests()) == 5


def test_a_5xx_is_retried_with_backoff(zoom_api_server, zoom_api, sleeper, lesson):
    zoom_api.meeting(MEETING)
    zoom_api_server.fail(count=2, status=502)
    sleeper.waits.clear()

    assert zoom_api.meeting(MEETING) == lesson

    assert [wait for wait in sleeper.waits if wait >= 0.5] == [0.5, 1.0]


def test_zoom_down_gives_up_then_works_when_it_is_back(zoom_api_server, zoom_api, clock, sleeper, lesson, caplog):
    zoom_api_server.clock = clock
    zoom_api_server.fail(seconds=60)

    with caplog.at_level(logging.WARNING), pytest.raises(ZoomUnavailable, match="HTTP 503 after 4 tries"):
        zoom_api.meeting(MEETING)
    assert [wait for wait in sleeper.waits if wait >= 0.5] == [0.5, 1.0, 2.0]
    assert len(zoom_api_server.api_requests()) == 4
    assert caplog.messages[-1] == f"Zoom GET /meetings/{MEETING}: HTTP 503: giving up after 4 tries"
    assert len(caplog.messages) == 4, "one line a failure"

    clock.advance(60)
    assert zoom_api.meeting(MEETING) == lesson


def test_slow_answers_time_out_and_are_unavailable(zoom_api_server, make_api, lesson):
    api = make_api(timeout=0.2)
    api.meeting(MEETING)
    zoom_api_server.delay = 0.5

    with pytest.raises(ZoomUnavailable, match="ReadTimeout after 4 tries"):
        api.meeting(MEETING)


def test_the_stand_ins_own_limit_is_waited_out(zoom_api_server, make_api, clock, lesson):
    zoom_api_server.clock = clock
    zoom_api_server.max_requests_per_second = 2
    api = make_api(max_requests_per_second=10)

    for _ in range(6):
        assert api.meeting(MEETING) == lesson

    assert len(zoom_api_server.api_requests()) > 6, "some were answered 429 and tried again"


# --- what Zoom answers ---------------------------------------------------------------------------------------------

def test_a_meeting_or_user_zoom_does_not_have_is_none(zoom_api_server, zoom_api):
    assert zoom_api.meeting("89999999999") is None
    assert zoom_api.user("nobody@gatehouse.sch.uk") is None
    assert zoom_api.user_settings("nobody@gatehouse.sch.uk") is None
    assert zoom_api.user_settings("nobody@gatehouse.sch.uk", "meeting_security") is None


def test_a_404_that_is_not_zooms_no_such_thing_is_an_error(zoom_api_server, make_api):
    api = make_api(zoom_api_server.credentials(api_url=zoom_api_server.origin + "/v1"))

    with pytest.raises(ZoomApiError, match=r"GET /meetings/81000000002: HTTP 404: Not found"):
        api.meeting(MEETING)


def test_a_user_is_found_by_id_or_e_mail(zoom_api_server, zoom_api):
    user = zoom_api_server.add_user(TEACHER, "tEaChEr-1")

    assert zoom_api.user("tEaChEr-1") == user
    assert zoom_api.user(TEACHER) == user
    assert zoom_api_server.api_requests()[-1].path == f"/v2/users/{TEACHER}"


def test_user_settings_and_their_options(zoom_api_server, zoom_api):
    zoom_api_server.add_user(TEACHER, "tEaChEr-1")
    zoom_api_server.user_settings["tEaChEr-1"]["in_meeting"]["chat"] = True

    settings = zoom_api.user_settings(TEACHER)
    security = zoom_api.user_settings(TEACHER, "meeting_security")
    authentication = zoom_api.user_settings("tEaChEr-1", option="meeting_authentication")

    assert settings["in_meeting"]["chat"] is True
    assert settings["schedule_meeting"]["join_before_host"] is False
    assert "meeting_security" not in settings and "meeting_authentication" not in settings
    assert security == {"meeting_security": zoom_api_server.user_settings["tEaChEr-1"]["meeting_security"]}
    assert authentication["meeting_authentication"] is True
    assert authentication["authentication_options"][0]["type"] == "enforce_login"
    assert [r.query for r in zoom_api_server.api_requests()] == [
        {}, {"option": "meeting_security"}, {"option": "meeting_authentication"}]


def test_every_page_of_users_is_read(zoom_api_server, zoom_api):
    added = [zoom_api_server.add_user(f"teacher{n}@gatehouse.sch.uk") for n in range(7)]
    zoom_api_server.max_page_size = 3

    assert zoom_api.users() == added

    queries = [r.query for r in zoom_api_server.api_requests()]
    assert queries == [{"page_size": "300"}, {"page_size": "300", "next_page_token": "page-3"},
                       {"page_size": "300", "next_page_token": "page-6"}]


def test_no_users_is_an_empty_list(zoom_api):
    assert zoom_api.users() == []


def test_logs_name_no_token_secret_or_e_mail(zoom_api_server, zoom_api, caplog):
    zoom_api_server.add_user(TEACHER)
    with caplog.at_level(logging.DEBUG):
        zoom_api.user_settings(TEACHER)
        zoom_api_server.expire_tokens()
        zoom_api_server.fail(count=1)
        zoom_api_server.rate_limit(count=1, retry_after="1")
        zoom_api.user_settings(TEACHER, "meeting_security")
        zoom_api_server.fail(count=9, status=500)
        with pytest.raises(ZoomUnavailable) as unavailable:
            zoom_api.user_settings(TEACHER)

    logged = caplog.text + str(unavailable.value)
    assert "GET /users/<e-mail>/settings: HTTP 500" in logged
    for secret in [CLIENT_SECRET, TEACHER, *zoom_api_server.issued]:
        assert secret not in logged


def test_the_in_process_redis_serves_as_well(zoom_api_server, fake_redis, clock, sleeper, lesson):
    """`monitor serve` without REDIS_URL runs on the in-process stand-in: its Lua scripts are the same."""
    api = ZoomApi(zoom_api_server.credentials(), fake_redis, max_requests_per_second=5, clock=clock, sleep=sleeper)
    try:
        assert api.meeting(MEETING) == lesson
        zoom_api_server.expire_tokens()
        assert api.meeting(MEETING) == lesson
    finally:
        api.close()

    assert len(zoom_api_server.token_requests()) == 2
    assert sleeper.waits == [pytest.approx(0.25, abs=1e-3)] * 2, "the 401's retry and the next call waited their turns"
