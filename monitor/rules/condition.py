from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Condition:
    rule: str
    subject: str | None
    grace_seconds: int

    @property
    def key(self) -> tuple[str, str | None]:
        return self.rule, self.subject
