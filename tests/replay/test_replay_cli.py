"""`monitor replay` as a user runs it (contracts.md, Replay)."""
import json
import subprocess
import sys

import pytest

from ..servers import ROOT
from .examples import CHAT_MARKERS, EXAMPLES, EXPECTED, MEDIUM


def replay(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor.cli", "replay", "--config",
                           str(ROOT / "config/monitor.example.toml"), *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def test_every_example_is_there():
    assert sorted(p.stem for p in EXAMPLES) == sorted(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_flags_exactly_what_it_is_built_to_show(example):
    result = replay("--json", example)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["rule"], r["subject"]) for r in rows] == EXPECTED[example.stem]
    for row in rows:
        assert {"rule", "meeting_uuid", "meeting_id", "subject", "severity", "began_at", "opened_at"} <= set(row)
        assert isinstance(row["meeting_id"], str)
        assert row["severity"] == ("medium" if row["rule"] in MEDIUM else "high")
        assert row["began_at"].endswith("Z") and row["opened_at"] >= row["began_at"]


def readme_replay_table() -> list[str]:
    """The output the README shows for `monitor replay` of every example."""
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("monitor replay --config config/monitor.example.toml examples/*.jsonl\n```\n```\n", 1)[1]
    return shown.split("```", 1)[0].splitlines()


@pytest.mark.slow
def test_all_examples_as_one_stream_give_the_readmes_table():
    result = replay(*EXAMPLES)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["opened_at", "rule", "meeting_id", "subject", "began_at"]
    assert lines == readme_replay_table()
    assert [line.split()[1] for line in lines[1:]] == [
        rule for example in sorted(EXPECTED) for rule, subject in EXPECTED[example]]
    assert "13 incident(s) from 435 event(s)" in result.stderr


@pytest.mark.slow
def test_the_out_of_hours_lesson_begins_at_six_and_is_flagged_after_the_grace():
    result = replay("--json", ROOT / "examples/1750-out-of-hours.jsonl")
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (row["began_at"], row["opened_at"]) == ("2026-11-18T18:00:00Z", "2026-11-18T18:05:00Z")


@pytest.mark.slow
def test_what_was_chatted_is_never_kept(tmp_path):
    chats = [ROOT / "examples/1525-private-chat.jsonl", ROOT / "examples/1550-chat-in-lesson.jsonl"]
    assert all(marker in "".join(path.read_text() for path in chats) for marker in CHAT_MARKERS)
    result = replay("--json", "--data-dir", tmp_path / "kept", *chats)
    assert result.returncode == 0, result.stderr
    kept = b"".join(path.read_bytes() for path in (tmp_path / "kept").iterdir() if path.is_file())
    assert b"chat_in_lesson" in kept
    for marker in CHAT_MARKERS:
        assert marker.encode() not in kept and marker not in result.stdout + result.stderr


@pytest.mark.slow
def test_a_line_that_is_not_a_zoom_event_names_file_and_line(tmp_path):
    good = EXAMPLES[1].read_text().splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(good[:3] + ['{"event": "meeting.started", "payload": {}}'] + good[3:]) + "\n")
    result = replay(bad)
    assert result.returncode != 0
    assert result.stderr.strip() == f"monitor: {bad}:4: not a Zoom event envelope: event_ts: Field required"
    not_json = tmp_path / "not-json.jsonl"
    not_json.write_text(good[0] + "\n{oops\n")
    result = replay(EXAMPLES[0], not_json)
    assert result.returncode != 0 and f"{not_json}:2: not JSON" in result.stderr


@pytest.mark.slow
def test_a_missing_file_or_a_bad_config_is_named(tmp_path):
    result = replay(tmp_path / "nowhere.jsonl")
    assert result.returncode != 0 and "nowhere.jsonl" in result.stderr
    (tmp_path / "monitor.toml").write_text("[school]\n")
    result = subprocess.run([sys.executable, "-m", "monitor.cli", "replay", "--config", str(tmp_path / "monitor.toml"),
                             str(EXAMPLES[0])], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "missing key 'school.domains'" in result.stderr


@pytest.mark.slow
def test_data_dir_keeps_the_replays_database(tmp_path):
    result = replay("--data-dir", tmp_path / "kept", EXAMPLES[1])
    assert result.returncode == 0
    assert (tmp_path / "kept" / "monitor.sqlite3").exists()


@pytest.mark.slow
def test_zoom_events_it_cannot_take_are_skipped_and_counted_not_a_stop(tmp_path):
    """An absurd time is refused by the webhook (400); in a replay the line is skipped, and its time moves no clock."""
    lines = EXAMPLES[1].read_text().splitlines()
    absurd = [dict(json.loads(lines[5]), event_ts=10**17), json.loads(lines[6])]
    absurd[1]["payload"]["object"]["participant"] = dict(absurd[1]["payload"]["object"]["participant"],
                                                         join_time="9999-12-31T23:59:59Z")
    odd = tmp_path / "odd.jsonl"
    odd.write_text("\n".join(lines[:5] + [json.dumps(e) for e in absurd] + lines[5:]) + "\n")
    result = replay("--json", odd)
    assert result.returncode == 0, result.stderr
    assert result.stdout == replay("--json", EXAMPLES[1]).stdout
    assert "1 incident(s) from 38 event(s), 2 skipped" in replay(odd).stderr


@pytest.mark.slow
def test_odd_text_in_a_line_is_replayed_as_the_webhook_stores_it(tmp_path):
    """NUL and lone surrogates, escaped or as raw bytes, become U+FFFD; invalid UTF-8 is not JSON."""
    lines = EXAMPLES[1].read_text().splitlines()
    odd = tmp_path / "odd.jsonl"
    escaped = [line.replace('"topic":"', '"topic":"\\u0000\\ud800') for line in lines]
    raw = escaped[0].replace("\\ud800", "\ud800").encode("utf-8", "surrogatepass")
    odd.write_bytes(raw + b"\n" + "\n".join(escaped[1:]).encode() + b"\n")
    result = replay("--json", odd)
    assert result.returncode == 0, result.stderr
    [incident] = [json.loads(line) for line in result.stdout.splitlines()]
    assert incident["topic"].startswith("\ufffd\ufffd")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"event": "\xff"}\n')
    result = replay(bad)
    assert result.returncode != 0 and f"{bad}:1: not JSON" in result.stderr
