"""What a free-text search matches and how names sort: pinyin of Chinese names."""

from __future__ import annotations

import functools
import unicodedata


@functools.cache
def _pinyin_tables() -> tuple[dict[str, list[list[str]]], dict[int, str], dict[str, int]]:
    """pypinyin's phrase and character readings, and the longest phrase starting with each character."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    longest: dict[str, int] = {}
    for phrase in phrases_dict:
        longest[phrase[0]] = max(longest.get(phrase[0], 0), len(phrase))
    return phrases_dict, pinyin_dict, longest


@functools.lru_cache(maxsize=4096)
def _toneless(syllable: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65_536)
def pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of the Chinese in `text`; other characters are kept as they are.

    pypinyin's dictionaries read longest phrase first (重庆 chongqing, 银行 yinhang), without its
    per-call machinery, which costs ~0.2 ms a name: too slow for a 100,000-row import.
    """
    phrases, chars, longest = _pinyin_tables()
    full: list[str] = []
    initials: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if ord(char) not in chars:
            j = i + 1
            while j < n and ord(text[j]) not in chars:
                j += 1
            full.append(text[i:j])
            initials.append(text[i:j])
            i = j
            continue
        syllables = None
        for length in range(min(longest.get(char, 0), n - i), 1, -1):
            reading = phrases.get(text[i:i + length])
            if reading:
                syllables = [_toneless(r[0]) for r in reading]
                i += length
                break
        if syllables is None:
            syllables = [_toneless(chars[ord(char)].split(",", 1)[0])]
            i += 1
        full.extend(syllables)
        initials.extend([s[0] for s in syllables])
    return " ".join(full).lower(), "".join(initials).lower()


def search_text(code: str, name: str, owner_unit: str | None, user_unit: str | None) -> str:
    """What a free-text search matches: code, name, units, and the pinyin of name and units, both in
    full without spaces (`pingtai` finds 平台) and as initials (`pt`)."""
    units = [u for u in (owner_unit, user_unit) if u]
    readings = [pinyin(unicodedata.normalize("NFKC", t)) for t in (name, *units)]
    parts = [code, name, *units, *(full.replace(" ", "") for full, _ in readings), *(initials for _, initials in readings)]
    return unicodedata.normalize("NFKC", " ".join(parts)).lower()


def sort_key(name: str) -> str:
    """Names sort by their pinyin, as Chinese lists do."""
    return pinyin(unicodedata.normalize("NFKC", name))[0]
