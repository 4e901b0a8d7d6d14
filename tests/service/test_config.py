"""The school's configuration: defaults, and one clear message naming the file, key or line for anything wrong."""
import tomllib

import pytest

from monitor.config import ConfigError, RetentionSection, RulesSection, SchoolSection, load_config

from ..school import CONFIG_TOML, STAFF_CSV, write_config

MINIMAL = """
[school]
domains = ["gatehouse.sch.uk"]
[directory]
staff_csv = "staff.csv"
"""


def error_for(tmp_path, toml=MINIMAL, staff=STAFF_CSV) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, toml, staff))
    return str(info.value)


def test_the_example_config_in_the_repository_loads():
    config = load_config("config/monitor.example.toml")
    assert config.school.domains == ["gatehouse.sch.uk"]
    assert config.staff.find(zoom_user_id="8lzIwvZTSOqjndWPbPqzuA").is_teacher


def test_minimal_config_gets_every_default(tmp_path):
    config = load_config(write_config(tmp_path, MINIMAL))
    assert config.school.timezone == "Europe/London" and config.school.pupil_domains is None
    assert (config.school.date_format, config.school.day_format) == ("%a %-d %b %Y, %H:%M", "%a %-d %b %Y")
    assert (config.rules.one_to_one_grace_seconds, config.rules.recording_grace_seconds,
            config.rules.host_grace_seconds, config.rules.recording_source) == (120, 120, 120, "cloud")
    assert config.exemptions.allowed_guests == [] and config.webhook.timestamp_tolerance_seconds >= 2 * 3600


def test_an_older_config_without_the_version_2_rules_keys_gets_their_defaults(tmp_path):
    older = MINIMAL + "[rules]\none_to_one_grace_seconds = 60\nrecording_source = 'off'\n"
    rules = load_config(write_config(tmp_path, older)).rules
    assert (rules.one_to_one_grace_seconds, rules.recording_source) == (60, "off")
    assert (rules.unsupervised_grace_seconds, rules.out_of_hours_grace_seconds) == (120, 300)
    assert (tuple(rules.lesson_hours), rules.lesson_days) == (("07:00", "18:00"), [1, 2, 3, 4, 5])
    assert (rules.staff_may_share, rules.disabled, rules.severity) == (True, [], {})


def test_the_example_config_shows_every_rules_key_with_its_default():
    with open("config/monitor.example.toml", "rb") as example:
        shown = tomllib.load(example)["rules"]
    defaults = RulesSection().model_dump()
    assert set(shown) == set(defaults)
    assert {key: list(value) if isinstance(value, tuple) else value for key, value in defaults.items()} == shown


def test_the_example_config_shows_the_date_formats_with_their_defaults():
    with open("config/monitor.example.toml", "rb") as example:
        shown = tomllib.load(example)["school"]
    defaults = SchoolSection(domains=["gatehouse.sch.uk"])
    assert (shown["date_format"], shown["day_format"]) == (defaults.date_format, defaults.day_format)


@pytest.mark.parametrize("key, value, message", [
    ("date_format", "%Q", "key 'school.date_format': '%Q' is not allowed here"),
    ("date_format", "every day", "key 'school.date_format': 'every day' has no date directive"),
    ("date_format", "%d/%m/%Y %", "key 'school.date_format': '%d/%m/%Y %' ends in '%'"),
    ("date_format", "", "key 'school.date_format'"),
    ("date_format", 12, "key 'school.date_format'"),
    ("day_format", "%d/%m/%Y %H:%M", "key 'school.day_format': '%H' is not allowed here"),
])
def test_a_wrong_date_format_stops_start_up_naming_the_key(tmp_path, key, value, message):
    value = f"'{value}'" if isinstance(value, str) else str(value)
    error = error_for(tmp_path, MINIMAL.replace("[school]", f"[school]\n{key} = {value}"))
    assert message in error and str(tmp_path / "monitor.toml") in error


