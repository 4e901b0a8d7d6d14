"""Replay throughput: `monitor replay`'s pipeline, in-process, on a day of lessons written for the run.

    python bench/replay_bench.py [--lessons 300] [--pupils 30] [--runs 3]

Each lesson: meeting.started, recording.started, the teacher and every pupil join, every pupil leaves,
meeting.ended; a lesson keeps the protocol, so no incident opens. Prints events/s of each run.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import tempfile
import uuid
from pathlib import Path

from harness import ROOT, iso

from monitor.config import load_config  # this checkout's, which harness puts first on the path
from monitor.replay import replay

HOST_ID = "8lzIwvZTSOqjndWPbPqzuA"  # Alex Teacher in config/staff.example.csv
START = 1_795_000_000.0  # Wednesday 18 November 2026, 11:06:40 UTC


def lesson(n: int, pupils: int) -> list[dict]:
    start = START + n * 3
    meeting = {"id": str(85393847045 + n), "uuid": base64.b64encode(os.urandom(16)).decode(), "host_id": HOST_ID,
               "topic": f"Year {7 + n % 5} lesson {n}", "type": 2, "start_time": iso(start), "duration": 60}

    def person(at: float, field: str, conn: str, email: str, user_id: str = "") -> dict:
        return dict(meeting, participant={"user_id": user_id, "user_name": email.split("@")[0], "id": user_id,
                                          "participant_uuid": conn, field: iso(at), "email": email})

    people = [(str(uuid.uuid4()), "a.teacher@gatehouse.sch.uk", HOST_ID)]
    people += [(str(uuid.uuid4()), f"pupil{n}.{p}@gatehouse.sch.uk", "") for p in range(pupils)]
    events = [("meeting.started", start, meeting), ("recording.started", start, meeting)]
    events += [("meeting.participant_joined", start + 1 + i, person(start + 1 + i, "join_time", *who))
               for i, who in enumerate(people)]
    events += [("meeting.participant_left", start + 3000 + i, person(start + 3000 + i, "leave_time", *who))
               for i, who in enumerate(people[1:], 1)]
    events.append(("meeting.ended", start + 3100, dict(meeting, end_time=iso(start + 3100))))
    return [{"event": kind, "event_ts": int(at * 1000), "payload": {"account_id": "acc", "object": obj}}
            for kind, at, obj in events]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", type=int, default=300)
    parser.add_argument("--pupils", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    config = load_config(ROOT / "config" / "monitor.example.toml")
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as tmp:
        path = Path(tmp) / "day.jsonl"
        path.write_text("".join(json.dumps(event) + "\n" for n in range(args.lessons) for event in
                                lesson(n, args.pupils)))
        for _ in range(args.runs):
            result = replay([path], config)
            assert not result.incidents, [i["rule"] for i in result.incidents]
            print(f"{result.events} events, {result.events_per_second:,.0f} events/s")


if __name__ == "__main__":
    main()
