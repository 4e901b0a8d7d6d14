"""A missing page, or one not for the reader's role, is a page of the app with a way back; the machine-facing
routes answer errors in JSON."""
from ..school import API_TOKEN
from ..signing_in import signed_in

BACK_TO_QUEUE = b'<a href="/incidents">Back to the incident queue</a>'
SIGN_IN = b'<a href="/login">Sign in</a>'


def test_an_unknown_page_signed_out_offers_sign_in(web):
    page = web.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert b"Page not found" in page.data and b"Safeguarding monitor" in page.data
    assert SIGN_IN in page.data and BACK_TO_QUEUE not in page.data


def test_an_unknown_page_signed_in_leads_back_to_the_queue(services, web):
    web = signed_in(services, web, "viewer")
    page = web.get("/incidents/999999")
    assert page.status_code == 404 and b"Page not found" in page.data
    assert BACK_TO_QUEUE in page.data and b"Sign out" in page.data and SIGN_IN not in page.data


def test_a_viewer_on_a_page_for_the_dsl_is_told_it_is_not_for_their_role(services, web):
    web = signed_in(services, web, "viewer")
    for path in ("/staff-concerns", "/incidents.csv", "/digests"):
        page = web.get(path)
        assert page.status_code == 403 and b"Not for your role" in page.data, path
        assert BACK_TO_QUEUE in page.data


def test_the_api_and_the_webhook_answer_errors_in_json(client):
    bearer = {"Authorization": f"Bearer {API_TOKEN}"}
    missing = client.get("/api/no-such-thing", headers=bearer)
    assert missing.status_code == 404 and missing.is_json and missing.get_json()["error"]
    assert client.get("/api/incidents/999999", headers=bearer).get_json() == {"error": "no such incident"}
    wrong_method = client.get("/zoom/webhook")
    assert wrong_method.status_code == 405 and wrong_method.is_json and "POST" in wrong_method.headers["Allow"]
    assert client.put("/healthz").is_json
