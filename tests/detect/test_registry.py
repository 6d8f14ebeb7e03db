import importlib
import inspect
import pkgutil

import pipeline.detect.recognizers as recognizers_pkg
from pipeline.detect.base import PatternRecognizer, Recognizer
from pipeline.detect.registry import ALL_RECOGNIZERS, registry_version


def _defined_recognizers() -> set[type[Recognizer]]:
    found: set[type[Recognizer]] = set()
    for info in pkgutil.walk_packages(recognizers_pkg.__path__, recognizers_pkg.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (issubclass(obj, Recognizer) and obj.__module__ == module.__name__
                    and obj not in (Recognizer, PatternRecognizer)):
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
        assert cls.entity_type and cls.category


def test_version_depends_on_extra() -> None:
    """The detector-set version changes with the model it is combined with."""
    assert registry_version("a") != registry_version("b")
    assert registry_version("a") == registry_version("a")
