"""Keys on which Hindi, English and Hinglish spellings of one word meet.

Visitors write an officer's name, and their comments, in Devanagari, in English, or in Hindi
typed with Latin letters (Hinglish), each spelt as the writer hears it. A *word key* is one
Latin string that "रमेश", "Ramesh" and "ramesh" all become; "शिकायत", "shikayat" and
"shikaayat" too. Keys are for matching and grouping only, never shown to anyone.

How a word becomes its key (``word_key``):

1. Devanagari is transliterated letter by letter (``श`` sh, ``ी`` ii, ``ं`` n, ``क़`` q ...),
   with the inherent vowel ``a`` after each consonant unless a vowel sign or a virama
   follows. The inherent ``a`` at the end of a word is not spoken and is dropped ("रमेश"
   ramesh, "राम" raam), except in a one-letter word and after a conjunct that ends in
   य र व न ण म ("कृष्ण" krishna, "पत्र" patra; but "दोस्त" dost, "दर्ज" darj).
2. Latin letters lose accents and case; Devanagari digits become 0-9.
3. Hinglish variations are folded, in this order: ``x`` ks, ``q`` k, ``z`` j, ``ph`` f,
   ``w`` v, ``ck`` k, ``c`` (not before h) k, ``chh``/``ch`` c, ``sh`` s, ``ee`` i, ``oo`` u,
   a consonant followed by ``h`` loses the ``h`` (kh, gh, th, dh, bh: writers drop
   aspiration freely), ``ng`` n ("Singh" and "सिंह" meet), a ``y`` ending a word after a
   consonant is ``i`` ("Vicky", "विक्की"), and any doubled letter is one ("kumaar" kumar,
   "Pappu" papu).
4. An ``a`` between two consonants is dropped (after the folds above, so ``aa`` too). This
   is the vowel Hindi writers in Latin letters vary most ("Kamla"/"Kamala"/"कमला",
   "badtameez"/"badatmeez"/"बदतमीज़"); keeping it apart would split the most words.

The price is a few collisions between words that differ only in that ``a`` or in
aspiration ("kam" and "km", "kal" and "khal"); for grouping names at one station and for
finding comments that is the better side to err on.

``officer_key`` drops ranks and honorifics and orders the words, so "SI Ramesh Kumar",
"Ramesh Kumar SI", "श्री रमेश कुमार जी" and "ramesh  kumar" share "kumr rmes". A one-word
name such as "रमेश" has the key "rmes"; whether it belongs with "kumr rmes" is decided per
station by ``services.analytics.domain.officers`` (it joins the one longer name at that
station whose words include it, and stays apart when there are two such names).

``search_key`` is what is stored beside a comment, ``query_key`` what a search query
becomes: both are space-separated word keys, so a query's words are found in a comment's key
whatever script either was typed in. ``KEY_VERSION`` changes whenever these rules change, so
stored keys can be recomputed.
"""

from __future__ import annotations

import re
import unicodedata

from shared.masking import (
    EMAIL_HIDDEN,
    ID_HIDDEN,
    NUMBER_HIDDEN,
    PHONE_HIDDEN,
    mask_contact_details,
)

KEY_VERSION = 1

_VIRAMA = "\u094d"
_NUKTA = "\u093c"
_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "ळ": "l", "व": "v",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
    "क़": "q", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "d", "ढ़": "dh", "फ़": "f", "य़": "y",
}  # fmt: skip
# A nukta after a base letter (फ + ़) gives the same sound as the precomposed letter (फ़).
_WITH_NUKTA = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "d", "ढ": "dh", "फ": "f", "य": "y"}
_VOWELS = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ii", "उ": "u", "ऊ": "uu", "ऋ": "ri",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e",
}  # fmt: skip
_VOWEL_SIGNS = {
    "ा": "aa", "ि": "i", "ी": "ii", "ु": "u", "ू": "uu", "ृ": "ri",
    "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ॉ": "o", "ॅ": "e",
}  # fmt: skip
# A conjunct ending in one of these keeps its final "a" ("कृष्ण" krishna, "पत्र" patra, "सत्य"
# satya); others lose it ("दोस्त" dost, "वक़्त" vaqt), as do conjuncts after र ("दर्ज" darj,
# "धर्म" dharm), the way Hinglish writers spell them.
_SPOKEN_FINAL_A = frozenset("यरवनणम")
_NASALS = {"ं": "n", "ँ": "n", "ः": "h"}
_DIGITS = {chr(0x0966 + n): str(n) for n in range(10)}

