"""People named by their social profile: a profile URL's slug, an @handle made of name parts.

"linkedin.com/in/swetha-raghavan-4b2a1" and "@ingrid_solberg" identify a person as surely as
the name written out, and no name rule sees them (lower case, joined by "-", "_" or "."). A
profile URL's path on a people network is a person's; a handle, a home directory in a path
("/home/ekaterina.volkova/"), a key's value ("owner: sebastian.krawczyk") or a code author's
account ("TODO(ravi.shankar)") counts only when its parts are a given and a family name by the
names index ("@devops_team", "/home/build_agent/" are no one).
"""

from __future__ import annotations

from collections.abc import Iterator

import regex
from wordfreq import zipf_frequency

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.names_index import names_index
from pipeline.events import Category

__all__ = ["ProfileHandleRecognizer"]

# Networks whose profile path is one person (GitHub and X also name organisations, so only
# handles of name parts count there, below).
_PROFILE = regex.compile(
    r"(?i)\b(?:linkedin\.com/in|facebook\.com|instagram\.com|xing\.com/profile|"
    r"vk\.com|tiktok\.com/@)/?(?P<slug>[a-z0-9][a-z0-9._-]{2,80}?)(?:-[0-9a-f]{4,12})?(?=[/?#\s]|$)"
)
_NOT_PROFILES = frozenset({"pages", "groups", "company", "events", "watch", "share", "sharer",
                           "login", "explore", "reel", "p", "profile.php", "school", "jobs"})
_HANDLE = regex.compile(
    r"(?<![\w@.])@(?P<handle>(?P<first>\p{Ll}{2,20})[._-](?P<last>\p{Ll}{2,30}))(?![\w@-]|\.\w)"
)

# A home directory named after its user, as stack traces and shell prompts print it:
# "/home/ekaterina.volkova/…", "/Users/jonas_berg/…", "C:\\Users\\amara.nwosu\\…".
_HOME = regex.compile(
    r"(?:/home/|/Users/|\\Users\\)(?P<handle>(?P<first>\p{Ll}{2,20})[._-](?P<last>\p{Ll}{2,30}))"
    r"(?=[/\\\s\"':]|$)"
)

# An account name as a key's value: "owner: sebastian.krawczyk", "user=amara_nwosu" (YAML, JSON,
# logs). The same given + family test as a home directory's.
_VALUE = regex.compile(
    r"[:=][ \t]*[\"']?(?P<handle>(?P<first>\p{Ll}{2,20})[._](?P<last>\p{Ll}{2,30}))"
    r"(?=[\"']?(?:[ \t]*[,;}\]]|[ \t]*$))",
    regex.MULTILINE,
)

# An account name as its tools print it: code attributed to its author ("# TODO(ravi.shankar): …"
# in Google's style, Javadoc's "@author amara_nwosu"), a Jira mention ("[~pradeep.venkatesan]"),
# an IRC or chat-log nick ("[10:41] <kenji.watanabe> …"): the same given + family test.
_ATTRIBUTED = regex.compile(
    r"(?:\b(?:TODO|FIXME|XXX|HACK|NOTE|BUG)\(|@author[ \t]+|\[~|(?:^|(?<=\][ \t]))<)"
    r"(?P<handle>(?P<first>\p{Ll}{2,20})[._-](?P<last>\p{Ll}{2,30}))(?=[)\]>\s]|$)",
    regex.MULTILINE,
)


class ProfileHandleRecognizer(Recognizer):
    """A profile URL's slug; an @handle, home directory, key value or author of given + family."""

    entity_type = "PERSON"
    category = Category.PII

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        if "/" in text:
            for match in _PROFILE.finditer(text, timeout=deadline.remaining()):
                if match.group("slug").lower() not in _NOT_PROFILES:
                    yield self.candidate(*match.span("slug"), 0.7)
        handles: list[tuple[regex.Match[str], bool]] = []  # (match, outside an @handle)
        if "@" in text:
            handles += ((m, False) for m in _HANDLE.finditer(text, timeout=deadline.remaining()))
        if "(" in text or "@author" in text or "[~" in text or "<" in text:
            handles += ((m, True) for m in _ATTRIBUTED.finditer(text, timeout=deadline.remaining()))
        if "/home/" in text or "Users" in text:
            handles += ((m, True) for m in _HOME.finditer(text, timeout=deadline.remaining()))
        if ":" in text or "=" in text:
            handles += ((m, True) for m in _VALUE.finditer(text, timeout=deadline.remaining()))
        index = names_index()
        for match, bare in handles:
            first, last = match.group("first").title(), match.group("last").title()
            if not (index.is_given(first) and index.is_family(last)):
                continue
            # Service accounts and settings are ordinary words ("ci_runner", "log.level").
            if bare and any(zipf_frequency(w, "en", wordlist="small") >= 4.0
                            for w in (match.group("first"), match.group("last"))):
                continue
            yield self.candidate(*match.span("handle"), 0.6)
