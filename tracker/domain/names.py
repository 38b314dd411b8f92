"""Names as search sees them: case and accents folded, split into words.

>>> name_words("José  Núñez-García")
['jose', 'nunez', 'garcia']
"""

from __future__ import annotations

import unicodedata

# Letters that carry no combining accent to strip, written as a spectator types them.
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"}
)


def fold(text: str) -> str:
    """Lower case without accents: what a spectator types matches what the entry list says.

    >>> fold("Ørjan STRÖM"), fold("Straße"), fold("Łukasz")
    ('orjan strom', 'strasse', 'lukasz')
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_PLAIN_LETTERS)


def name_words(text: str) -> list[str]:
    """The folded words of a name or a query, split at anything not a letter or digit."""
    words, current = [], []
    for ch in fold(text):
        if ch.isalnum():
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def prefix_bounds(word: str) -> tuple[str, str]:
    """The range of indexed words that start with `word` (a btree range, on any backend).

    >>> prefix_bounds("kip")
    ('kip', 'kiq')
    """
    return word, word[:-1] + chr(ord(word[-1]) + 1)
