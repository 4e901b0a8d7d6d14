"""Slack: Block Kit blocks, every text of Zoom's as plain_text."""
from __future__ import annotations

from ..message import AlertMessage
from .http import HttpChannel, encode_json
from .text import LESSONS_IN_A_CHAT, LINK_LABEL, clip, lesson_lines, one_line

SLACK_HEADER_MAX, SLACK_TEXT_MAX, SLACK_FIELD_MAX, SLACK_FIELDS_PER_SECTION = 150, 3000, 2000, 10


def slack_escape(text: str) -> str:
    """Slack's control characters in a mrkdwn text, escaped: no <url|link>, <@mention> or <!channel> from it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_plain(text: str, limit: int) -> dict:
    """Text that Slack shows as typed: a plain_text object has no mrkdwn (no *bold*, _italic_, ~strike~, `code`,
    which mrkdwn cannot escape) and no <url|link>."""
    return {"type": "plain_text", "text": clip(text, limit), "emoji": False}


def slack_payload(message: AlertMessage) -> dict:
    """The facts' labels (the monitor's own words) in bold, each beside its value as plain text: two fields a fact."""
    fields = [field for label, value in message.facts for field in (
        {"type": "mrkdwn", "text": f"*{slack_escape(label)}*"}, slack_plain(value, SLACK_FIELD_MAX))]
    lessons = lesson_lines(message, LESSONS_IN_A_CHAT)
    blocks = [
        {"type": "header", "text": slack_plain(one_line(message.title), SLACK_HEADER_MAX)},
        {"type": "section", "text": slack_plain(message.text, SLACK_TEXT_MAX)},
        *({"type": "section", "fields": fields[start:start + SLACK_FIELDS_PER_SECTION]}
          for start in range(0, len(fields), SLACK_FIELDS_PER_SECTION)),
        *([{"type": "section", "text": slack_plain("\n".join(lessons), SLACK_TEXT_MAX)}] if lessons else []),
        {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": LINK_LABEL}, "url": message.link}]},
    ]
    return {"text": slack_escape(message.title), "blocks": blocks}


class SlackChannel(HttpChannel):
    """A Slack incoming webhook. Posts Block Kit blocks, with the title as the notification's fallback text."""
    kind = "Slack webhook"

    def request(self, message: AlertMessage) -> tuple[bytes, dict[str, str]]:
        return encode_json(slack_payload(message)), {}
