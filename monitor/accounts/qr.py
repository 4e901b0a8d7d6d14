"""The otpauth:// URI of an authenticator's enrolment as a QR code: inline SVG for the pages (drawn here, so no other
service sees the secret, and no data: URI the pages' Content-Security-Policy would refuse), text for a terminal."""
from __future__ import annotations

import io

import segno
from markupsafe import Markup

SCALE = 5
"""Pixels a module: the code of a typical URI (a 45-module square with its border) is 225 pixels wide."""


def _code(uri: str) -> segno.QRCode:
    return segno.make(uri, error="m", micro=False)


def qr_svg(uri: str) -> Markup:
    """An <svg> element, to be put in the page as it is."""
    return Markup(_code(uri).svg_inline(scale=SCALE, title="QR code to scan with the authenticator app",
                                        dark="#000", light="#fff", svgclass="qr", lineclass=None))


def qr_text(uri: str) -> str:
    """Block characters, two modules a line, the light ones drawn: on a dark terminal, dark on light."""
    out = io.StringIO()
    _code(uri).terminal(out=out, compact=True)
    return out.getvalue()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type in by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