# A word: a run of Devanagari letters and signs (not the dandas), or of Latin letters
# (accented ones too) and digits.
_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097f]+|[0-9A-Za-z\u00c0-\u024f]+")
_LATIN_VOWELS = set("aeiou")

_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"x", "ks"),
        (r"q", "k"),
        (r"z", "j"),
        (r"ph", "f"),
        (r"w", "v"),
        (r"ck", "k"),
        (r"c(?!h)", "k"),
        (r"ch+", "c"),
        (r"sh", "s"),
        (r"e{2,}", "i"),
        (r"o{2,}", "u"),
        (r"([b-df-gj-np-tv-z])h", r"\1"),
        (r"ng", "n"),
        (r"(?<=[b-df-hj-np-tv-z])y$", "i"),
        (r"(.)\1+", r"\1"),
        (r"(?<=[b-df-hj-np-tv-z])a(?=[b-df-hj-np-tv-z])", ""),
        (r"(.)\1+", r"\1"),
    )
)


def transliterate(word: str) -> str:
    """Devanagari letters of ``word`` in Latin letters (see the module's rules); other
    characters pass through unchanged."""
    out: list[str] = []
    pending_a = False  # the last consonant still carries its inherent "a"
    after_conjunct = False  # that consonant ends a conjunct that keeps a final "a"
    previous = ""  # the last consonant letter seen
    letters = 0
    i = 0
    while i < len(word):
        ch = word[i]
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch in _CONSONANTS:
            if pending_a:
                out.append("a")
            latin = _CONSONANTS[ch]
            if nxt == _NUKTA:
                latin = _WITH_NUKTA.get(ch, latin)
                i += 1
            after_conjunct = False
            if out and out[-1] == _VIRAMA:
                out.pop()
                after_conjunct = ch in _SPOKEN_FINAL_A and previous != "र"
            previous = ch
            out.append(latin)
            pending_a = True
            letters += 1
        elif ch in _VOWEL_SIGNS:
            out.append(_VOWEL_SIGNS[ch])
            pending_a = False
        elif ch == _VIRAMA:
            out.append(_VIRAMA)
            pending_a = False
        else:
            if pending_a:
                out.append("a")
                pending_a = False
            if ch in _VOWELS:
                letters += 1
            if out and out[-1] == _VIRAMA:
                out.pop()
            out.append(_VOWELS.get(ch) or _NASALS.get(ch) or _DIGITS.get(ch) or ch)
        i += 1
    if out and out[-1] == _VIRAMA:
        out.pop()
    if pending_a and (letters == 1 or after_conjunct):
        out.append("a")
    return "".join(out)


def word_key(word: str) -> str:
    """The key of one word in any script; "" when nothing of it is a letter or digit."""
    latin = unicodedata.normalize("NFKD", transliterate(unicodedata.normalize("NFC", word)))
    key = "".join(ch for ch in latin.lower() if ch.isascii() and ch.isalnum())
    for pattern, replacement in _FOLDS:
        key = pattern.sub(replacement, key)
    return key


def _raw_words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text))


def _keys(text: str) -> list[str]:
    """Word keys of ``text`` in order, each once."""
    seen: dict[str, None] = {}
    for word in _raw_words(text):
        key = word_key(word)
        if key:
            seen.setdefault(key, None)
    return list(seen)


