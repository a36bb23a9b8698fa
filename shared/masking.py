"""Contact details and ID numbers hidden inside visitors' free text, before police read it.

A visitor may type their own number into a comment ("call me 98765 43210"), someone else's,
an email address or an Aadhaar number. Police pages show the words with each of these
replaced by a short bilingual placeholder; only the feedback cell's audited identity view
shows the mobile number a visitor gave in the form's own field.

What is masked, in this order:

* email addresses (``name@example.com``, also with a space around the ``@``);
* Indian mobile numbers: ten digits starting 6-9, alone or after ``+91``, ``91``, ``0091``
  or a trunk ``0``, grouped the way people type them (spaces, hyphens, dots, brackets, even
  one digit at a time); landlines with their STD code (``0124-2345678``, ``+91 11
  23456789``); numbers after ``+`` or ``00`` and a country code; and six to ten digits right
  after a word such as "phone", "call" or "फ़ोन";
* Aadhaar-like numbers: twelve digits, or sixteen (a virtual ID, a card), in groups of four;
  PAN-shaped IDs (``ABCDE1234F``);
* any other run of ten or more digits.

Digits in any script count (Devanagari ``९८७६५ ४३२१०`` is a number too). Dates, times,
ratings and ordinary numbers ("sector 56", "2 hours", "12-05-2024 10:30", "4/5", "FIR
123/2024", "HR26AB1234") stay as they are: a slash or a colon never joins digits into a
number here, and a number that is not ten digits long is only masked after a phone word.

Why patterns rather than the ``phonenumbers`` library: masking must hide what merely looks
like a number, including ones no carrier has allocated yet and ones typed a digit at a
time, and err on the side of hiding; a validating matcher skips exactly those.
"""

from __future__ import annotations

import re
import unicodedata

PHONE_HIDDEN = "[फ़ोन नंबर छिपाया · phone hidden]"
EMAIL_HIDDEN = "[ईमेल छिपाया · email hidden]"
ID_HIDDEN = "[पहचान संख्या छिपाई · ID number hidden]"
NUMBER_HIDDEN = "[नंबर छिपाया · number hidden]"

# Up to two of the characters people put between a number's digits. No slash or colon:
# those make dates, times and ratings, never phone numbers.
_SEP = r"[\s.\-()]{0,2}"
_PREFIX = r"\(?(?:(?:\+|00)\s?91|0?91)"  # India's country code, as typed before a number

_EMAIL = re.compile(r"[\w.+%-]{1,64}\s?@\s?[\w-]{1,63}(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_MOBILE = re.compile(rf"(?<!\d)(?:{_PREFIX}{_SEP}|\(?0{_SEP}|\()?[6-9](?:{_SEP}\d){{9}}(?!\d)")
# A landline: the trunk 0 or +91, then a ten-digit national number (STD code + subscriber).
_LANDLINE = re.compile(
    rf"(?<!\d)(?:\(?(?:\+|00)\s?91{_SEP}|\(?0{_SEP})[1-9](?:{_SEP}\d){{9}}(?!\d)"
)
# Any other country: + or 00, a country code, eight to fifteen digits in all (E.164).
_INTERNATIONAL = re.compile(rf"(?:(?<!\d)\+|(?<!\w)00)\s?[1-9](?:{_SEP}\d){{7,14}}(?!\d)")
# Short numbers are hidden only right after a word that says they are a phone number. "फ़"
# may be typed as one character or as फ and a nukta.
_PHONE_WORDS = (
    r"(?:\b(?:tele)?phone|\bph|\bmob(?:ile)?|\bmo|\bcell|\btel|\bcontact|\bcall|"
    r"\bwhats\s?app|\bwa|(?:\u095e|\u092b\u093c?)\u094b\u0928|मोबा[इई]ल|संपर्क|कॉल|व्हाट्सएप)"
)
# The little words between ("call me on", "फ़ोन नंबर", "mob no.").
_FILLER = r"(?:no|num|number|is|me|on|at|us|to|par|pe|per|mujhe|नंबर|नम्बर|पर|पे|मुझे|करें|करो)"
_AFTER_PHONE_WORD = re.compile(
    rf"(?i){_PHONE_WORDS}\.?[\s:#\-]*(?:{_FILLER}\.?[\s:#\-]*){{0,3}}"
    rf"(?P<hide>(?<!\d)\+?\d(?:{_SEP}\d){{5,9}})(?!\d)"
)  # fmt: skip
_AADHAAR = re.compile(r"(?<!\d)\d{4}[\s.\-]?\d{4}[\s.\-]?\d{4}(?:[\s.\-]?\d{4})?(?!\d)")
_PAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{5}\d{4}[A-Z](?![A-Za-z0-9])")
_LONG_NUMBER = re.compile(r"(?<!\d)\d{10,}(?!\d)")

_DIGIT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_MOBILE, PHONE_HIDDEN),
    (_LANDLINE, PHONE_HIDDEN),
    (_INTERNATIONAL, PHONE_HIDDEN),
    (_AFTER_PHONE_WORD, PHONE_HIDDEN),
    (_AADHAAR, ID_HIDDEN),
    (_PAN, ID_HIDDEN),
    (_LONG_NUMBER, NUMBER_HIDDEN),
)


def _ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script as its ASCII digit: the same length,
    so that a match's span in it is the same span in ``text``."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _replace(text: str, pattern: re.Pattern[str], placeholder: str) -> str:
    view = _ascii_digits(text)
    pieces, last = [], 0
    for match in pattern.finditer(view):
        start, end = match.span("hide") if "hide" in pattern.groupindex else match.span()
        pieces += [text[last:start], placeholder]
        last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _one_pass(text: str) -> str:
    if "@" in text:
        text = _replace(text, _EMAIL, EMAIL_HIDDEN)
    if any(c.isdecimal() for c in text):
        for pattern, placeholder in _DIGIT_RULES:
            text = _replace(text, pattern, placeholder)
    return text


def mask_contact_details(text: str) -> str:
    """``text`` with phone numbers, email addresses and ID-like numbers replaced by a
    placeholder (``PHONE_HIDDEN``, ``EMAIL_HIDDEN``, ``ID_HIDDEN``, ``NUMBER_HIDDEN``);
    everything else unchanged. Masking masked text changes nothing."""
    # Each pass that changes anything removes digits or an "@" (the placeholders have
    # neither), so this ends; running to a fixed point makes masking idempotent.
    while (masked := _one_pass(text)) != text:
        text = masked
    return text
