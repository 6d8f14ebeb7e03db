"""Allow-list suggestions from false-positive marks, for an admin to paste into the policy.

The policy's ``lists.allow_values`` holds exact values, so a useful suggestion
must show the value. Hence: only admins see suggestions; the values are read
from the encrypted originals at view time (marks store the finding's position,
never its value), the view is audited as a ``revealed`` event per prompt it
read from, and the page is served ``no-store``. Secret findings are never
suggested by value (a credential must not end up in a policy file): for those
the suggestion names the detector to fix instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import yaml

from pipeline.bus import Record
from pipeline.config.review import Role
from pipeline.errors import DecryptionError
from pipeline.quarantine.errors import ReviewError
from pipeline.quarantine.original import review_findings
from pipeline.quarantine.service import Reviewer, ReviewService

__all__ = ["Suggestion", "suggestions"]


@dataclass
class Suggestion:
    """False positives of one detector and entity type, with the values an admin may allow."""

    entity_type: str
    detector: str
    category: str
    prompt_ids: list[str] = field(default_factory=list)
    values: set[str] = field(default_factory=set)

    @property
    def snippet(self) -> str:
        if self.category == "secret":
            return (f"# {self.entity_type} from {self.detector}: secrets are not allow-listed by\n"
                    f"# value; fix or tune the detector, or add an allow_patterns entry.\n")
        if not self.values:
            return f"# {self.entity_type}: originals already destroyed, no value to suggest\n"
        return yaml.safe_dump({"lists": {"allow_values": sorted(self.values)}},
                              allow_unicode=True, sort_keys=False)


async def suggestions(service: ReviewService, who: Reviewer) -> list[Suggestion]:
    """Group every false-positive mark; read values (audited) for the non-secret ones."""
    service.require(who, Role.ADMIN)
    groups: dict[tuple[str, str], Suggestion] = {}
    audits: list[Record] = []
    read: dict[str, list[int]] = defaultdict(list)
    for item in service.store.query():
        marks = sorted(item.false_positives)
        if not marks:
            continue
        messages = None
        if item.original is not None and service.keyring is not None:
            try:
                messages = service.decrypt(item)
            except (ReviewError, DecryptionError):
                messages = None
        located = review_findings(messages, item.findings) if messages is not None else []
        for index in marks:
            f = item.findings[index]
            key = (f["entity_type"], f["detector"])
            sug = groups.setdefault(key, Suggestion(f["entity_type"], f["detector"], f["category"]))
            sug.prompt_ids.append(item.id)
            if messages is not None and f["category"] != "secret":
                where = located[index]["message_index"]
                if where >= 0:
                    sug.values.add(messages[where].content[f["start"]:f["end"]])
                read[item.id].append(index)
        if read.get(item.id):
            audits.append(service.audit_record(
                "revealed", item, who,
                detail={"scope": "allow_list_suggestion", "findings": read[item.id]},
            ))
    if audits:
        await service.store.send(audits)
    return sorted(groups.values(), key=lambda s: (s.entity_type, s.detector))
