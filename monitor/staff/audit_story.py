"""An incident's audit log told as plain sentences, oldest first so that it reads as a story: "Dee Lead
acknowledged it.", "Dee Lead closed it: action taken. Rationale: ...". Views fold into one line per person per day
("Dee Lead viewed it 3 times on Tue 1 Dec 2026."), placed at that day's first view."""
from __future__ import annotations

from datetime import date, datetime
from typing import Callable, NamedTuple
from zoneinfo import ZoneInfo

from markupsafe import Markup

from ..incidents.triage import OUTCOMES

Person = Callable[[str], Markup]
"""An e-mail as the page shows the person."""
Day = Callable[[date], str]
"""A day as the school writes it."""


class Line(NamedTuple):
    at: str
    """ISO-8601 UTC, as the audit log keeps it: the first view of a folded line."""
    words: Markup


def _lower_first(words: str) -> str:
    return words[:1].lower() + words[1:]


def _ended(words: str) -> str:
    """Typed words as the end of a sentence: a full stop unless they end in one already."""
    words = words.strip()
    return words if words.endswith((".", "!", "?")) else words + "."


def _said(value) -> str:
    """A detail's value in words, however nested."""
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {_said(inner)}" for key, inner in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_said(inner) for inner in value)
    return str(value)


def sentence(action: str, detail: dict, who: Markup, person: Person, day: Day) -> Markup:
    """What one audit entry says (a view's own line; the story folds views)."""
    detail = detail or {}
    if action == "acknowledge":
        return Markup("{} acknowledged it.").format(who)
    if action == "assign":
        due = detail.get("due_on")
        due_words = f", due {day(date.fromisoformat(due))}" if due else ", with no due date"
        return Markup("{} assigned it to {}{}.").format(who, person(detail.get("to") or ""), due_words)
    if action == "close":
        outcome = _lower_first(OUTCOMES.get(detail.get("outcome"), detail.get("outcome") or "no outcome"))
        return Markup("{} closed it: {}. Rationale: {}").format(who, outcome, _ended(detail.get("rationale") or ""))
    if action == "reopen":
        return Markup("{} reopened it. Reason: {}").format(who, _ended(detail.get("reason") or ""))
    if action == "note":
        return Markup("{} added a note.").format(who)
    if action == "view":
        return Markup("{} viewed it.").format(who)
    if action == "reduce_evidence":
        pupils = detail.get("pupils", 0)
        return Markup("Retention removed the e-mails and names of {} from its evidence, {} years after it was closed "
                      "(each is still counted as a pupil).").format(
            "1 pupil" if pupils == 1 else f"{pupils} pupils", detail.get("after_years", "some"))
    if action == "erase":
        return Markup("{} erased a person from its evidence on request (they are still counted in their class). "
                      "Reason: {}").format(who, _ended(detail.get("reason") or ""))
    said = "; ".join(f"{key.replace('_', ' ')}: {_said(value)}" for key, value in detail.items()
                     if value not in (None, ""))
    return Markup("{} {}{}.").format(who, action.replace("_", " "), f" ({said})" if said else "")


def story(history: list[dict], zone: ZoneInfo, person: Person, day: Day) -> list[Line]:
    """``history``: the incident's audit entries oldest first ({"at", "who", "action", "detail"})."""
    lines: list[Line | None] = []
    views: dict[tuple[str, date], tuple[int, str, int]] = {}  # (who, day) -> (its line, first at, how many)
    for entry in history:
        if entry["action"] != "view":
            lines.append(Line(entry["at"], sentence(entry["action"], entry["detail"], person(entry["who"]), person,
                                                    day)))
            continue
        key = (entry["who"], datetime.fromisoformat(entry["at"]).astimezone(zone).date())
        if key in views:
            index, first, count = views[key]
            views[key] = (index, first, count + 1)
        else:
            views[key] = (len(lines), entry["at"], 1)
            lines.append(None)
    for (who, on), (index, first, count) in views.items():
        times = "once" if count == 1 else f"{count} times"
        lines[index] = Line(first, Markup("{} viewed it {} on {}.").format(person(who), times, day(on)))
    return lines
