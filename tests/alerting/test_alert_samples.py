"""The README's samples of each channel are what the channels send, and its verification code works."""
import re
import time

import pytest

from monitor.alerting.channels import WebhookChannel
from monitor.alerting.samples import BEGIN, END, SAMPLE_KEY, readme_section, sample_config, sample_message
from monitor.clock import ManualClock

from ..servers import ROOT


def samples_in_readme() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme[readme.index(BEGIN):readme.index(END) + len(END)]


def test_the_readme_shows_what_each_channel_sends():
    assert samples_in_readme() == readme_section(), "out of date: python -m monitor.alerting.samples --write"


def test_the_samples_show_every_format_and_nobody():
    section = samples_in_readme()
    for shown in ("Subject: Safeguarding alert: Year 8 Science", "Message-ID: <alert.", '"type": "AdaptiveCard"',
                  '"type": "header"', f"Idempotency-Key: {SAMPLE_KEY}", "X-Monitor-Signature: v1=",
                  "https://monitor.gatehouse.sch.uk/incidents/42"):
        assert shown in section
    addresses = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", section))
    assert {a for a in addresses if not a.startswith("alert.")} == {"alerts@gatehouse.sch.uk", "dsl@gatehouse.sch.uk"}


def test_the_readmes_verification_code_takes_a_real_alert_and_refuses_a_forged_one(receiver):
    [code] = re.findall(r"```python\n(.*?)```", samples_in_readme(), re.S)
    namespace: dict = {}
    exec(code, namespace)
    verify = namespace["verify"]
    WebhookChannel(receiver.url("/hooks/school"), "whsec-example-only").send(sample_message(sample_config()))
    [(_, headers, body)] = receiver.requests
    alert = verify(b"whsec-example-only", headers, body)
    assert alert["key"] == headers["Idempotency-Key"] == SAMPLE_KEY
    with pytest.raises(ValueError, match="bad signature"):
        verify(b"another-secret", headers, body)
    with pytest.raises(ValueError, match="bad signature"):
        verify(b"whsec-example-only", headers, body.replace(b"high", b"low!"))
    WebhookChannel(receiver.url("/hooks/school"), "whsec-example-only",
                   clock=ManualClock(time.time() - 600)).send(sample_message(sample_config()))
    _, old_headers, old_body = receiver.requests[1]
    with pytest.raises(ValueError, match="too old"):
        verify(b"whsec-example-only", old_headers, old_body)
