"""Benchmarks: detection-only (``bench_detect.py``) and end-to-end through Kafka (``e2e.py``)."""
