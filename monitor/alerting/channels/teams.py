"""Microsoft Teams: one Adaptive Card, its texts Markdown-escaped."""
from __future__ import annotations

import re

from ..message import AlertMessage
from .http import HttpChannel, encode_json
from .text import LESSONS_IN_A_CHAT, LINK_LABEL, lesson_lines

TEAMS_COLOURS = {"high": "Attention", "medium": "Warning"}
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>~]|&(?=#?\w+;))")
MARKDOWN_LINE_START = re.compile(r"^(\s*)(\d*)([#+=-]|(?<=\d)[.)])", re.MULTILINE)


def teams_text(text: str) -> str:
    """Plain text for a card's Markdown (TextBlock, Fact): CommonMark's backslash before each character that would
    make a link, an autolink or HTML, emphasis, code or an entity, and before a heading's or a list's mark at the
    start of a line, so that a topic "[click](https://evil.example)" shows as typed and links nowhere."""
    inline = MARKDOWN_INLINE.sub(r"\\\1", text)
    return MARKDOWN_LINE_START.sub(r"\1\2\\\3", inline)


def teams_payload(message: AlertMessage) -> dict:
    title = {"type": "TextBlock", "text": teams_text(message.title), "weight": "Bolder", "size": "Medium",
             "wrap": True}
    if message.severity in TEAMS_COLOURS:
        title["color"] = TEAMS_COLOURS[message.severity]
    facts = [{"title": teams_text(label), "value": teams_text(value)} for label, value in message.facts]
    card = {
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            title,
            {"type": "TextBlock", "text": teams_text(message.text), "wrap": True},
            {"type": "FactSet", "facts": facts},
            *({"type": "TextBlock", "text": teams_text(line), "wrap": True, "spacing": "None"}
              for line in lesson_lines(message, LESSONS_IN_A_CHAT)),
        ],
        "actions": [{"type": "Action.OpenUrl", "title": LINK_LABEL, "url": message.link}],
    }
    return {"type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}


class TeamsChannel(HttpChannel):
    """A Microsoft Teams incoming webhook: a Workflows (Power Automate) "post to a channel when a webhook request
    is received" flow, or a classic incoming-webhook connector. Posts one Adaptive Card."""
    kind = "Teams webhook"

    def request(self, message: AlertMessage) -> tuple[bytes, dict[str, str]]:
        return encode_json(teams_payload(message)), {}
