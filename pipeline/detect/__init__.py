"""Detection stage: ``DetectionEngine`` turns messages into typed ``Finding`` records."""

from pipeline.detect.custom import CustomTerms
from pipeline.detect.engine import DetectionEngine
from pipeline.detect.errors import DetectionError

__all__ = ["CustomTerms", "DetectionEngine", "DetectionError"]
