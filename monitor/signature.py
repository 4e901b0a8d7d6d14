"""Zoom's webhook signature: v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{raw body}"))."""
import hashlib
import hmac


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time, over the raw bytes as received (re-serialised JSON would not match)."""
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


def url_validation_token(secret: str, plain_token: str) -> str:
    return hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
