"""Reading what /metrics answers: prometheus_client's own parser, as Prometheus would read it."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, by its name and labels; fails if the text does not parse."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when it is not shown (a counter that has not moved yet)."""
    return found.get((name, frozenset(labels.items())), 0.0)
