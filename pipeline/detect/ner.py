"""PERSON names from spaCy NER, run only on prose and cached by chunk.

Only the ``ner`` component is loaded: in en_core_web_sm it embeds its own tok2vec (the shared
``tok2vec`` feeds only tagger and parser), and its features are lexical, so tagger, parser,
attribute_ruler and lemmatizer are excluded. Logs, JSON, code, key material and base64 never reach
the model, nor do sentences without a capitalised word past their start (see ``prose_chunks``:
the model could only return a sentence-initial single word there, which ``_clean`` rejects);
the model sees runs of consecutive candidate sentences, so a name keeps its neighbours as context.
The NER'd characters per prompt are capped, and chunk results are cached: system prompts and
conversation history repeat on every turn.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence

import regex
import spacy

from pipeline.detect.vocab import PRODUCT_HEAD, is_product, paired_with_product

__all__ = ["MAX_NER_CHARS", "NerTagger", "prose_chunks"]

MAX_NER_CHARS = 32_768
_CHUNK = 600
_CACHE_SIZE = 20_000
_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_LINE = regex.compile(r"[^\n]+")
# A sentence boundary, but not after a short capitalised word: titles, initials and
# abbreviations ("Dr. Okafor", "Pt. Obinna Eze", "J. R. Tolkien") keep the name's context.
_SENTENCE_END = regex.compile(r"(?<=[.!?])(?<!\b\p{Lu}\p{L}{0,3}\.)\s+(?=[A-Z\"'«(])")
_CODE_OR_LOG = regex.compile(
    r"^\s*(?:[{\[<#/$>|]|\d{2,4}[-/:.]\d|[A-Za-z_][\w.]*\s*(?:=|\(|:=)|"
    r"(?:import|from|def|class|return|const|let|var|function|if|for|SELECT|INSERT)\b)"
)
_BAD_NAME_CHARS = regex.compile(r"[\d@_#/\\=<>{}\[\]|:;*+$%^&~`]")
# A single capitalised word right after these is a title-cased common noun, a product or a place
# ("the Austin office", "from Postman") far more often than a person.
_SINGLE_WORD_BEFORE = regex.compile(
    r"(?:^|[.!?:*•-]\s*|\b(?:the|a|an|from|for|in|at|to|via|on|with)|\b\w*\d\w*)\s*$"
)
# "a Ted Baker pop-up", "an Acme Corp account": an indefinite article does not precede a person.
_ARTICLE_BEFORE = regex.compile(r"(?i)\b(?:a|an)\s+$")
_PERSONA_BEFORE = regex.compile(r"(?i)\byou are\s*$")
# Organisation suffixes (legal forms and common trading-name words).
_ORG_WORDS = frozenset(
    ["Inc", "Inc.", "LLC", "Ltd", "Ltd.", "Corp", "Corp.", "Co", "Co.", "GmbH", "AG", "SA",
     "SAS", "SARL", "PLC", "Plc", "LLP", "Labs", "Lab", "Logistics", "Freight", "Health",
     "Healthcare", "Analytics", "Traders", "Trading", "Systems", "Technologies", "Technology",
     "Solutions", "Group", "Bank", "Capital", "Partners", "Media", "Foods", "Motors",
     "Airlines", "Airways", "Insurance", "Pharma", "Energy", "Industries", "Holdings",
     "Ventures", "Consulting", "Software", "Networks", "Studios", "Games", "Cloud", "Security",
     "Assistant", "Services", "Foundation", "University", "College", "Institute", "Hospital",
     "Clinic", "Pharmacy", "Airlines", "Robotics", "Dynamics", "Electric", "Telecom",
     "Wireless", "Financial", "Finance", "Realty", "Properties", "Enterprises", "International",
     "Global", "Worldwide", "Logistik", "Verlag", "Bakery", "Cafe", "Café", "Store", "Shop"]
)
Span = tuple[int, int]
# A capitalised word that is not the first of its sentence/line. Without one, the model can only
# return sentence-initial single words, which _clean rejects anyway, so the chunk is skipped.
_INNER_CAPITAL = regex.compile(
    r"(?<![.!?:;*•\-]\s{0,3}|^\s*|[\"'«(]\s*)(?<=\s|\()\p{Lu}\p{Ll}"
)
_NOT_NAMES = frozenset(
    ["I", "I'm", "I've", "I'll", "I'd", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
     "Saturday", "Sunday", "January", "February", "March", "April", "June", "July", "August",
     "September", "October", "November", "December"]
)
_WORD = regex.compile(r"\S+")
# Sentence-initial imperatives and question words the model glues to a following name.
_LEADING_NOT_NAMES = frozenset(
    ["Explain", "Compare", "Summarise", "Summarize", "Write", "Tell", "Ask", "Show", "Give",
     "Convert", "Check", "Use", "Using", "Should", "Can", "Could", "Is", "Are", "Does", "Do",
     "Why", "What", "How", "When", "Where", "Which", "Install", "Learn", "Migrate", "Deploy",
     "Run", "Configure", "Translate", "Rewrite", "Draft", "Format", "Review", "Fix", "Debug",
     "Describe", "Define", "List", "Thanks", "Ok", "Okay", "Hey", "Please"]
)


def prose_chunks(text: str, budget: int = MAX_NER_CHARS) -> Iterator[tuple[int, str]]:
    """Yield (offset, chunk): runs of sentences of natural-language lines that may hold a name."""
    used = 0
    for line in _LINE.finditer(text):
        body = line.group()
        if not _is_prose(body):
            continue
        for start, piece in _candidate_runs(body):
            if used + len(piece) > budget:
                return
            used += len(piece)
            yield line.start() + start, piece


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    if len(stripped) < 3 or _CODE_OR_LOG.match(stripped):
        return False
    letters = sum(c.isalpha() or c == " " for c in stripped)
    return letters / len(stripped) >= 0.8 and any(c.islower() for c in stripped)


def _may_hold_name(chunk: str) -> bool:
    """Tell whether a capitalised word other than a sentence start, weekday or month occurs."""
    for match in _INNER_CAPITAL.finditer(chunk):
        word = _WORD.match(chunk, match.start())
        if word is not None and word.group().rstrip(".,;:!?)'\"") not in _NOT_NAMES:
            return True
    return False


def _candidate_runs(line: str) -> Iterator[tuple[int, str]]:
    """Consecutive sentences that may hold a name, grouped up to ~``_CHUNK`` characters."""
    run_start = run_end = -1
    sentence_start = 0
    ends = [(b.start(), b.end()) for b in _SENTENCE_END.finditer(line)] + [(len(line), len(line))]
    for end, next_start in ends:
        if _may_hold_name(line[sentence_start:end]):
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
    """Loads the model once per process; ``persons`` is batched through ``nlp.pipe``."""

    def __init__(self, model: str, batch_size: int = 64) -> None:
        self.nlp = spacy.load(model, exclude=_EXCLUDE)
        self.model_version = f"{model}@{self.nlp.meta.get('version', '?')}"
        self._batch_size = batch_size
        self._cache: OrderedDict[str, tuple[Span, ...]] = OrderedDict()

    def clear_cache(self) -> None:
        """Forget cached chunk results (benchmarks of cold latency)."""
        self._cache.clear()

    def persons(self, chunks: Sequence[str]) -> list[tuple[Span, ...]]:
        """PERSON spans (chunk-relative) for each chunk; cached chunks skip the model."""
        missing = list(dict.fromkeys(c for c in chunks if c not in self._cache))
        for chunk, doc in zip(missing, self.nlp.pipe(missing, batch_size=self._batch_size),
                              strict=True):
            spans = tuple(
                span for ent in doc.ents if ent.label_ == "PERSON"
                for span in [_clean(chunk, ent.start_char, ent.end_char)] if span
            )
            self._cache[chunk] = spans
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        out = []
        for chunk in chunks:
            self._cache.move_to_end(chunk)
            out.append(self._cache[chunk])
        return out


def _clean(text: str, start: int, end: int) -> Span | None:
    """Trim possessives/punctuation; reject spans that are unlikely to be a person's name."""
    value = text[start:end]
    if value.endswith(("'s", "\u2019s")):
        end -= 2
    while end > start and not text[end - 1].isalpha():
        end -= 1
    while start < end and not text[start].isalpha():
        start += 1
    value = text[start:end]
    if len(value) < 2 or _BAD_NAME_CHARS.search(value) or "\n" in value:
        return None
    words = value.split()
    while len(words) > 1 and words[0] in _LEADING_NOT_NAMES:
        start = text.index(words[1], start + len(words[0]))
        words = words[1:]
    if all(is_product(w) for w in words):
        return None
    after = text[end : end + 40]
    if len(words) > 4 or not all(w[0].isupper() for w in words) or value.isupper():
        return None
    before = text[max(0, start - 24) : start]
    if words[-1] in _ORG_WORDS or _PERSONA_BEFORE.search(before) or _ARTICLE_BEFORE.search(before):
        return None
    if len(words) == 1 and (_SINGLE_WORD_BEFORE.search(before) or PRODUCT_HEAD.match(after)
                            or paired_with_product(before, after)):
        return None
    return start, end
