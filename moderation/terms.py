"""The term filter: configurable lists of words and phrases, matched whole-word and case-blind.

English (and any script with spaces) matches whole words only: "ass" does not match "class".
Chinese has no spaces between words, so a CJK term matches wherever its characters appear in a
row; a Latin term next to Chinese characters still counts as a whole word ("这是spam广告").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from moderation.models import FilterTerm

# CJK ideographs, kana and hangul: scripts written without spaces between words.
_NO_SPACE_SCRIPTS = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
)
# A word character of a spaced script: what must not touch a Latin term on either side.
_WORD = r"[0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff_]"


@dataclass(frozen=True)
class TermMatch:
    field: str
    term: str
    list_name: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "term": self.term, "list": self.list_name}


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """The regular expression that finds `term` as a whole word, ignoring case."""
    words = [re.escape(part) for part in term.strip().split()]
    body = r"\s+".join(words)  # "tear  gas" and "tear gas" are the same phrase
    if _NO_SPACE_SCRIPTS.search(term):
        return re.compile(body, re.IGNORECASE)
    return re.compile(rf"(?<!{_WORD}){body}(?!{_WORD})", re.IGNORECASE)


def term_lists() -> dict[str, list[str]]:
    """Every list: the MODERATION_TERM_LISTS setting plus the terms staff added in the admin."""
    lists: dict[str, list[str]] = {
        name: [term for term in terms if term.strip()]
        for name, terms in settings.MODERATION_TERM_LISTS.items()
    }
    for list_name, term in FilterTerm.objects.values_list("list_name", "term"):
        if term.strip():
            lists.setdefault(list_name, []).append(term)
    return lists


def find_terms(*, fields: dict[str, str], lists: dict[str, list[str]]) -> list[TermMatch]:
    """Every (field, term, list) where the term occurs in the field's text, in a stable order."""
    matches: list[TermMatch] = []
    for field, text in fields.items():
        if not text:
            continue
        for list_name in sorted(lists):
            for term in lists[list_name]:
                if term_pattern(term).search(text):
                    matches.append(TermMatch(field=field, term=term, list_name=list_name))
    return matches
