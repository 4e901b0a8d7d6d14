"""The digest as plain text, as HTML for e-mail, and as JSON.

The HTML is made for mail clients (Outlook, Gmail, Apple Mail): tables for layout, inline styles and ``bgcolor``
attributes only, no images, no scripts, no style sheet; the chart of incidents per day is a table of bars.
"""
from __future__ import annotations

import html
import json
import re
import textwrap
from datetime import date

from .figures import SEVERITIES, Digest, rule_label, rule_words

BAR_PX = 240
BAR_CHARS = 30
BAR_COLOUR = "#b00020"
TEXT_WIDTH = 100
FONT = "font-family:Arial,Helvetica,sans-serif;"
STYLE_ATTRIBUTE = re.compile(r' style="[^"]*"')


def _day(day: date) -> str:
    return day.strftime("%a %d %b").replace(" 0", " ")


def title(digest: Digest) -> str:
    return (f"{digest.school}: safeguarding digest for the week of {_day(digest.first_day)} to "
            f"{_day(digest.last_day)} {digest.last_day.year} ({digest.week})")


def duration_minutes(minutes: float | None) -> str:
    if minutes is None:
        return "-"
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 72 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


def _minutes(hours: float | None) -> float | None:
    return None if hours is None else hours * 60


def _summary_lines(d: Digest) -> list[tuple[str, str]]:
    severities = ", ".join(f"{s} {d.by_severity.get(s, 0)}" for s in SEVERITIES)
    quiet = [("This week", "no lesson with pupils and no incident was recorded")] if not (d.lessons or d.incidents) \
        else []
    return quiet + [
        ("Lessons monitored", f"{d.lessons} ({d.lesson_hours:.1f} hours)"),
        ("Incidents", f"{d.incidents} ({severities})"),
        ("Still open at the end of the week", str(d.open)),
        ("Overdue at the end of the week", str(len(d.overdue))),
        ("Median time to acknowledge", f"{duration_minutes(d.median_minutes_to_acknowledge)} "
                                       f"({d.acknowledged} acknowledged this week)"),
        ("Median time to close", f"{duration_minutes(_minutes(d.median_hours_to_close))} "
                                 f"({d.closed} closed this week)"),
    ]


def _staff_rules(line) -> str:
    return ", ".join(f"{rule_words(rule)} {n}" for rule, n in line.by_rule.items())


ZOOM_SETTINGS = "Zoom settings that differ from the protocol (read before lessons)"


def _zoom_settings_lines(d: Digest) -> list[tuple[str, str]]:
    if d.zoom_settings is None:
        return []
    return [(label, f"{counts.found} found this week, {counts.resolved} resolved, {counts.open} still open at the "
                    "end of the week")
            for label, counts in (("Lessons", d.zoom_settings.lessons), ("Teachers", d.zoom_settings.teachers))]


def _trend_words(d: Digest) -> str:
    incidents, lessons = d.trend_average
    return f"previous four weeks: {incidents:.1f} incidents and {lessons:.1f} lessons a week"


def render_text(d: Digest, link: str | None = None) -> str:
    out = [title(d), ""]
    width = max(len(label) for label, _ in _summary_lines(d)) + 1
    out += [f"{label + ':':<{width}} {value}" for label, value in _summary_lines(d)]
    most = max((line.incidents for line in d.per_day), default=0)
    out += ["", "Incidents per day"]
    for line in d.per_day:
        bar = "#" * (round(line.incidents / most * BAR_CHARS) if most else 0)
        out.append(f"  {_day(line.day):<10} {bar:<{BAR_CHARS}} {line.incidents}")
    out += ["", f"  {'By rule':<34}{'high':>6}{'medium':>8}{'low':>6}{'total':>7}"]
    out += [f"  {line.label:<34}{line.high:>6}{line.medium:>8}{line.low:>6}{line.total:>7}" for line in d.by_rule]
    out += ["", "Staff conduct, by member of staff (the lesson's host; in a private chat, the member of staff)"]
    if not d.by_staff and not d.conduct_hosts_not_staff:
        out.append("  none")
    out += [f"  {line.name} <{line.email}>: {_staff_rules(line)}" for line in d.by_staff]
    if d.conduct_hosts_not_staff:
        out.append(f"  Host not on the staff list (a pupil's account, an outsider or unidentified): "
                   f"{d.conduct_hosts_not_staff}")
    if d.zoom_settings is not None:
        out += ["", ZOOM_SETTINGS]
        out += [f"  {label + ':':<10}{value}" for label, value in _zoom_settings_lines(d)]
    out += ["", "Trend (incidents / lessons)"]
    out += [f"  {w.week}  {w.incidents:>3} / {w.lessons}" for w in d.trend]
    out.append(f"  {d.week}  {d.incidents:>3} / {d.lessons}   this week; {_trend_words(d)}")
    out += ["", "Needs attention"]
    out += [textwrap.fill(item, TEXT_WIDTH, initial_indent="  - ", subsequent_indent="    ")
            for item in d.attention] or ["  Nothing."]
    if link:
        out += ["", f"Details (sign-in needed): {link}"]
    return "\n".join(out) + "\n"


def _cell(text: str, *, head: bool = False, align: str = "left", extra: str = "") -> str:
    tag = "th" if head else "td"
    weight = "font-weight:bold;" if head else ""
    return (f'<{tag} align="{align}" style="{FONT}font-size:14px;padding:4px 12px 4px 0;{weight}{extra}">'
            f"{html.escape(text)}</{tag}>")


