"""How party mentions are normalised so that case, accents, apostrophes and possessives do not matter."""

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_POSSESSIVE = re.compile(r"'s\b|(?<=s)'(?=\s|$)")
_NON_WORD = re.compile(r"[^\w]+")
_LEADING_ARTICLE = re.compile(r"^(the|a|an) ")
# British and American spellings of the words that name institutions.
_SPELLING = {
    "defense": "defence",
    "organization": "organisation",
    "organizations": "organisations",
    "center": "centre",
    "programme": "program",
}


def normalise_mention(text: str) -> str:
    """'Azerbaijan’s Defense Ministry' and 'azerbaijan's defence ministry' give the same key."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _POSSESSIVE.sub("", text)
    text = _NON_WORD.sub(" ", text).strip()
    text = _LEADING_ARTICLE.sub("", text)
    return " ".join(_SPELLING.get(word, word) for word in text.split())