def test_a_schools_own_date_formats_load(tmp_path):
    toml = MINIMAL.replace("[school]", "[school]\ndate_format = '%d/%m/%Y %H:%M (%Z)'\nday_format = '%A %e %B'")
    school = load_config(write_config(tmp_path, toml)).school
    assert (school.date_format, school.day_format) == ("%d/%m/%Y %H:%M (%Z)", "%A %e %B")


def test_rules_turned_off_and_severities_changed_load(tmp_path):
    toml = MINIMAL + ("[rules]\ndisabled = ['chat_in_lesson', 'out_of_hours']\n"
                      "severity = { private_chat = 'medium', participant_screen_share = 'low' }\n"
                      "lesson_hours = ['08:30', '16:00']\nlesson_days = [1, 2, 3, 4, 5, 6]\nstaff_may_share = false\n")
    rules = load_config(write_config(tmp_path, toml)).rules
    assert rules.disabled == ["chat_in_lesson", "out_of_hours"]
    assert rules.severity == {"private_chat": "medium", "participant_screen_share": "low"}
    assert (tuple(rules.lesson_hours), rules.lesson_days, rules.staff_may_share) == (
        ("08:30", "16:00"), [1, 2, 3, 4, 5, 6], False)


@pytest.mark.parametrize("rules, message", [
    ("disabled = ['chat']", "key 'rules.disabled': unknown rule id 'chat'"),
    ("disabled = ['no_recording', 'Chat_In_Lesson']", "key 'rules.disabled': unknown rule id 'Chat_In_Lesson'"),
    ("severity = { late_lesson = 'low' }", "key 'rules.severity': unknown rule id 'late_lesson'"),
    ("severity = { chat_in_lesson = 'urgent' }", "key 'rules.severity.chat_in_lesson'"),
    ("lesson_hours = ['18:00', '07:00']", "key 'rules.lesson_hours': the first time must be earlier than the second"),
    ("lesson_hours = ['09:00', '09:00']", "key 'rules.lesson_hours': the first time must be earlier than the second"),
    ("lesson_hours = ['7am', '18:00']", "key 'rules.lesson_hours.0': not a time of day as HH:MM"),
    ("lesson_hours = ['07:00', '24:00']", "key 'rules.lesson_hours.1': not a time of day as HH:MM"),
    ("lesson_hours = ['07:00']", "'rules.lesson_hours.1'"),
    ("lesson_hours = ['07:00', '12:00', '18:00']", "key 'rules.lesson_hours'"),
    ("lesson_days = [0, 1, 2]", "key 'rules.lesson_days.0'"),
    ("lesson_days = [1, 8]", "key 'rules.lesson_days.1'"),
    ("unsupervised_grace_seconds = -5", "key 'rules.unsupervised_grace_seconds'"),
    ("staff_may_share = 'sometimes'", "key 'rules.staff_may_share'"),
])
def test_a_wrong_rules_key_stops_start_up_naming_it(tmp_path, rules, message):
    error = error_for(tmp_path, MINIMAL + "[rules]\n" + rules + "\n")
    assert message in error and str(tmp_path / "monitor.toml") in error


def test_values_are_normalised(tmp_path):
    config = load_config(write_config(tmp_path, CONFIG_TOML))
    assert config.exemptions.one_to_one_meetings == ["88800000777"]
    assert config.exemptions.allowed_guests == ["visitor@partner.org"]
    assert config.staff.find("B.Music@Gatehouse.sch.uk").role == "teacher"