def _table(rows: list[str]) -> str:
    return ('<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            'style="border-collapse:collapse;margin:0 0 20px">' + "".join(rows) + "</table>\n")


def _heading(text: str) -> str:
    return f'<h3 style="{FONT}font-size:16px;margin:20px 0 8px;color:#1a1a1a">{html.escape(text)}</h3>\n'


def _bar(count: int, most: int) -> str:
    width = round(count / most * BAR_PX) if most else 0
    if not width:
        return '<td width="%d" style="padding:4px 8px 4px 0">&nbsp;</td>' % BAR_PX
    return (f'<td width="{BAR_PX}" style="padding:4px 8px 4px 0">'
            f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="{width}"><tr>'
            f'<td width="{width}" height="14" bgcolor="{BAR_COLOUR}" style="background-color:{BAR_COLOUR};'
            f'font-size:1px;line-height:1px">&nbsp;</td></tr></table></td>')


def render_html(d: Digest, link: str | None = None) -> str:
    """A whole HTML document for e-mail."""
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>' + html.escape(title(d)) + "</title></head>"
            '<body style="margin:0;padding:16px;background-color:#ffffff">\n' + render_html_part(d, link) +
            "</body></html>\n")


def render_html_part(d: Digest, link: str | None = None, incident_link=None) -> str:
    """The digest as an HTML fragment (for the e-mail and the signed-in page). ``incident_link(id)``, when given,
    links the incidents listed under Needs attention (the page; never the e-mail)."""
    e = html.escape
    parts = [f'<h2 style="{FONT}font-size:20px;margin:0 0 16px;color:#1a1a1a">{e(title(d))}</h2>\n']
    parts.append(_table([f"<tr>{_cell(label, head=True)}{_cell(value)}</tr>" for label, value in _summary_lines(d)]))

    parts.append(_heading("Incidents per day"))
    most = max((line.incidents for line in d.per_day), default=0)
    parts.append(_table([f"<tr>{_cell(_day(line.day))}{_bar(line.incidents, most)}"
                         f"{_cell(str(line.incidents), align='right')}</tr>" for line in d.per_day]))

    parts.append(_heading("By rule and severity"))
    head = "<tr>" + _cell("Rule", head=True) + "".join(_cell(s, head=True, align="right") for s in SEVERITIES) + \
        _cell("total", head=True, align="right") + "</tr>"
    parts.append(_table([head] + [
        "<tr>" + _cell(line.label) + "".join(_cell(str(getattr(line, s)), align="right") for s in SEVERITIES) +
        _cell(str(line.total), align="right") + "</tr>" for line in d.by_rule]))

    parts.append(_heading("Staff conduct, by member of staff"))
    rows = [f"<tr>{_cell(line.name)}{_cell(line.email)}{_cell(_staff_rules(line))}</tr>" for line in d.by_staff]
    if d.conduct_hosts_not_staff:
        rows.append(f"<tr>{_cell('Host not on the staff list')}{_cell('')}"
                    f"{_cell(str(d.conduct_hosts_not_staff))}</tr>")
    parts.append(_table(rows or [f"<tr>{_cell('None')}</tr>"]))

    if d.zoom_settings is not None:
        parts.append(_heading(ZOOM_SETTINGS))
        parts.append(_table([f"<tr>{_cell(label, head=True)}{_cell(value)}</tr>"
                             for label, value in _zoom_settings_lines(d)]))

    parts.append(_heading("Trend (incidents / lessons)"))
    rows = [f"<tr>{_cell(w.week)}{_cell(f'{w.incidents} / {w.lessons}', align='right')}</tr>" for w in d.trend]
    rows.append(f"<tr>{_cell(d.week, head=True)}{_cell(f'{d.incidents} / {d.lessons}', head=True, align='right')}"
                f"{_cell('this week; ' + _trend_words(d))}</tr>")
    parts.append(_table(rows))

    parts.append(_heading("Needs attention"))
    items = "".join(f'<li style="{FONT}font-size:14px;margin:0 0 6px">{e(item)}</li>' for item in d.attention)
    parts.append(f'<ul style="margin:0 0 20px;padding-left:20px">{items}</ul>\n' if items else
                 f'<p style="{FONT}font-size:14px">Nothing.</p>\n')
    if incident_link and (d.overdue or d.unacknowledged):
        refs = {r.id: r for r in d.overdue + d.unacknowledged}
        parts.append(_heading("Incidents listed above"))
        parts.append(_table([f'<tr><td style="{FONT}font-size:14px;padding:4px 12px 4px 0">'
                             f'<a href="{e(incident_link(r.id))}">#{r.id}</a></td>{_cell(rule_label(r.rule))}'
                             f'{_cell(r.topic or "")}{_cell("opened " + _day(r.opened_on))}</tr>'
                             for r in sorted(refs.values(), key=lambda r: r.id)]))
    if link:
        parts.append(f'<p style="{FONT}font-size:14px"><a href="{e(link)}" style="color:#1f5fa8">'
                     "Details in the monitor (sign-in needed)</a></p>\n")
    return "".join(parts)


def render_page_part(d: Digest, incident_link) -> str:
    """The HTML part for the signed-in page, without its inline styles: the pages' Content-Security-Policy allows
    none, and the page's stylesheet styles it. Every text in it is escaped, quotes included, so a ' style="...'
    in it is always one of this module's own."""
    return STYLE_ATTRIBUTE.sub("", render_html_part(d, incident_link=incident_link))


def render_json(d: Digest) -> str:
    return json.dumps(d.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
