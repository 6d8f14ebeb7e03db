"""How the independent multilingual set was drawn (run once, on a Debian dev machine; frozen).

    python -m tests.detect.independent.build > multilingual.jsonl
    python -m tests.detect.independent.build --validation > validation.jsonl

Nothing here was written by anyone on this project, and the draw was made and frozen before any
filter was run on it (``README.md``). Two sources, both on the machine, neither tied to prompts:

- gettext catalogs of Debian packages (``/usr/share/locale/<lang>/LC_MESSAGES/<catalog>.mo``):
  user-interface sentences written by each package's translators, many opening with a verb
  ("Introduzca la contraseña", "Vérifiez le fichier"), the false-positive class under study;
- spaCy's own example and test sentences (``spacy/lang/<lang>/examples.py`` and
  ``spacy/tests/lang/<lang>/test_text.py``), which do name real people, so recall is measured too.

The selection is mechanical (shape rules below and a seeded sample); the person names in the drawn
lines were then labelled by hand. This script is provenance, not part of any test: the tests read
only the frozen ``*.jsonl`` beside it.
"""

from __future__ import annotations

import ast
import gettext
import importlib.util
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import regex

LANGUAGES = ("es", "fr", "de", "it", "pt_BR", "nl", "ca", "pl", "sv", "da")
# Catalog -> licence of the Debian package that ships it (from /usr/share/doc/<pkg>/copyright).
CATALOGS = {
    "apt": "GPL-2+", "dpkg": "GPL-2+", "git": "GPL-2", "systemd": "LGPL-2.1+",
    "PackageKit": "GPL-2+", "software-properties": "GPL-2+", "system-config-printer": "GPL-2+",
    "gtk30": "LGPL-2+", "glib20": "LGPL-2.1+", "postgres-15": "PostgreSQL", "psql-15": "PostgreSQL",
}
PER_LANGUAGE = 70
SEED = 20261201
_SHAPE = regex.compile(r"^\p{Lu}[\p{L} .,;:!?¿¡'\u2019«»\"()-]+$")


def _sentence(text: str) -> bool:
    words = text.split()
    return (4 <= len(words) <= 30 and bool(_SHAPE.match(text)) and "--" not in text
            and sum(w.islower() for w in words) >= 2)


def _catalog(path: Path) -> Iterator[str]:
    with path.open("rb") as fh:
        # gettext has no public iterator over a catalog; _catalog is its msgid -> msgstr map.
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    for key, value in catalog.items():
        if key and isinstance(value, str) and (not isinstance(key, tuple) or key[1] == 0):
            text = " ".join(value.split())
            if _sentence(text):
                yield text


def gettext_lines(
    root: Path = Path("/usr/share/locale"), seed: int = SEED, per_language: int = PER_LANGUAGE,
    exclude: frozenset[str] = frozenset(),
) -> Iterator[dict[str, str]]:
    """A seeded sample of sentence-shaped translated messages per language."""
    rng = random.Random(seed)
    for language in LANGUAGES:
        pool: dict[str, str] = {}
        for name in sorted(CATALOGS):
            path = root / language / "LC_MESSAGES" / f"{name}.mo"
            if path.exists():
                for text in _catalog(path):
                    if text not in exclude:
                        pool.setdefault(text, name)
        for text in rng.sample(sorted(pool), min(per_language, len(pool))):
            name = pool[text]
            yield {"language": language.split("_")[0], "text": text,
                   "source": f"gettext:{name}", "licence": CATALOGS[name]}


def _spacy_dir() -> Path:
    spec = importlib.util.find_spec("spacy")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def spacy_lines() -> Iterator[dict[str, str]]:
    """spaCy's example sentences and the sentence-shaped literals of its per-language text tests."""
    root = _spacy_dir()
    for language in LANGUAGES:
        lang = language.split("_")[0]
        seen: set[str] = set()
        for rel in (f"lang/{lang}/examples.py", f"tests/lang/{lang}/test_text.py"):
            path = root / rel
            if not path.exists():
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):  # docstrings are the test authors' English
                if isinstance(node, ast.Module | ast.FunctionDef):
                    seen.add(" ".join((ast.get_docstring(node) or "").split()))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = " ".join(node.value.split())
                    if (len(text.split()) >= 4 and text.lstrip("¿¡\"'«“")[:1].isupper()
                            and text not in seen):
                        seen.add(text)
                        yield {"language": lang, "text": text, "source": f"spacy:{rel}",
                               "licence": "MIT"}


# The person names in the drawn lines, labelled by hand after the draw (before any filter ran).
# Not labelled: "Núria" in "al restaurant Núria" (a restaurant), "Muminków" (the Moomins),
# "Turing" in "le test de Turing" (an eponym; the person is labelled as "Alan Turing").
# No gettext line names a person.
LABELS = {
    "¿Cuándo nació José de San Martín?": ["José de San Martín"],
    "Cuando a José Mujica lo invitaron": ["José Mujica", "Margaret Thatcher", "Stephen Hawking"],
    "¿Por qué José Mujica?": ["José Mujica"],
    "contestó José Arcadio Buendía": ["José Arcadio Buendía"],
    "Nouvelles attaques de Trump": ["Trump"],
    "Quand est né Barack Obama ?": ["Barack Obama"],
    "En 1950, Alan Turing éditait": ["Alan Turing"],
    "Als Gregor Samsa eines Morgens": ["Gregor Samsa"],
    "va contestar el Joan Carles": ["Joan Carles"],
    "polecam komiks Tove Jansson": ["Tove Jansson"],
    "Hvornår blev Barack Obama født?": ["Barack Obama"],
}


def labelled(row: dict[str, str], number: int) -> dict[str, object]:
    """The frozen line: an id, the row, and its hand-labelled PERSON values."""
    names = [n for key, found in LABELS.items() if key in row["text"] for n in found]
    return {"id": f"{row['language']}-{number:03d}", **row,
            "expect": [{"type": "PERSON", "value": n} for n in names]}


# The validation draw (``validation.jsonl``): made and frozen after a candidate filter had been
# written on ``multilingual.jsonl`` and before it ran on this draw; disjoint from the first.
VALIDATION_SEED = 20261202
VALIDATION_PER_LANGUAGE = 60


def main(argv: list[str]) -> int:
    if argv == ["--validation"]:
        first = frozenset(json.loads(line)["text"] for line in
                          (Path(__file__).parent / "multilingual.jsonl").open(encoding="utf-8"))
        rows = list(gettext_lines(seed=VALIDATION_SEED, per_language=VALIDATION_PER_LANGUAGE,
                                  exclude=first))
        prefix = "v"
    else:
        rows, prefix = [*gettext_lines(), *spacy_lines()], ""
    for number, row in enumerate(rows):
        line = labelled(row, number)
        line["id"] = prefix + str(line["id"])
        print(json.dumps(line, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
