"""``DetectionEngine``: normalise, NER prose, run presidio's AnalyzerEngine, resolve, map back.

Built once per process. ``detect_batch`` normalises every message, runs one batched spaCy pass over
the prose of every prompt in the batch (``nlp.ProseNlpEngine``), then calls presidio's
``AnalyzerEngine.analyze`` per message with those precomputed ``NlpArtifacts`` (which carry the
time budget). The same analyzer rescans decoded blobs and re-joined split tokens. Person names are
then propagated within each prompt, overlaps resolved and spans mapped to the original text.

It fails closed: any recognizer exception or budget overrun raises ``DetectionError`` for the
whole call, never a shorter list of findings. presidio's context enhancer is replaced by a no-op:
every recognizer scores its own context words, and the lemma enhancer needs token artifacts that
prose-only NER does not produce.
"""

from __future__ import annotations

from collections.abc import Sequence

from presidio_analyzer import AnalyzerEngine, EntityRecognizer
from presidio_analyzer import RecognizerResult as Result
from presidio_analyzer.nlp_engine import NlpArtifacts
from wordfreq import zipf_frequency

from pipeline.config import Settings
from pipeline.detect.artifacts import Deadline, PromptArtifacts
from pipeline.detect.base import CATEGORY_KEY, Candidate
from pipeline.detect.custom import CustomMatcher, CustomTerms, CustomTermsRecognizer
from pipeline.detect.decode import MAX_DEPTH, decoded_blobs
from pipeline.detect.errors import DetectionError, DetectionTimeout, RecognizerFailed
from pipeline.detect.ner import MAX_NER_CHARS
from pipeline.detect.nlp import LANGUAGE, ProseNlpEngine
from pipeline.detect.normalize import Normalized, normalize
from pipeline.detect.registry import SECRET_RECOGNIZERS, build_registry, registry_version
from pipeline.detect.rejoin import split_tokens
from pipeline.detect.resolve import names_beside_identifiers, propagate_names, resolve
from pipeline.events import Category, Finding, Message

__all__ = ["DEFAULT_SECONDS_PER_KB", "DetectionEngine"]

# Budget for large prompts: the per-prompt timeout, or this much per KB if that is larger.
DEFAULT_SECONDS_PER_KB = 0.05
_SECRET_ENTITIES = sorted(
    {e for cls in SECRET_RECOGNIZERS for e in (cls.entity_type, *cls.extra_entities)}
)


def _ordinary_word(fragment: str) -> bool:
    """A fragment that reads as a word of prose ("end", "Thanks"), not a piece of a key."""
    return fragment.isalpha() and zipf_frequency(fragment.lower(), "en", wordlist="small") >= 3.0


