"""Prometheus metrics: the catalog, its HTTP exposition and the consumer-lag collector."""

from pipeline.metrics.catalog import Metrics
from pipeline.metrics.lag import KafkaOffsets, LagCollector
from pipeline.metrics.server import start_metrics_server, stop_metrics_server

__all__ = ["KafkaOffsets", "LagCollector", "Metrics", "start_metrics_server", "stop_metrics_server"]
