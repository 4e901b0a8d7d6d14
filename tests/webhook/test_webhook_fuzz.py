"""Signed mutations of real deliveries, posted to the app on the real Redis: never a 500, and a refused delivery
(400, 413) stores nothing in Redis or the database. The examples are derived from a fixed seed, so every run, in CI
too, posts the same bodies."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from monitor.app import create_app
from monitor.clock import ManualClock
from monitor.events import KINDS, URL_VALIDATION
from monitor.migrations import migrate
from monitor.services import Services

from .. import zoom
from ..servers import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BODIES = [json.loads(line) for path in [*sorted((ROOT / "examples").glob("*.jsonl")),
                                        Path(__file__).parent.parent / "fixtures" / "zoom-reference-examples.jsonl"]
          for line in path.read_text().splitlines() if line.strip()]
API = {"Authorization": "Bearer fuzz-token"}
DEEP = "\u2603deep\u2603"
"""Stands for nesting too deep for json.dumps: written into the raw body after serialising."""

ODD_STRINGS = ["", " ", "\x00", "\ud800", "\udfff", "a\x00b\ud83d", "\u202e\u2066rtl", "\U0001F600" * 20,
               "e\u0301" * 50, "\u2028\u2029", "\ufeff", "x" * 5000, "x" * (300 * 1024), "9999-12-31T23:59:59Z",
               "0001-01-01T00:00:00+14:00", "2026-11-18T10:00:00", "1999-12-31T23:59:59Z", "2026-13-45T99:99:99Z",
               "1e400", "NaN", "{", "null", "{uuid}", "a@gatehouse.sch.uk", "A@GATEHOUSE.SCH.UK\x00"]
ODD_NUMBERS = [0, -1, 1, 2**63, -2**63, 2**64, 10**17, 10**30, 1.5, -0.0, 1e308, float("inf"), float("-inf"),
               float("nan"), 946_684_800_000, 4_102_444_799_999, 4_102_444_800_000, 1795000000000, True, False]
KIND_NAMES = [*KINDS, URL_VALIDATION, "meeting.rtms_started", "user.settings_updated", "", "Meeting.Started",
              "meeting." + "x" * 100]

leaves = st.one_of(st.sampled_from(ODD_STRINGS), st.sampled_from(ODD_NUMBERS), st.sampled_from(KIND_NAMES),
                   st.text(st.characters(exclude_categories=()), max_size=20), st.integers(), st.floats(),
                   st.none(), st.booleans())
values = st.one_of(leaves, st.just(DEEP), st.lists(leaves, max_size=3),
                   st.dictionaries(st.text(st.characters(exclude_categories=()), max_size=8), leaves, max_size=3))


def paths(value, prefix: tuple = ()) -> list[tuple]:
    """The path of every value in a body, the body itself first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def at(body, path: tuple):
    for part in path:
        body = body[part]
    return body


def mutate(body, how: str, pick: int, value):
    """Changes, deletes or duplicates one value of ``body``; may give a body that is not an object at all."""
    path = paths(body)[pick % len(paths(body))]
    if how == "kind" and isinstance(body, dict):
        body["event"] = KIND_NAMES[pick % len(KIND_NAMES)]
        return body
    if not path:
        return value if how == "replace" else [body, body] if how == "duplicate" else body
    parent, last = at(body, path[:-1]), path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif isinstance(parent, dict):       # duplicate: the same value under a new key, and again one level down
        parent[f"{last}{pick % 3}"] = copy.deepcopy(parent[last])
        if isinstance(parent[last], dict):
            parent[last][str(last)] = copy.deepcopy(parent[last])
    else:
        parent.append(copy.deepcopy(parent[last]))
    return body


mutations = st.lists(st.tuples(st.sampled_from(["replace", "replace", "delete", "duplicate", "kind"]),
                               st.integers(0, 10**6), values), min_size=0, max_size=3)
serialising = st.fixed_dictionaries({
    "ascii": st.booleans(), "depth": st.sampled_from([1, 31, 33, 200, 5000]),
    "cut": st.one_of(st.none(), st.none(), st.none(), st.integers(0, 10**6)),
    "duplicate_key": st.one_of(st.none(), st.none(), st.sampled_from(["event", "event_ts", "payload"]))})
deliveries = st.lists(st.tuples(st.integers(0, len(BODIES) - 1), mutations, serialising, values),
                      min_size=1, max_size=4)


def raw(body, how: dict, duplicate_value) -> bytes:
    """The body as bytes, as a sender might write it: escaped or raw UTF-8 (lone surrogates too), with nesting too
    deep, a key given twice, or cut short."""
    data = json.dumps(body, ensure_ascii=how["ascii"]) if how["duplicate_key"] is None or not isinstance(body, dict) \
        else json.dumps(body, ensure_ascii=how["ascii"])[:-1] + \
        f', "{how["duplicate_key"]}": {json.dumps(duplicate_value)}}}'
    data = data.replace(json.dumps(DEEP, ensure_ascii=how["ascii"]), "[" * how["depth"] + "]" * how["depth"])
    data = data.encode("utf-8", "surrogatepass")
    return data if how["cut"] is None else data[:how["cut"] % max(len(data), 1)]


def stored(redis, database) -> tuple:
    """Everything the monitor keeps: every Redis key with its value and expiry, and the database's incident rows."""
    keys = sorted(redis.keys("*"))
    pipe = redis.pipeline(transaction=False)
    for key in keys:
        pipe.dump(key)
        pipe.pttl(key)
    dumped = pipe.execute()
    with database.connect() as conn:
        rows = tuple(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                     for table in ("incidents", "incident_occurrences"))
    return dict(zip(keys, zip(dumped[::2], [ttl > 0 for ttl in dumped[1::2]]))), rows


@pytest.fixture
def fuzz_app(real_redis, school_config, tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'monitor.sqlite3'}")
    migrate(engine)
    svc = Services(config=school_config, redis=real_redis, database=engine, webhook_secret=zoom.SECRET,
                   api_token="fuzz-token", clock=ManualClock(zoom.T0))
    yield svc, create_app(svc).test_client()
    engine.dispose()


@settings(derandomize=True, database=None, max_examples=1200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(stream=deliveries)
def test_signed_mutations_never_give_500_and_refusals_store_nothing(fuzz_app, stream):
    svc, client = fuzz_app
    svc.redis.flushdb()
    for index, changes, how, duplicate_value in stream:
        body = copy.deepcopy(BODIES[index])
        for change in changes:
            body = mutate(body, *change)
        data = raw(body, how, duplicate_value)
        before = stored(svc.redis, svc.database)
        response = client.post("/zoom/webhook", data=data, headers=zoom.signed_headers(data, zoom.T0))
        assert response.status_code in (200, 400, 413), (response.status_code, data[:2000])
        event(f"{response.status_code} {(response.get_json(silent=True) or {}).get('status', '')}".strip())
        if response.status_code != 200:
            assert stored(svc.redis, svc.database) == before, data[:2000]
    for listing in ("/api/meetings?include_ended=1", "/api/meetings", "/api/incidents"):
        assert client.get(listing, headers=API).status_code == 200
