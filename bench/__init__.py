"""Benchmarks: scripts run one by one (see the README); ``support`` holds what several share."""
