"""The monitor's metrics in Prometheus' format (README, Metrics): counters kept where things happen
(``instruments``), gauges read from Redis when scraped (``gauges``), and how they are served (``exposition``,
``processes``)."""
