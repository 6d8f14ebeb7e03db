"""Ingest: raw Kafka bytes → a validated ``InboundPrompt``, or a reasoned rejection."""

from pipeline.ingest.parse import parse_inbound

__all__ = ["parse_inbound"]
