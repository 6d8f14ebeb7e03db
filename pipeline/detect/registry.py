"""The one list of recognizers the engine runs, and the presidio registry built from it.

A recognizer class not listed here never runs, and ``tests/detect/test_registry.py`` fails if a
class exists but is missing from this list.
"""

from __future__ import annotations

import hashlib

from presidio_analyzer import EntityRecognizer, RecognizerRegistry

from pipeline.detect.base import Recognizer
from pipeline.detect.custom import CustomTerms, CustomTermsRecognizer
from pipeline.detect.nlp import LANGUAGE
from pipeline.detect.recognizers.pii.bank_account import UsBankNumberRecognizer
from pipeline.detect.recognizers.pii.credit_card import PaymentCardRecognizer
from pipeline.detect.recognizers.pii.cued_ids import (
    CuedNationalIdRecognizer,
    HealthPlanIdRecognizer,
    IdentityCardRecognizer,
    MedicalRecordNumberRecognizer,
    PassportNumberRecognizer,
)
from pipeline.detect.recognizers.pii.date_of_birth import DateOfBirthRecognizer
from pipeline.detect.recognizers.pii.email import EmailAddressRecognizer
from pipeline.detect.recognizers.pii.hl7 import Hl7PatientRecognizer
from pipeline.detect.recognizers.pii.iban import IbanCodeRecognizer
from pipeline.detect.recognizers.pii.ip_address import IpAddressRecognizer
from pipeline.detect.recognizers.pii.location import LocationRecognizer
from pipeline.detect.recognizers.pii.national_id import (
    FrenchNirRecognizer,
    NationalInsuranceNumberRecognizer,
    SpanishDniRecognizer,
)
from pipeline.detect.recognizers.pii.person_caps_family import CapsFamilyNameRecognizer
from pipeline.detect.recognizers.pii.person_caption import CourtCaptionRecognizer
from pipeline.detect.recognizers.pii.person_caseless import CaselessScriptNameRecognizer
from pipeline.detect.recognizers.pii.person_context import PersonContextRecognizer
from pipeline.detect.recognizers.pii.person_east_asian import HyphenatedGivenNameRecognizer
from pipeline.detect.recognizers.pii.person_gazetteer import PersonGazetteerRecognizer
from pipeline.detect.recognizers.pii.person_ner import SpacyNerRecognizer
from pipeline.detect.recognizers.pii.phone import PhoneNumberRecognizer
from pipeline.detect.recognizers.pii.profile_handles import ProfileHandleRecognizer
from pipeline.detect.recognizers.pii.sql_copy import SqlCopyRecognizer
from pipeline.detect.recognizers.pii.ssn import UsSocialSecurityRecognizer
from pipeline.detect.recognizers.pii.structured import (
    DelimitedTableRecognizer,
    KeyValueRecognizer,
    SqlInsertRecognizer,
    SqlValuesNamePairRecognizer,
)
from pipeline.detect.recognizers.secrets.assignment import SecretAssignmentRecognizer
from pipeline.detect.recognizers.secrets.aws import (
    AwsAccessKeyIdRecognizer,
    AwsSecretAccessKeyRecognizer,
)
from pipeline.detect.recognizers.secrets.azure import AzureStorageKeyRecognizer
from pipeline.detect.recognizers.secrets.bearer import AuthorizationHeaderRecognizer
from pipeline.detect.recognizers.secrets.github import GithubTokenRecognizer
from pipeline.detect.recognizers.secrets.gitlab import GitlabTokenRecognizer
from pipeline.detect.recognizers.secrets.google import (
    GoogleApiKeyRecognizer,
    GoogleOAuthSecretRecognizer,
)
from pipeline.detect.recognizers.secrets.jwt import JwtRecognizer
from pipeline.detect.recognizers.secrets.openai import AnthropicKeyRecognizer, OpenAiKeyRecognizer
from pipeline.detect.recognizers.secrets.packages import NpmTokenRecognizer, PypiTokenRecognizer
from pipeline.detect.recognizers.secrets.pem import PrivateKeyRecognizer
from pipeline.detect.recognizers.secrets.sendgrid import SendgridKeyRecognizer
from pipeline.detect.recognizers.secrets.slack import SlackTokenRecognizer, SlackWebhookRecognizer
from pipeline.detect.recognizers.secrets.stripe import StripeSecretKeyRecognizer
from pipeline.detect.recognizers.secrets.twilio import TwilioKeyRecognizer
from pipeline.detect.recognizers.secrets.url_password import UrlPasswordRecognizer

