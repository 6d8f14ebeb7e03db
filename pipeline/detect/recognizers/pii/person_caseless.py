"""Names in scripts without capitals (Han, Kana, Hangul, Devanagari, Arabic, Hebrew), by their cue.

Every other name rule reads capitalisation, and the small English model sees nothing in these
scripts, so "联系人：王伟", "山田太郎さん", "मेरा नाम राहुल शर्मा है" and "اسمي أحمد الحربي" were
sent. No names resource for these scripts is served here, so only a cue makes a name: a form
label, a self-introduction, or a Japanese honorific. Values that say "none" or "to be decided"
and role nouns ("担当者様", "お客様") are not names.
"""

# This module's cues are written in the scripts it reads: their letters are meant.
# ruff: noqa: RUF001, RUF002, RUF003

from __future__ import annotations

from collections.abc import Iterator

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.events import Category

__all__ = ["CaselessScriptNameRecognizer"]

_HAN_NAME = r"\p{Han}{2,4}"
_HANGUL_NAME = r"\p{Hangul}{2,4}"
# Form labels in Chinese, Japanese and Korean: contact, name, customer, recipient, person in charge.
_LABELED = regex.compile(
    r"(?:联系人|聯絡人|姓名|名字|客户|客戶|收件人|负责人|負責人|担当者?|氏名|名前|宛名|이름|성명|담당자|고객명)"
    rf"[ \t]*[:：][ \t]*(?P<name>{_HAN_NAME}|{_HANGUL_NAME})(?![\p{{Han}}\p{{Hangul}}])"
)
# "我叫王伟", "我的名字是李娜": the name runs to punctuation or to the end of three characters.
_CHINESE_SELF = regex.compile(r"(?:我叫|我的名字是|我名叫)(?P<name>\p{Han}{2,3})")
# Japanese honorifics after a name that follows a non-Han character ("担当：山田太郎さん").
_HONORIFIC = regex.compile(rf"(?<!\p{{Han}})(?P<name>{_HAN_NAME})(?:さん|様|さま|先生|氏)")
# Self-introductions in Hindi, Arabic and Hebrew: one to three words, up to a verb or "and".
_SPACED_SELF = regex.compile(
    r"(?:मेरा नाम|اسمي|إسمي|שמי|קוראים לי)[ ]"
    r"(?P<name>[\p{Devanagari}\p{Arabic}\p{Hebrew}]+"
    r"(?:[ ][\p{Devanagari}\p{Arabic}\p{Hebrew}]+){0,2})"
)
# Form labels in Arabic, Hindi and Hebrew ("الاسم: محمد العتيبي", "नाम: प्रिया शर्मा",
# "שם מלא: דנה לוי"): name, full name, customer (name), contact.
_SPACED_LABELED = regex.compile(
    r"(?:الاسم الكامل|الاسم|اسم العميل|العميل|جهة الاتصال|पूरा नाम|ग्राहक का नाम|ग्राहक|नाम|"
    r"שם מלא|שם הלקוח|שם|לקוח|איש קשר)[ \t]*[:：][ \t]*"
    r"(?P<name>[\p{Devanagari}\p{Arabic}\p{Hebrew}]+"
    r"(?:[ ][\p{Devanagari}\p{Arabic}\p{Hebrew}]+){0,2})"
)
# Hindi copulas and "and" end the name; an Arabic or Hebrew word with the prefixed "and" (و/ו)
# starts the next clause.
_STOP = frozenset({"है", "हूँ", "हूं", "हैं", "और", "था", "थी"})
_CONJUNCTION_PREFIX = ("و", "ו")
_NOT_NAMES = frozenset(
    {"暂无", "暫無", "未知", "待定", "未定", "不详", "没有", "なし", "担当者", "担当", "皆様",
     "患者", "先生", "客様", "部長", "課長", "社長", "店長", "係長", "先輩", "奥様", "事務局",
     "없음", "미정", "고객"}
)


class CaselessScriptNameRecognizer(Recognizer):
    """A cued name in a script that has no upper case."""

    entity_type = "PERSON"
    category = Category.PII

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        if text.isascii():
            return
        for pattern in (_LABELED, _CHINESE_SELF, _HONORIFIC):
            for match in pattern.finditer(text, timeout=deadline.remaining()):
                if match.group("name") not in _NOT_NAMES:
                    yield self.candidate(*match.span("name"), 0.65)
        for match in (*_SPACED_SELF.finditer(text, timeout=deadline.remaining()),
                      *_SPACED_LABELED.finditer(text, timeout=deadline.remaining())):
            words: list[str] = []
            for word in match.group("name").split(" "):
                if word in _STOP or (words and word.startswith(_CONJUNCTION_PREFIX)):
                    break
                words.append(word)
            if words:
                start = match.start("name")
                yield self.candidate(start, start + len(" ".join(words)), 0.65)
