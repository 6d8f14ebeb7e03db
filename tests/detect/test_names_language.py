"""The names index derived from names-dataset, and the per-message language decision."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import pytest

from pipeline.detect.language import detect_language
from pipeline.detect.names_index import MAX_RANK, TOP_RANK, NamesIndex, build, names_index


def _write(path: Path, names: dict[str, dict[str, dict[str, int]]]) -> None:
    with gzip.open(path, "wb") as fh:
        pickle.dump(names, fh)


def test_build_keeps_ranked_names_in_the_package_format(tmp_path: Path) -> None:
    """Only names ranked within MAX_RANK somewhere enter; TOP_RANK ones are also established."""
    _write(tmp_path / "first_names.pkl.gz", {
        "Tomasz": {"rank": {"PL": 11}}, "Rarename": {"rank": {"PL": MAX_RANK + 1}},
        "Unranked": {"rank": {}}, "Midname": {"rank": {"DE": TOP_RANK + 5}}})
    _write(tmp_path / "last_names.pkl.gz", {"Wielgosz": {"rank": {"PL": 1162}}})
    build(tmp_path / "index.npz", tmp_path)
    index = NamesIndex(tmp_path / "index.npz")
    assert index.is_given("tomasz") and index.is_given("Tomasz")
    assert index.is_established("Tomasz") and not index.is_established("Midname")
    assert index.is_given("Midname")
    assert not index.is_given("Rarename") and not index.is_given("Unranked")
    assert index.is_family("Wielgosz") and not index.is_given("Wielgosz")


def test_installed_index_knows_world_names_and_not_german_nouns() -> None:
    index = names_index()
    for word in ("Sigrún", "Eiríksdóttir", "Chidi", "Okafor", "Haruto", "Nguyễn", "Wójcik"):
        assert index.is_name(word), word
    for word in ("Bestellung", "Sendungsnummer", "Signature", "Invalid"):
        assert not index.is_name(word), word


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Meine Bestellung ist noch nicht angekommen, bitte prüfen.", "de"),
        ("Ma commande n'est toujours pas arrivée, pouvez-vous vérifier ?", "fr"),
        ("Mi pedido no ha llegado y el número de seguimiento no funciona.", "es"),
        ("Maybe the booking is under Tomasz Wielgosz", "en"),
        ("Cheers,\nDeclan", "en"),  # too short to judge: English
        ("O pedido chegou ontem mas estava danificado.", "en"),  # other languages: English NER
    ],
)
def test_language_decides_which_ner_runs(text: str, language: str) -> None:
    assert detect_language(text) == language
