"""A stand-in for RQ in the pipeline's tests."""
from __future__ import annotations


class RecordingNotifier:
    """Stands in for RQ: notes the incidents opened and the check deadlines asked for."""

    def __init__(self):
        self.opened: list[int] = []
        self.deadlines: list[int] = []

    def incident_opened(self, incident_id: int) -> None:
        self.opened.append(incident_id)

    def check_due_at(self, deadline_ms: int) -> None:
        self.deadlines.append(deadline_ms)
