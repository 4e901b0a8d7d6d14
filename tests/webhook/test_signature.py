"""Zoom's signature scheme, proven on the two real deliveries in the reference."""
from monitor.signature import sign, url_validation_token, verify

from .deliveries import EMOJI_BODY, EMOJI_SIGNATURE, VALIDATION_BODY, VALIDATION_SIGNATURE

SECRET = "4fv1RkqGQUq5sWbEz6hA5A"


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
