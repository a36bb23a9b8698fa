"""The Hindi of every refusal the sign-in and password pages show, beside the English
message the use cases raise (shared.auth.accounts and credentials word them in English,
for logs, the command line and programs). A message missing here is shown in English
alone, and a test walks every refusal so that none goes missing."""

from __future__ import annotations

from shared.auth.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

_HINDI = {
    # sign-in
    "the username or the password is not right": "उपयोगकर्ता नाम या पासवर्ड सही नहीं है।",
    "this account is locked after too many failed sign-ins; try again later or ask the IT "
    "cell to reset it": "कई बार गलत पासवर्ड के बाद यह खाता बंद कर दिया गया है; बाद में फिर "
    "कोशिश करें या आईटी सेल से रीसेट करवाएँ।",
    "this account is disabled; ask the IT cell": "यह खाता निष्क्रिय है; आईटी सेल से बात करें।",
    "too many failed sign-ins from this address; please wait and try again": "इस पते से कई "
    "बार गलत प्रयास हुए हैं; कृपया कुछ देर बाद फिर कोशिश करें।",
    "this form had expired; please sign in again": "यह फ़ॉर्म पुराना हो गया था; कृपया फिर से "
    "साइन इन करें।",
    # the password change
    "the current password is not right": "मौजूदा पासवर्ड सही नहीं है।",
    "this account is locked after too many failed attempts; try again later": "कई बार गलत "
    "प्रयास के बाद यह खाता बंद है; बाद में फिर कोशिश करें।",
    "the two new passwords differ": "दोनों नए पासवर्ड एक जैसे नहीं हैं।",
    f"a password needs at least {MIN_PASSWORD_LENGTH} characters": "पासवर्ड में कम से कम "
    f"{MIN_PASSWORD_LENGTH} अक्षर होने चाहिए।",
    f"a password has at most {MAX_PASSWORD_LENGTH} characters": "पासवर्ड में अधिक से अधिक "
    f"{MAX_PASSWORD_LENGTH} अक्षर हो सकते हैं।",
    "a password cannot contain a NUL character": "पासवर्ड में NUL अक्षर नहीं हो सकता।",
    "a password cannot contain the username": "पासवर्ड में उपयोगकर्ता नाम नहीं हो सकता।",
    "the new password must differ from the current one": "नया पासवर्ड मौजूदा पासवर्ड से अलग "
    "होना चाहिए।",
    "a password needs more than a few different characters": "पासवर्ड में कई अलग-अलग अक्षर होने चाहिए।",
}


def hindi(message: str) -> str:
    """The Hindi of ``message``, or "" when there is none."""
    return _HINDI.get(message, "")
