"""The school's configuration: defaults, and one clear message naming the file, key or line for anything wrong."""
import pytest

from monitor.config import ConfigError, load_config

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
    assert (config.rules.one_to_one_grace_seconds, config.rules.recording_grace_seconds,
            config.rules.host_grace_seconds, config.rules.recording_source) == (120, 120, 120, "cloud")
    assert config.exemptions.allowed_guests == [] and config.webhook.timestamp_tolerance_seconds >= 2 * 3600


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