@pytest.mark.parametrize("toml, message", [
    (MINIMAL + "[rules]\ngrace = 3\n", "unknown key 'rules.grace'"),
    (MINIMAL + "[dashboards]\n", "unknown key 'dashboards'"),
    (MINIMAL + "[alerts.channels.x]\ntype = 'teams'\n", "url_env"),
    (MINIMAL + "[[alerts.routes]]\nchannels = ['nowhere']\n", "does not define"),
    (MINIMAL + "[alerts]\nworking_hours = ['7am', '18:00']\n", "key 'alerts.working_hours.0'"),
    ("[directory]\nstaff_csv = 'staff.csv'\n", "missing key 'school'"),
    ("[school]\ndomains = []\n[directory]\nstaff_csv = 'staff.csv'\n", "key 'school.domains'"),
    ("[school]\ndomains = ['not a domain']\n[directory]\nstaff_csv = 'staff.csv'\n", "key 'school.domains.0'"),
    (MINIMAL.replace("[school]", "[school]\ntimezone = 'Mars/Olympus'"), "unknown time zone"),
    (MINIMAL.replace("[school]", "[school]\npupil_domains = ['other.sch.uk']"), "pupil_domains"),
    (MINIMAL + "[exemptions]\nallowed_guests = ['nobody']\n", "key 'exemptions.allowed_guests.0': not an e-mail"),
    (MINIMAL + "[rules]\nrecording_source = 'local'\n", "key 'rules.recording_source'"),
    (MINIMAL + "[rules]\nhost_grace_seconds = -1\n", "key 'rules.host_grace_seconds'"),
    (MINIMAL + "[webhook]\ntimestamp_tolerance_seconds = 60\n", "key 'webhook.timestamp_tolerance_seconds'"),
    ("[school\n", "not valid TOML"),
])
def test_a_wrong_config_names_the_key(tmp_path, toml, message):
    error = error_for(tmp_path, toml)
    assert message in error
    assert str(tmp_path / "monitor.toml") in error


@pytest.mark.parametrize("staff, message", [
    ("name,role\nAlex,teacher\n", "line 1: the staff directory needs an 'email' column"),
    ("email,name\na@gatehouse.sch.uk,Alex\n", "line 1: the staff directory needs a 'role' column"),
    ("email,name,role,shoe_size\n", "line 1: unknown column 'shoe_size'"),
    ("email,name,role\na@gatehouse.sch.uk,Alex,teacher\nnot-an-email,Bo,teacher\n", "line 3: not an e-mail address"),
    ("email,name,role\na@gatehouse.sch.uk,Alex,\n", "line 2: role is empty"),
    ("email,name,role\na@gatehouse.sch.uk,Alex,teacher\nA@gatehouse.sch.uk,Al,teacher\n",
     "line 3: 'a@gatehouse.sch.uk' is listed twice"),
])
def test_a_wrong_staff_csv_names_the_line(tmp_path, staff, message):
    error = error_for(tmp_path, staff=staff)
    assert message in error and str(tmp_path / "staff.csv") in error


def test_missing_files_are_named(tmp_path):
    with pytest.raises(ConfigError, match="nowhere.toml: cannot read"):
        load_config(tmp_path / "nowhere.toml")
    (tmp_path / "monitor.toml").write_text(MINIMAL)
    with pytest.raises(ConfigError, match="staff.csv: cannot read the staff directory"):
        load_config(tmp_path / "monitor.toml")


def test_the_example_config_shows_every_retention_key_with_its_default():
    with open("config/monitor.example.toml", "rb") as example:
        shown = tomllib.load(example)["retention"]
    assert shown == RetentionSection().model_dump()


def test_retention_has_a_default_for_every_key(tmp_path):
    retention = load_config(write_config(tmp_path, MINIMAL)).retention
    assert (retention.lessons_days, retention.delivery_attempts_days, retention.set_aside_checks_days,
            retention.findings_days, retention.evidence_years, retention.hold) == (365, 365, 365, 365, 21, False)


@pytest.mark.parametrize("retention, message", [
    ("lessons_days = 30", "key 'retention.lessons_days': Input should be greater than or equal to 42"),
    ("delivery_attempts_days = 0", "key 'retention.delivery_attempts_days'"),
    ("findings_days = -1", "key 'retention.findings_days'"),
    ("evidence_years = 0", "key 'retention.evidence_years'"),
    ("evidence_years = 200", "key 'retention.evidence_years'"),
    ("hold = 'maybe'", "key 'retention.hold'"),
    ("audit_log_days = 30", "unknown key 'retention.audit_log_days'"),
])
def test_a_wrong_retention_key_stops_start_up_naming_it(tmp_path, retention, message):
    error = error_for(tmp_path, MINIMAL + "[retention]\n" + retention + "\n")
    assert message in error and str(tmp_path / "monitor.toml") in error
