"""prompt-dlp: classify, redact, quarantine and dispatch LLM prompts on a Kafka bus."""

__version__ = "0.1.0"
