"""The sample Grafana dashboard and Prometheus rules in deploy/metrics/, and the README's list of metrics: each
parses, and names only metrics the monitor serves; the README names every one."""
from __future__ import annotations

import json
import re

import yaml

from monitor.metrics.exposition import scrape_registry

from ..servers import ROOT

DEPLOY = ROOT / "deploy" / "metrics"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
NAMED = re.compile(r"\bmonitor_[a-z_]+")


def served(fake_redis, clock) -> dict[str, str]:
    """Every sample name /metrics may show, by its metric's name."""
    return {family.name + suffix: family.name for family in scrape_registry(fake_redis, clock).collect()
            for suffix in SUFFIXES[family.type]}


def test_the_dashboard_is_grafana_json_of_metrics_the_monitor_serves(fake_redis, clock):
    dashboard = json.loads((DEPLOY / "monitor-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", ())]
    used = {name for expr in expressions for name in NAMED.findall(expr)}
    names = served(fake_redis, clock)
    assert used <= names.keys()
    assert {names[name] for name in used} == set(names.values()), "every metric has a panel"


def test_the_alert_rules_are_the_three_a_school_should_set_on_metrics_the_monitor_serves(fake_redis, clock):
    rules = yaml.safe_load((DEPLOY / "monitor-alerts.yml").read_text())["groups"][0]["rules"]
    alerts = {rule["alert"]: rule["expr"] for rule in rules if "alert" in rule}
    assert {"ZoomMonitorNoDeliveries", "ZoomMonitorAlertsFailing", "ZoomMonitorChecksOverdue"} <= alerts.keys()
    used = {name for rule in rules for name in NAMED.findall(rule["expr"])}
    assert used <= served(fake_redis, clock).keys()


def test_the_readme_names_every_metric_and_the_alert_rules(fake_redis, clock):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("\n## Metrics\n"):]
    section = section[:section.index("\n## ", 1)]
    for family in scrape_registry(fake_redis, clock).collect():
        shown = family.name + ("_total" if family.type == "counter" else "")
        assert f"`{shown}`" in section, shown
    for rule in ("ZoomMonitorNoDeliveries", "ZoomMonitorAlertsFailing", "ZoomMonitorChecksOverdue"):
        assert rule in section
