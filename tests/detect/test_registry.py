"""The registry: every recognizer class is registered once, in a presidio RecognizerRegistry."""

import importlib
import inspect
import pkgutil

from presidio_analyzer import EntityRecognizer, RecognizerRegistry

import pipeline.detect.recognizers as recognizers_pkg
from pipeline.detect.custom import CustomTerms, CustomTermsRecognizer
from pipeline.detect.registry import ALL_RECOGNIZERS, build_registry, registry_version


def _defined_recognizers() -> set[type[EntityRecognizer]]:
    found: set[type[EntityRecognizer]] = set()
    for info in pkgutil.walk_packages(recognizers_pkg.__path__, recognizers_pkg.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, EntityRecognizer) and obj.__module__ == module.__name__:
                found.add(obj)
    return found


def test_every_recognizer_class_is_registered() -> None:
    """A recognizer class that exists under recognizers/ but is not in the registry fails."""
    missing = {cls.__name__ for cls in _defined_recognizers() - set(ALL_RECOGNIZERS)}
    assert not missing


def test_registry_has_no_duplicates_and_declares_entities() -> None:
    """Each class is registered once and declares its entity type and category."""
    assert len(set(ALL_RECOGNIZERS)) == len(ALL_RECOGNIZERS)
    for cls in ALL_RECOGNIZERS:
        assert getattr(cls, "entity_type", None) and getattr(cls, "category", None)


def test_build_registry_is_a_presidio_registry_of_every_class() -> None:
    """build_registry holds one instance per registered class, English only."""
    registry = build_registry()
    assert isinstance(registry, RecognizerRegistry)
    assert registry.supported_languages == ["en"]
    assert [type(r) for r in registry.recognizers] == list(ALL_RECOGNIZERS)
    assert all(r.supported_language == "en" for r in registry.recognizers)


def test_custom_terms_add_one_recognizer() -> None:
    """Org terms become one more presidio recognizer in the same registry."""
    registry = build_registry(CustomTerms(deny_terms=frozenset({"Project Falcon"})))
    assert sum(isinstance(r, CustomTermsRecognizer) for r in registry.recognizers) == 1


def test_version_depends_on_extra() -> None:
    """The detector-set version changes with the model it is combined with."""
    assert registry_version("a") != registry_version("b")
    assert registry_version("a") == registry_version("a")


def test_no_class_shadows_a_presidio_recognizer() -> None:
    """presidio finds predefined recognizers by class name among all EntityRecognizer subclasses,
    so a same-named class of ours would replace its EmailRecognizer etc. in any default engine."""
    from presidio_analyzer.recognizer_registry.recognizers_loader_utils import (
        RecognizerListLoader,
    )

    ours = {cls.__name__ for cls in ALL_RECOGNIZERS} | {CustomTermsRecognizer.__name__}
    theirs = {
        cls.__name__ for cls in RecognizerListLoader.get_all_existing_recognizers()
        if cls.__module__.startswith("presidio_analyzer.")
    }
    assert not ours & theirs
