"""Re-judge every pending item under the current policy; release what now passes.

Used after a policy change or a detector fix: prompts held only because of a
since-corrected false positive go on without a reviewer. Each release is a
normal release by the actor ``rescan``, audited like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.errors import DecryptionError
from pipeline.quarantine.errors import ReviewError
from pipeline.quarantine.reevaluate import Reevaluator
from pipeline.quarantine.service import ReviewService

__all__ = ["RescanReport", "rescan"]


@dataclass
class RescanReport:
    """Ids released, ids still blocked, ids that could not be re-judged."""

    released: list[str] = field(default_factory=list)
    still_blocked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


async def rescan(
    service: ReviewService, reevaluate: Reevaluator, *, dry_run: bool = False
) -> RescanReport:
    report = RescanReport()
    for item in service.store.pending():
        try:
            messages = service.decrypt(item)
        except (ReviewError, DecryptionError):
            report.skipped.append(item.id)
            continue
        verdict = await reevaluate(item, messages)
        if verdict.blocked:
            report.still_blocked.append(item.id)
            continue
        if not dry_run:
            await service.release_rescanned(
                item, verdict.messages, verdict.mode, verdict.decision, verdict.findings,
                request=verdict.request,
            )
        report.released.append(item.id)
    return report