# Ranks and honorifics, as written in English, Hinglish and Hindi. Phrases are dropped
# whole; single words wherever they stand.
_RANK_PHRASES = (
    "sub inspector", "assistant sub inspector", "head constable", "lady constable",
    "mahila constable", "station house officer", "sahayak up nirikshak", "mukhya sipahi",
    "सहायक उपनिरीक्षक", "सहायक उप निरीक्षक", "उप निरीक्षक", "मुख्य सिपाही", "मुख्य आरक्षी",
    "हेड कांस्टेबल", "हेड कॉन्स्टेबल", "महिला सिपाही", "महिला कांस्टेबल", "थाना प्रभारी",
    "थाना अध्यक्ष", "सब इंस्पेक्टर", "एस आई", "ए एस आई", "एस एच ओ", "एच सी",
)  # fmt: skip
_RANK_WORDS = (
    "si", "asi", "ssi", "hc", "ct", "lc", "mc", "const", "constable", "inspector", "insp",
    "sho", "sp", "dsp", "acp", "dcp", "ips", "subinspector", "havaldar", "hawaldar",
    "sipahi", "daroga", "darogha", "thanedar", "thanadar", "munshi",
    "sh", "shri", "shree", "sri", "mr", "mrs", "ms", "smt", "sir", "madam", "mam", "maam",
    "ji", "sahab", "saheb", "sahib",
    "उपनिरीक्षक", "निरीक्षक", "हवलदार", "सिपाही", "आरक्षी", "कांस्टेबल", "कॉन्स्टेबल",
    "इंस्पेक्टर", "दरोगा", "दारोगा", "थानेदार", "थानाध्यक्ष", "मुंशी", "एसआई", "एएसआई",
    "एसएचओ", "एचसी", "श्री", "श्रीमान", "श्रीमती", "जी", "साहब", "सर", "मैडम",
)  # fmt: skip
_RANK_PHRASE_KEYS = tuple(tuple(word_key(w) for w in _raw_words(p)) for p in _RANK_PHRASES)
# "sh" (Sh.) folds to "s"; a lone initial must not count as a rank, so very short keys are
# only dropped when written exactly as a rank.
_RANK_RAW = frozenset(_RANK_WORDS)
_RANK_KEYS = frozenset(k for k in (word_key(w) for w in _RANK_WORDS) if len(k) >= 3)


def _name_words(text: str) -> list[str]:
    """The words of a name, with runs of single Latin letters joined ("S.I." is "SI",
    "A. S. I." is "ASI", "R.K." is "RK")."""
    words: list[str] = []
    initials = ""
    for word in _raw_words(text):
        if len(word) == 1 and word.isascii() and word.isalpha():
            initials += word
            continue
        if initials:
            words.append(initials)
            initials = ""
        words.append(word)
    if initials:
        words.append(initials)
    return words


def _is_rank(word: str) -> bool:
    return word.lower() in _RANK_RAW or word in _RANK_RAW or word_key(word) in _RANK_KEYS


def officer_key(text: str) -> str:
    """The key under which the spellings of one officer's name gather: the name's word keys
    without ranks or honorifics, each once, sorted (so word order does not matter), joined
    by one space. Numbers (a phone number, a belt number) are no part of a name and are left
    out. "" when nothing of a name is left (empty text, or only "SI")."""
    words = [w for w in _name_words(_without_contact_details(text)) if not w.isdigit()]
    keys = [word_key(w) for w in words]
    keep = [True] * len(words)
    for phrase in sorted(_RANK_PHRASE_KEYS, key=len, reverse=True):
        n = len(phrase)
        for start in range(len(keys) - n + 1):
            if all(keep[start : start + n]) and tuple(keys[start : start + n]) == phrase:
                keep[start : start + n] = [False] * n
    names = {
        key
        for word, key, kept in zip(words, keys, keep, strict=True)
        if kept and key and not _is_rank(word)
    }
    return " ".join(sorted(names))


_PLACEHOLDERS = (PHONE_HIDDEN, EMAIL_HIDDEN, ID_HIDDEN, NUMBER_HIDDEN)


def _without_contact_details(text: str) -> str:
    masked = mask_contact_details(text)
    for placeholder in _PLACEHOLDERS:
        masked = masked.replace(placeholder, " ")
    return masked


def search_key(text: str) -> str:
    """The key stored beside a comment: its word keys in order, each once, separated by one
    space. Phone numbers, emails and ID numbers are left out (as police pages mask them), so
    the key holds nothing the masked comment does not show. "" for an empty comment."""
    return " ".join(_keys(_without_contact_details(text or "")))


def query_key(text: str) -> str:
    """A search query's key, made like ``search_key`` so that each of its words can be looked
    for among a comment key's words. "" when the query has no letter or digit."""
    return " ".join(_keys(text or ""))
