"""The school the tests run as: its config file and staff list, and the API token of the app the fixtures build."""
from __future__ import annotations

from pathlib import Path

API_TOKEN = "test-api-token"
TEACHER = "a.teacher@gatehouse.sch.uk"  # on the staff list, with the Zoom user id of zoom.HOST_ID

STAFF_CSV = """email,name,role,zoom_user_id
a.teacher@gatehouse.sch.uk,Alex Teacher,teacher,8lzIwvZTSOqjndWPbPqzuA
b.music@gatehouse.sch.uk,Bea Music,Teacher,
c.assistant@gatehouse.sch.uk,Cal Assistant,teaching assistant,
"""

CONFIG_TOML = """
[school]
name = "Gatehouse School"
domains = ["gatehouse.sch.uk"]

[directory]
staff_csv = "staff.csv"

[exemptions]
one_to_one_hosts = ["b.music@gatehouse.sch.uk"]
one_to_one_meetings = ["888 0000 0777"]
allowed_guests = ["Visitor@Partner.org"]
"""


def write_config(directory: Path, toml: str = CONFIG_TOML, staff: str = STAFF_CSV) -> Path:
    (directory / "staff.csv").write_text(staff)
    path = directory / "monitor.toml"
    path.write_text(toml)
    return path


AT_ONCE_EVERY_DAY = """group_wait_seconds = 0
repeat_minutes = 0
escalate_after_minutes = 0
working_days = [1, 2, 3, 4, 5, 6, 7]
working_hours = ["00:00", "23:59"]
"""
"""[alerts] keys: each incident alerted at once, not repeated nor escalated, whatever the day and hour."""
SIGNED_WEBHOOK = """type = "webhook"
url_env = "ALERTS_WEBHOOK_URL"
secret_env = "ALERTS_WEBHOOK_SECRET"
"""
"""An [alerts.channels.NAME] section's keys: the signed JSON webhook."""
CHAT_CHANNELS = """[alerts.channels.teams]
type = "teams"
url_env = "ALERTS_TEAMS_URL"

[alerts.channels.slack]
type = "slack"
url_env = "ALERTS_SLACK_URL"
"""

FAST_GRACE = CONFIG_TOML + """
[rules]
one_to_one_grace_seconds = 2
recording_grace_seconds = 2
host_grace_seconds = 2
"""
