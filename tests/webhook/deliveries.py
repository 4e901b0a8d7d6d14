"""Zoom's two real signed deliveries (from its reference: the URL validation and a meeting.started with emoji in
the topic, signed with zoom.SECRET), posting raw bytes to the webhook, and what Redis holds, to show a refusal stored
nothing."""
from __future__ import annotations

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


def snapshot(redis) -> dict:
    return {key: redis.dump(key) for key in sorted(redis.keys("*"))}


def post_raw(client, data: bytes, headers: dict):
    return client.post("/zoom/webhook", data=data, headers=headers)