__all__ = [
    "ALL_RECOGNIZERS",
    "NER_RECOGNIZERS",
    "PII_RECOGNIZERS",
    "SECRET_RECOGNIZERS",
    "build_registry",
    "registry_version",
]

SECRET_RECOGNIZERS: tuple[type[Recognizer], ...] = (
    AwsAccessKeyIdRecognizer,
    AwsSecretAccessKeyRecognizer,
    AzureStorageKeyRecognizer,
    GithubTokenRecognizer,
    GitlabTokenRecognizer,
    GoogleApiKeyRecognizer,
    GoogleOAuthSecretRecognizer,
    SlackTokenRecognizer,
    SlackWebhookRecognizer,
    StripeSecretKeyRecognizer,
    TwilioKeyRecognizer,
    SendgridKeyRecognizer,
    NpmTokenRecognizer,
    PypiTokenRecognizer,
    OpenAiKeyRecognizer,
    AnthropicKeyRecognizer,
    PrivateKeyRecognizer,
    JwtRecognizer,
    UrlPasswordRecognizer,
    SecretAssignmentRecognizer,
    AuthorizationHeaderRecognizer,
)

PII_RECOGNIZERS: tuple[type[Recognizer], ...] = (
    EmailAddressRecognizer,
    PhoneNumberRecognizer,
    PaymentCardRecognizer,
    UsSocialSecurityRecognizer,
    IbanCodeRecognizer,
    IpAddressRecognizer,
    UsBankNumberRecognizer,
    LocationRecognizer,
    DateOfBirthRecognizer,
    PersonContextRecognizer,
    PersonGazetteerRecognizer,
    CaselessScriptNameRecognizer,
    CourtCaptionRecognizer,
    CapsFamilyNameRecognizer,
    HyphenatedGivenNameRecognizer,
    ProfileHandleRecognizer,
    Hl7PatientRecognizer,
    SpanishDniRecognizer,
    FrenchNirRecognizer,
    NationalInsuranceNumberRecognizer,
    CuedNationalIdRecognizer,
    IdentityCardRecognizer,
    PassportNumberRecognizer,
    MedicalRecordNumberRecognizer,
    HealthPlanIdRecognizer,
    DelimitedTableRecognizer,
    SqlInsertRecognizer,
    SqlCopyRecognizer,
    SqlValuesNamePairRecognizer,
    KeyValueRecognizer,
)

# Reads the PERSON spans that nlp.ProseNlpEngine puts in the NlpArtifacts.
NER_RECOGNIZERS: tuple[type[SpacyNerRecognizer], ...] = (SpacyNerRecognizer,)

ALL_RECOGNIZERS: tuple[type[Recognizer] | type[SpacyNerRecognizer], ...] = (
    SECRET_RECOGNIZERS + PII_RECOGNIZERS + NER_RECOGNIZERS
)


def build_registry(custom: CustomTerms | None = None) -> RecognizerRegistry:
    """A presidio registry holding one instance of every class above (plus the org's terms)."""
    recognizers: list[EntityRecognizer] = [cls() for cls in ALL_RECOGNIZERS]
    if custom is not None:
        recognizers.append(CustomTermsRecognizer(custom))
    return RecognizerRegistry(recognizers=recognizers, supported_languages=[LANGUAGE])


def registry_version(extra: str = "") -> str:
    """Short hash of every registered class name and version (plus e.g. the NER model)."""
    names = sorted(
        f"{cls.__module__}.{cls.__name__}@{getattr(cls, 'version', '?')}" for cls in ALL_RECOGNIZERS
    )
    digest = hashlib.sha256("\n".join([*names, extra]).encode()).hexdigest()
    return f"det-{digest[:12]}"


def known_labels() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(entity_type, category) and (detector, entity_type) pairs, to pre-create metric series."""
    entities: dict[tuple[str, str], None] = {}
    detectors: dict[tuple[str, str], None] = {}
    for recognizer in build_registry(None).recognizers:
        category = str(getattr(recognizer, "category", "pii"))
        for entity in recognizer.supported_entities:
            entities[(entity, category)] = None
            detectors[(type(recognizer).__name__, entity)] = None
    return list(entities), list(detectors)
