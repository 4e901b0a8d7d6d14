"""Zoom's signature scheme, proven on the two real deliveries in the reference."""
from monitor.signature import sign, url_validation_token, verify

SECRET = "4fv1RkqGQUq5sWbEz6hA5A"
VALIDATION_BODY = (b'{"payload":{"plainToken":"xys8n8PGS7mAU0m5-YJjRA"},"event_ts":1720705455858,'
                   b'"event":"endpoint.url_validation"}')
VALIDATION_SIGNATURE = "v0=93a1a675965ceb9c5a50c5dfb31f20e50f763be37a54ef74cd2d16a1a8e5c0d6"
EMOJI_BODY = (
    '{"event":"meeting.started","payload":{"account_id":"VjZoEArIT5y-HlWxkV-tVA","object":{"duration":60,'
    '"start_time":"2024-07-11T14:12:55Z","timezone":"America/New_York","topic":"Test \\uD83D\\uDE92\\uD83D\\uDE92 ? '
    '- \u2019 - \u2013 \\uD83D\\uDE97 HOLA","id":"85393847045","type":2,"uuid":"jUh5o3dKQIytvcsfTtKBlg==",'
    '"host_id":"8lzIwvZTSOqjndWPbPqzuA"}},"event_ts":1720707175904}'
).encode()
EMOJI_SIGNATURE = "v0=1a14e79349318fa1bead50ebbd3c185ae078e182d3bbd30ab8010fcb7f4357c7"


def test_real_url_validation_vector_verifies():
    assert sign(SECRET, "1720705455", VALIDATION_BODY) == VALIDATION_SIGNATURE
    assert verify(SECRET, "1720705455", VALIDATION_BODY, VALIDATION_SIGNATURE)


def test_real_emoji_vector_verifies_only_over_the_raw_bytes():
    import json

    assert verify(SECRET, "1720707175", EMOJI_BODY, EMOJI_SIGNATURE)
    reserialised = json.dumps(json.loads(EMOJI_BODY), separators=(",", ":")).encode()
    assert not verify(SECRET, "1720707175", reserialised, EMOJI_SIGNATURE)


def test_wrong_secret_timestamp_or_body_fails():
    assert not verify("another-secret", "1720705455", VALIDATION_BODY, VALIDATION_SIGNATURE)
    assert not verify(SECRET, "1720705456", VALIDATION_BODY, VALIDATION_SIGNATURE)
    assert not verify(SECRET, "1720705455", VALIDATION_BODY + b" ", VALIDATION_SIGNATURE)
    assert not verify(SECRET, "1720705455", VALIDATION_BODY, VALIDATION_SIGNATURE.upper())


def test_url_validation_token_matches_the_reference():
    assert url_validation_token(SECRET, "xys8n8PGS7mAU0m5-YJjRA") == \
        "2fffc6a967dde4f68024025a5bd991c5ae1e5313b4e6365be4883e3e81d479b3"
