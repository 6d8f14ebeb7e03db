"""The review actions, each checked against the reviewer's role and audited.

Every state change is one ``store.commit``: the new state record, the output
(approved prompt or rejection) and the audit event are sent together and
acknowledged before the call returns. Reads that decrypt (masked view, reveal)
write their audit event first, so nothing is shown that was not recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.bus import Record
from pipeline.config import DEFAULT_POLICY
from pipeline.config.review import Role
from pipeline.crypto import Envelope, KeyRing
from pipeline.decide.build import load_policy
from pipeline.events import Message
from pipeline.metrics import Metrics
from pipeline.quarantine import records
from pipeline.quarantine.errors import BadRequest, Conflict, Forbidden, NotFound
from pipeline.quarantine.masking import MaskedMessage, mask_messages
from pipeline.quarantine.model import HistoryEntry, QuarantineItem, ReviewState, now_iso
from pipeline.quarantine.original import (
    ReviewMessages,
    open_original,
    released_request,
    review_findings,
)
from pipeline.quarantine.store import QuarantineStore
from pipeline.redact.release import PolicyRedactor

# Redacts a quarantined prompt (its record and decrypted messages) for a release.
Redactor = Callable[[Mapping[str, Any], Sequence[Message]], Sequence[Message]]

__all__ = ["MAX_TEXT", "ReviewService", "Reviewer"]

MAX_TEXT = 2000  # justification / reason length cap


@dataclass(frozen=True, slots=True)
class Reviewer:
    """An authenticated person (or ``rescan``/``retention``) and the channel they acted through."""

    name: str
    role: Role
    via: str = "console"


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise BadRequest(f"{what} is required")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"{what} is longer than {MAX_TEXT} characters")
    return text


class ReviewService:
    """Role checks, decryption and the records each action writes."""

    def __init__(
        self,
        store: QuarantineStore,
        keyring: KeyRing | None,
        metrics: Metrics | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.store = store
        # A redacted release uses the policy's operators (default: the shipped policy).
        self.redactor = redactor or PolicyRedactor(load_policy(DEFAULT_POLICY))
        self.keyring = keyring
        self.metrics = metrics
        self.topics = store.topics
        self._lock = asyncio.Lock()

    # -- helpers -------------------------------------------------------------------------
    def item(self, prompt_id: str) -> QuarantineItem:
        item = self.store.get(prompt_id)
        if item is None:
            raise NotFound(f"no quarantined prompt {prompt_id!r}")
        return item

    @staticmethod
    def require(who: Reviewer, role: Role) -> None:
        if not who.role.allows(role):
            raise Forbidden(f"{role} role required")

    def decrypt(self, item: QuarantineItem) -> list[Message]:
        if item.original is None:
            raise Conflict(f"the original of {item.id!r} was destroyed")
        if self.keyring is None:
            raise Conflict("no vault keys configured")
        clear = self.keyring.decrypt(Envelope.from_dict(item.original), aad=item.id.encode())
        return open_original(clear, item.findings)

    def audit_record(self, event: str, item: QuarantineItem, who: Reviewer, **kw: Any) -> Record:
        detail = {"role": str(who.role), "via": who.via, **kw.pop("detail", {})}
        value = records.audit(event, item, actor=who.name, detail=detail, **kw)
        return Record(self.topics.audit, item.id, value)

    def _count(self, action: str, who: Reviewer, outcome: str | None = None) -> None:
        if self.metrics is not None:
            self.metrics.review_actions.labels(action, str(who.role)).inc()
            if outcome is not None:
                self.metrics.events.labels("review", outcome).inc()

    @staticmethod
    def _pending(item: QuarantineItem) -> None:
        if item.state is not ReviewState.PENDING:
            raise Conflict(f"{item.id!r} is {item.state}, not pending")

    # -- reads that decrypt --------------------------------------------------------------
    async def masked(self, who: Reviewer, prompt_id: str) -> list[MaskedMessage] | None:
        """Structure and unflagged text with spans masked; audited (``viewed``) as it decrypts."""
        self.require(who, Role.VIEWER)
        item = self.item(prompt_id)
        if item.original is None or self.keyring is None:
            return None
        messages = self.decrypt(item)
        await self.store.send([self.audit_record("viewed", item, who)])
        self._count("view", who)
        return mask_messages(messages, review_findings(messages, item.findings))

    async def reveal(self, who: Reviewer, prompt_id: str) -> list[Message]:
        """Return the original prompt, after its ``revealed`` audit event is acknowledged."""
        self.require(who, Role.REVIEWER)
        item = self.item(prompt_id)
        messages = self.decrypt(item)
        await self.store.send([self.audit_record("revealed", item, who)])
        self._count("reveal", who)
        return messages

    # -- state changes -------------------------------------------------------------------
    async def release(
        self,
        who: Reviewer,
        prompt_id: str,
        mode: str = "redacted",
        justification: str | None = None,
    ) -> QuarantineItem:
        """Send the prompt on to ``prompts.approved``, redacted or (with a justification) as is."""
        self.require(who, Role.REVIEWER)
        if mode not in records.RELEASE_MODES:
            raise BadRequest("mode must be redacted or original")
        why = _text(justification, "justification") if mode == "original" else (
            (justification or "").strip()[:MAX_TEXT] or None
        )
        async with self._lock:
            item = self.item(prompt_id)
            self._pending(item)
            clear = self.decrypt(item)
            messages = (
                clear if mode == "original" else self._redact_for_release(item, clear)
            )
            return await self._release(who, item, messages, mode, why, original=clear)

    def _redact_for_release(
        self, item: QuarantineItem, clear: Sequence[Message]
    ) -> Sequence[Message]:
        """The policy's redaction of the held texts, findings located by message (v2: path)."""
        located = review_findings(clear, item.findings)
        if any(f.get("message_index", -1) < 0 for f in located):
            # A finding we cannot place could not be redacted: never release it half-masked.
            raise Conflict(
                "a finding of this item cannot be located; release the original or reject"
            )
        return self.redactor({**item.record, "findings": located}, clear)

    async def _release(
        self,
        who: Reviewer,
        item: QuarantineItem,
        messages: Sequence[Message],
        mode: str,
        why: str | None,
        *,
        decision: dict[str, Any] | None = None,
        findings: Sequence[dict[str, Any]] | None = None,
        original: Sequence[Message] | None = None,
        request: dict[str, Any] | None = None,
    ) -> QuarantineItem:
        if request is None and original is None and item.record.get("schema_version") == "v2":
            original = self.decrypt(item)
        if request is None and isinstance(original, ReviewMessages):
            request = released_request(original, messages)  # a v2 original: the whole request
        entry = HistoryEntry(now_iso(), who.name, "release", ReviewState.RELEASED, why,
                             {"mode": mode, "via": who.via})
        new = item.advance(entry)
        value = records.approved(item, messages, released_by=who.name, mode=mode,
                                 decision=decision, findings=findings, request=request)
        detail: dict[str, Any] = {"mode": mode, **({"justification": why} if why else {})}
        if decision is not None:
            detail["new_decision"] = decision
        await self.store.commit(item.id, new, [
            Record(self.topics.approved, item.key, value),
            self.audit_record("released", item, who, detail=detail),
        ])
        self._count("release", who, "released")
        return new

    async def release_rescanned(
        self, item: QuarantineItem, messages: Sequence[Message], mode: str,
        decision: dict[str, Any], findings: Sequence[dict[str, Any]],
        request: dict[str, Any] | None = None,
    ) -> QuarantineItem:
        """Release by ``rescan``: the current policy no longer blocks this prompt."""
        who = Reviewer("rescan", Role.ADMIN, via="rescan")
        async with self._lock:
            current = self.item(item.id)
            self._pending(current)
            return await self._release(who, current, messages, mode, "passes the current policy",
                                       decision=decision, findings=findings, request=request)

    async def reject(self, who: Reviewer, prompt_id: str, reason: str | None) -> QuarantineItem:
        """Refuse the prompt; the requester gets a ``rejected`` response with the reason."""
        self.require(who, Role.REVIEWER)
        why = _text(reason, "reason")
        async with self._lock:
            item = self.item(prompt_id)
            self._pending(item)
            entry = HistoryEntry(now_iso(), who.name, "reject", ReviewState.REJECTED, why)
            new = item.advance(entry)
            await self.store.commit(item.id, new, [
                Record(self.topics.responses, item.key, records.rejection(item, why)),
                self.audit_record("rejected", item, who, detail={"reason": why}),
            ])
        self._count("reject", who, "rejected")
        return new

    async def mark_false_positive(
        self, who: Reviewer, prompt_id: str, index: int
    ) -> QuarantineItem:
        """Record that a finding was wrong: detector and entity type only, never the value."""
        self.require(who, Role.REVIEWER)
        async with self._lock:
            item = self.item(prompt_id)
            if not 0 <= index < len(item.findings):
                raise BadRequest("no such finding")
            if index in item.false_positives:
                raise Conflict("finding already marked as a false positive")
            finding = item.findings[index]
            entry = HistoryEntry(now_iso(), who.name, "false_positive", item.state, None,
                                 {"finding": index, "detector": finding["detector"],
                                  "entity_type": finding["entity_type"]})
            new = item.advance(entry)
            await self.store.commit(item.id, new, [
                self.audit_record("false_positive", item, who, findings=[finding],
                            detail={"finding": index}),
            ])
        if self.metrics is not None:
            self.metrics.false_positives.labels(finding["detector"], finding["entity_type"]).inc()
        self._count("false_positive", who)
        return new

    async def purge(self, who: Reviewer, prompt_ids: Sequence[str]) -> list[str]:
        """Destroy items for good (tombstone); a still-pending requester is told it was rejected."""
        self.require(who, Role.ADMIN)
        done: list[str] = []
        async with self._lock:
            for prompt_id in prompt_ids:
                item = self.item(prompt_id)
                extra = [self.audit_record("erased", item, who, detail={"state": str(item.state)})]
                if item.state is ReviewState.PENDING:
                    value = records.rejection(item, "removed from quarantine by an administrator")
                    extra.insert(0, Record(self.topics.responses, item.key, value))
                await self.store.commit(item.id, None, extra)
                done.append(prompt_id)
        self._count("purge", who)
        return done

    async def expire(self, prompt_id: str) -> QuarantineItem:
        """Retention: a pending item becomes expired; any item loses its original."""
        who = Reviewer("retention", Role.ADMIN, via="retention")
        async with self._lock:
            item = self.item(prompt_id)
            pending = item.state is ReviewState.PENDING
            state = ReviewState.EXPIRED if pending else item.state
            entry = HistoryEntry(now_iso(), who.name, "expire", state, None,
                                 {"original_destroyed": True})
            new = item.advance(entry, keep_original=False)
            extra = [self.audit_record("expired", item, who, detail={"state": str(item.state)})]
            if pending:
                value = records.rejection(item, "not reviewed within the retention period")
                extra.insert(0, Record(self.topics.responses, item.key, value))
            await self.store.commit(item.id, new, extra)
        return new
