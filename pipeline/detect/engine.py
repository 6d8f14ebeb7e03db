"""``DetectionEngine``: normalise, run recognizers, decode blobs, NER prose, resolve, map back.

Built once per process. ``detect_batch`` runs pattern recognizers per message, then one batched
spaCy pass over the prose of every prompt in the batch, then resolves overlaps and maps spans to
the original text. It fails closed: any recognizer exception or budget overrun raises
``DetectionError`` for the whole call, never a shorter list of findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.config import Settings
from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.custom import CustomMatcher, CustomTerms
from pipeline.detect.decode import MAX_DEPTH, decoded_blobs
from pipeline.detect.errors import DetectionError, RecognizerFailed
from pipeline.detect.ner import MAX_NER_CHARS, NerTagger, prose_chunks
from pipeline.detect.normalize import Normalized, normalize
from pipeline.detect.registry import ALL_RECOGNIZERS, registry_version
from pipeline.detect.rejoin import split_tokens
from pipeline.detect.resolve import names_beside_identifiers, propagate_names, resolve
from pipeline.events import Category, Finding, Message

__all__ = ["DEFAULT_SECONDS_PER_KB", "DetectionEngine"]

# Budget for large prompts: the per-prompt timeout, or this much per KB if that is larger.
DEFAULT_SECONDS_PER_KB = 0.05
_NER_DETECTOR = "SpacyNerRecognizer"


@dataclass
class _Work:
    """Per-message state while a batch is processed."""

    view: Normalized
    candidates: list[Candidate] = field(default_factory=list)


class DetectionEngine:
    """Detect secrets, personal data and org terms in chat messages."""

    def __init__(
        self,
        settings: Settings,
        custom: CustomTerms | None = None,
        *,
        seconds_per_kb: float = DEFAULT_SECONDS_PER_KB,
        max_ner_chars: int = MAX_NER_CHARS,
    ) -> None:
        self._timeout = settings.detect_timeout_seconds
        self._per_kb = seconds_per_kb
        self._max_ner_chars = max_ner_chars
        self._recognizers: list[Recognizer] = [cls() for cls in ALL_RECOGNIZERS]
        self._custom = CustomMatcher(custom) if custom is not None else None
        self._ner = NerTagger(settings.spacy_model, batch_size=max(settings.batch_size, 16))
        self.version = registry_version(self._ner.model_version)

    def detect(self, messages: Sequence[Message]) -> list[Finding]:
        """Return the findings for one prompt, offsets into each message's original content."""
        return self.detect_batch([messages])[0]

    def detect_batch(self, prompts: Sequence[Sequence[Message]]) -> list[list[Finding]]:
        """Return findings per prompt (one spaCy pass per batch); raise ``DetectionError``."""
        try:
            return self._detect_batch(prompts)
        except DetectionError:
            raise
        except TimeoutError:  # the regex module's timeout
            raise DetectionError("detection time budget exceeded (regex)") from None
        except Exception as exc:
            raise RecognizerFailed(f"detection failed: {type(exc).__name__}") from None

    def _budget(self, prompts: Sequence[Sequence[Message]]) -> float:
        total = 0.0
        for messages in prompts:
            kb = sum(len(m.content) for m in messages) / 1024
            total += max(self._timeout, kb * self._per_kb)
        return total

    def _detect_batch(self, prompts: Sequence[Sequence[Message]]) -> list[list[Finding]]:
        deadline = Deadline(self._budget(prompts))
        work = [[_Work(normalize(m.content)) for m in messages] for messages in prompts]
        for prompt in work:
            for item in prompt:
                item.candidates.extend(self._scan(item.view.text, deadline, depth=0))
        self._add_names(work, deadline)
        results: list[list[Finding]] = []
        for messages, prompt in zip(prompts, work, strict=True):
            findings: list[Finding] = []
            for index, (message, item) in enumerate(zip(messages, prompt, strict=True)):
                findings.extend(self._findings(index, message.content, item))
            results.append(findings)
        deadline.remaining()
        return results

    def _scan(self, text: str, deadline: Deadline, depth: int) -> list[Candidate]:
        """Pattern recognizers, custom terms, then the same over decoded blobs (bounded depth)."""
        lowered = text.lower()
        found: list[Candidate] = []
        for recognizer in self._recognizers:
            if not recognizer.applies(lowered):
                continue
            try:
                found.extend(recognizer.scan(text, lowered, deadline))
            except DetectionError:
                raise
            except TimeoutError:
                raise DetectionError("detection time budget exceeded (regex)") from None
            except Exception as exc:
                name = type(recognizer).__name__
                raise RecognizerFailed(f"{name} raised {type(exc).__name__}") from None
        if self._custom is not None:
            found.extend(self._custom.scan(text, deadline))
        if depth == 0:
            found.extend(self._rejoined(text, deadline))
        if depth < MAX_DEPTH:
            for start, end, decoded in decoded_blobs(text, deadline):
                for inner in self._scan(decoded, deadline, depth + 1):
                    found.append(Candidate(inner.entity_type, inner.category, start, end,
                                           inner.score * 0.95, inner.detector))
        return found

    def _rejoined(self, text: str, deadline: Deadline) -> list[Candidate]:
        """Secrets that only match once whitespace inside a token is removed."""
        out: list[Candidate] = []
        done_until = -1
        for joined, offsets in split_tokens(text, deadline):
            if offsets[0] <= done_until:
                continue  # a shorter join from this prefix already formed a token
            lowered = joined.lower()
            for recognizer in self._recognizers:
                if recognizer.category is not Category.SECRET or not recognizer.applies(lowered):
                    continue
                for c in recognizer.scan(joined, lowered, deadline):
                    start, end = offsets[c.start], offsets[c.end - 1] + 1
                    if any(ch.isspace() for ch in text[start:end]):
                        out.append(Candidate(c.entity_type, c.category, start, end,
                                             c.score * 0.9, c.detector))
                        done_until = max(done_until, end)
        return out

    def _add_names(self, work: list[list[_Work]], deadline: Deadline) -> None:
        """Batched NER over the prose of every message, then name propagation per prompt."""
        owners: list[tuple[_Work, int]] = []
        chunks: list[str] = []
        for prompt in work:
            budget = self._max_ner_chars
            for item in prompt:
                for offset, chunk in prose_chunks(item.view.text, budget):
                    budget -= len(chunk)
                    owners.append((item, offset))
                    chunks.append(chunk)
        deadline.remaining()
        for (item, offset), spans in zip(owners, self._ner.persons(chunks), strict=True):
            item.candidates.extend(
                Candidate("PERSON", Category.PII, offset + s, offset + e, 0.65, _NER_DETECTOR)
                for s, e in spans
            )
        deadline.remaining()
        for prompt in work:
            for item in prompt:
                item.candidates.extend(names_beside_identifiers(item.view.text, item.candidates))
            texts = [item.view.text for item in prompt]
            persons = [[c for c in item.candidates if c.entity_type == "PERSON"] for item in prompt]
            for item, extra in zip(prompt, propagate_names(texts, persons), strict=True):
                item.candidates.extend(extra)

    def _findings(self, index: int, original: str, item: _Work) -> list[Finding]:
        out: list[Finding] = []
        for cand in resolve(item.candidates):
            start, end = item.view.to_original(cand.start, cand.end)
            if self._custom is not None and self._custom.allowed(original[start:end]):
                continue
            out.append(Finding(cand.entity_type, cand.category, index, start, end, cand.score,
                               cand.detector))
        return out