class _Analyzer(AnalyzerEngine):
    """presidio's engine without its per-call context pass.

    ``AnalyzerEngine._enhance_using_context`` regroups every result by recognizer (two list
    scans per recognizer per call) only to hand each group to a recognizer-level hook that none
    of ours overrides and to the enhancer: about 10 % of analysis time. So presidio's context
    enhancement is off (our recognizers score their own context words).
    """

    def _enhance_using_context(
        self,
        text: str,
        raw_results: list[Result],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[Result]:
        return raw_results


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
        self.nlp = ProseNlpEngine(settings.spacy_model, max(settings.batch_size, 16), max_ner_chars)
        self.analyzer = _Analyzer(
            registry=build_registry(custom),
            nlp_engine=self.nlp,
            supported_languages=[LANGUAGE],
        )
        self._custom: CustomMatcher | None = next(
            (r.matcher for r in self.analyzer.registry.recognizers
             if isinstance(r, CustomTermsRecognizer)), None)
        self.version = registry_version(self.nlp.model_version)

    def preload(self) -> None:
        """Load what the first prompt of each language would otherwise load (workers call it)."""
        self.nlp.preload()

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
            raise DetectionTimeout("detection time budget exceeded (regex)") from None
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
        views = [[normalize(m.content) for m in messages] for messages in prompts]
        artifacts = self.nlp.process_prompts([[v.text for v in p] for p in views], deadline)
        results: list[list[Finding]] = []
        for messages, prompt, prompt_artifacts in zip(prompts, views, artifacts, strict=True):
            found = [self._analyze(a.text, a, depth=0) for a in prompt_artifacts]
            self._add_names([v.text for v in prompt], found)
            findings: list[Finding] = []
            for index, (message, view, candidates) in enumerate(
                zip(messages, prompt, found, strict=True)
            ):
                findings.extend(self._findings(index, message.content, view, candidates))
            results.append(findings)
        deadline.remaining()
        return results

    def _analyze(self, text: str, artifacts: PromptArtifacts, depth: int) -> list[Candidate]:
        """Presidio over the text, then over re-joined tokens and decoded blobs (bounded depth)."""
        found = self._candidates(self.analyzer.analyze(text, LANGUAGE, nlp_artifacts=artifacts))
        deadline = artifacts.deadline
        if depth == 0:
            found.extend(self._rejoined(text, deadline))
        if depth < MAX_DEPTH:
            for start, end, decoded in decoded_blobs(text, deadline):
                for inner in self._analyze(decoded, self.nlp.bare(decoded, deadline), depth + 1):
                    found.append(Candidate(inner.entity_type, inner.category, start, end,
                                           inner.score * 0.95, inner.detector))
        return found

    def _rejoined(self, text: str, deadline: Deadline) -> list[Candidate]:
        """Secrets that only match once whitespace inside a token is removed.

        Joins grow one fragment at a time from a provider prefix. The first join that matches
        is kept, then grown while the next fragment is not an ordinary word and the match still
        runs to the join's end: a wrapped key can match its format early (a legacy OpenAI key
        at 36 of its 51 characters) and the rest must not leak, while "… end" is not glued on.
        """
        out: list[Candidate] = []
        start_of: int | None = None
        best: list[Candidate] = []
        settled = False
        previous = ""
        for joined, offsets in split_tokens(text, deadline):
            if offsets[0] != start_of:
                out.extend(best)
                start_of, best, settled, previous = offsets[0], [], False, ""
            fragment, previous = joined[len(previous):], joined
            if settled or (best and _ordinary_word(fragment)):
                settled = True
                continue
            results = self.analyzer.analyze(joined, LANGUAGE, entities=_SECRET_ENTITIES,
                                            nlp_artifacts=self.nlp.bare(joined, deadline))
            grown = []
            for c in self._candidates(results):
                start, end = offsets[c.start], offsets[c.end - 1] + 1
                if any(ch.isspace() for ch in text[start:end]) and (
                        not best or c.end == len(joined)):
                    grown.append(Candidate(c.entity_type, c.category, start, end,
                                           c.score * 0.9, c.detector))
            if grown:
                best = grown
            elif best:
                settled = True  # the fragment is not part of the token
        out.extend(best)
        return out

    @staticmethod
    def _candidates(results: list[Result]) -> list[Candidate]:
        """Presidio results as candidates; a result without a category fails closed."""
        out = []
        for r in results:
            meta = r.recognition_metadata or {}
            category = meta.get(CATEGORY_KEY)
            if not isinstance(category, Category):
                raise RecognizerFailed(f"{meta.get(Result.RECOGNIZER_NAME_KEY)}: no category")
            out.append(Candidate(r.entity_type, category, r.start, r.end, r.score,
                                 str(meta[Result.RECOGNIZER_NAME_KEY])))
        return out

    @staticmethod
    def _add_names(texts: list[str], found: list[list[Candidate]]) -> None:
        """Names beside identifiers, then propagation of every name across the prompt."""
        for text, candidates in zip(texts, found, strict=True):
            candidates.extend(names_beside_identifiers(text, candidates))
        persons = [[c for c in candidates if c.entity_type == "PERSON"] for candidates in found]
        for candidates, extra in zip(found, propagate_names(texts, persons), strict=True):
            candidates.extend(extra)

    def _findings(
        self, index: int, original: str, view: Normalized, candidates: list[Candidate]
    ) -> list[Finding]:
        out: list[Finding] = []
        for cand in resolve(candidates):
            start, end = view.to_original(cand.start, cand.end)
            if self._custom is not None and self._custom.allowed(original[start:end]):
                continue
            out.append(Finding(cand.entity_type, cand.category, index, start, end, cand.score,
                               cand.detector))
        return out
