"""Quarantine review: state per held prompt, the review service, its console and CLI.

State lives in Kafka (the compacted ``dlp.quarantine.state`` topic keyed by prompt id,
rebuilt with ``prompts.quarantine`` on start); every reviewer action is written there,
to its output topic and to ``dlp.audit`` before it is reported done.
"""

from pipeline.config.review import ReviewSettings, Role
from pipeline.quarantine.model import HistoryEntry, QuarantineItem, ReviewState

__all__ = ["HistoryEntry", "QuarantineItem", "ReviewSettings", "ReviewState", "Role"]
