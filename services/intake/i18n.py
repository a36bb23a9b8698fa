"""Every word the visitor reads on the intake pages, in Hindi and English.

Pure data and two lookups; no Flask. ``t`` finds a page string, ``field_error`` turns a
validation error code into a message in the visitor's language. Both raise ``KeyError`` for a
key, code or language they do not know, so a typo fails loudly in tests instead of showing
an empty label to a visitor. Some strings are ``str.format`` templates: ``privacy.notice``
takes ``retention_days``, ``stars.of_5`` takes ``n``, ``problem.code`` takes ``status`` and
``error.too_long`` takes ``max``.

Templates receive ``t`` bound to the page's language with ``bind(language)``; the problem
pages call it with ``language=`` to show their message in both languages.
"""

from collections.abc import Callable, Mapping
from functools import partial
from types import MappingProxyType

from services.intake.rights_text import RIGHTS_TEXT

LANGUAGES = ("hi", "en")
DEFAULT_LANGUAGE = "hi"

# The codes the form knows how to explain; the app maps the API's messages onto these.
ERROR_CODES = (
    "required",
    "invalid_choice",
    "rating_range",
    "invalid_mobile",
    "future_date",
    "date_too_old",
    "invalid_date",
    "too_long",
    "invalid_boolean",
    "invalid_integer",
    "invalid_value",  # anything else: the fallback for a code the form does not know
)

# The kinds of problem page, by the HTTP status the app answers with.
PROBLEM_KINDS = MappingProxyType(
    {
        "bad_request": 400,
        "forged": 403,
        "unknown_station": 404,
        "revoked": 410,
        "too_large": 413,
        "rate_limited": 429,
        "unavailable": 503,
    }
)

_TEXT: dict[str, dict[str, str]] = {
    # Every page
    "site.name": {"hi": "गुरुग्राम पुलिस — प्रतिक्रिया", "en": "Gurugram Police — Feedback"},
    "emergency": {
        "hi": "आपात स्थिति में तुरंत 112 पर कॉल करें।",
        "en": "In an emergency, call 112 at once.",
    },
    "station.label": {"hi": "थाना", "en": "Police station"},
    # The form
    "form.title": {"hi": "थाने के बारे में अपनी राय दें", "en": "Tell us about this police station"},
    "form.intro": {
        "hi": "आपकी राय से थाने का कामकाज बेहतर होगा। इसमें दो-तीन मिनट लगेंगे।",
        "en": "Your feedback helps this police station do better. It takes two or three minutes.",
    },
    "form.required_legend": {
        "hi": "* वाले सवालों का जवाब देना ज़रूरी है।",
        "en": "Questions marked * must be answered.",
    },
    "form.required": {"hi": "ज़रूरी", "en": "required"},
    "form.optional": {"hi": "(ज़रूरी नहीं)", "en": "(optional)"},
    "form.errors_summary": {
        "hi": "कुछ जवाबों को ठीक करना है — नीचे लाल रंग में लिखे संदेश देखें।",
        "en": "Some answers need correcting — see the messages in red below.",
    },
    "form.submit": {"hi": "भेजें", "en": "Submit"},
    "yes": {"hi": "हाँ", "en": "Yes"},
    "no": {"hi": "नहीं", "en": "No"},
    "stars.of_5": {"hi": "5 में से {n}", "en": "{n} of 5"},
    "stars.low": {"hi": "1 = बहुत खराब", "en": "1 = very poor"},
    "stars.high": {"hi": "5 = बहुत अच्छा", "en": "5 = very good"},
    "rating.legend": {
        "hi": "आप इस थाने को कितने स्टार देंगे?",
        "en": "How many stars do you give this police station?",
    },
    "name.label": {"hi": "आपका नाम", "en": "Your name"},
    "mobile.label": {"hi": "मोबाइल नंबर", "en": "Mobile number"},
    "mobile.hint": {"hi": "10 अंकों का मोबाइल नंबर", "en": "10-digit mobile number"},
    "privacy.title": {"hi": "आपकी जानकारी के बारे में", "en": "About your details"},
    "privacy.notice": {
        "hi": (
            "मोबाइल नंबर इसलिए माँगा जाता है ताकि पता रहे कि प्रतिक्रिया असली है, और ज़रूरत "
            "पड़ने पर पुलिस आपसे संपर्क कर सके। आपका नंबर और नाम सिर्फ़ गुरुग्राम पुलिस के "
            "अधिकृत कर्मचारी देख सकते हैं; ये किसी रिपोर्ट में कभी नहीं दिखाए जाते। "
            "{retention_days} दिन बाद इन्हें मिटा दिया जाता है। नाम देना ज़रूरी नहीं है।"
        ),
        "en": (
            "We ask for your mobile number to confirm that the feedback is genuine and so "
            "that the police can contact you if needed. Only authorised Gurugram Police staff "
            "can see your number and name; they are never shown in reports. They are deleted "
            "after {retention_days} days. Giving your name is optional."
        ),
    },
    "complaint_date.label": {"hi": "शिकायत की तारीख", "en": "Date of your complaint"},
    "complaint_date.hint": {
        "hi": "पिछले एक साल के अंदर की कोई तारीख",
        "en": "A date within the last year",
    },
    "complaint_type.label": {"hi": "शिकायत का प्रकार", "en": "Type of complaint"},
    "complaint_type.choose": {"hi": "— चुनें —", "en": "— Choose —"},
    "officer_name.label": {
        "hi": "संबंधित पुलिस अधिकारी का नाम",
        "en": "Name of the police officer concerned",
    },
    "comments.label": {"hi": "आपके विचार", "en": "Your views"},
    "comments.hint": {
        "hi": "जो हुआ, अपने शब्दों में लिखें — किसी भी भाषा में।",
        "en": "Tell us what happened in your own words, in any language.",
    },
    # Who reads it: the police pages show a station's comments to its SHO, to the zone's ACP
    # and DCP and to the Commissioner's office.
    "comments.readers": {
        "hi": "आप जो लिखेंगे, उसे इस थाने की पुलिस और उनके वरिष्ठ अधिकारी पढ़ेंगे।",
        "en": "What you write here will be read by the police of this station and their "
        "senior officers.",
    },
    "cleanliness.legend": {
        "hi": "थाने में साफ़-सफ़ाई कैसी थी?",
        "en": "How clean was the police station?",
    },
    "staff_available.legend": {
        "hi": "क्या थाने में स्टाफ़ मौजूद था?",
        "en": "Were staff available at the station?",
    },
    "staff_helped.legend": {"hi": "क्या स्टाफ़ ने आपकी मदद की?", "en": "Did the staff help you?"},
    "problem_resolved.legend": {
        "hi": "क्या आपकी समस्या का समाधान हुआ?",
        "en": "Was your problem solved?",
    },
    # Banners above the form, shown with the visitor's answers kept
    "banner.unavailable": {
        "hi": (
            "आपकी प्रतिक्रिया अभी सहेजी नहीं जा सकी। आपके जवाब नीचे बचे हुए हैं — "
            "कृपया एक मिनट बाद फिर से ‘भेजें’ दबाएँ।"
        ),
        "en": (
            "We could not save your feedback just now. Your answers are kept below — "
            "please press Submit again in a minute."
        ),
    },
    "banner.rate_limited": {
        "hi": "इस फ़ोन या नंबर से बहुत बार प्रतिक्रिया भेजी गई है। कृपया कुछ देर बाद फिर कोशिश करें।",
        "en": "Too much feedback has come from this phone or number. Please try again later.",
    },
    # Thank-you page
    "thanks.title": {"hi": "धन्यवाद!", "en": "Thank you!"},
    "thanks.body": {
        "hi": "आपकी प्रतिक्रिया हमें मिल गई है। इससे गुरुग्राम पुलिस को अपना काम बेहतर करने में मदद मिलेगी।",
        "en": "We have received your feedback. It helps Gurugram Police do better.",
    },
    "thanks.reference": {"hi": "संदर्भ संख्या", "en": "Reference number"},
    "thanks.once": {
        "hi": "दोबारा भेजने की ज़रूरत नहीं है। अब आप यह पेज बंद कर सकते हैं।",
        "en": "There is no need to send it again. You can close this page now.",
    },
    # Problem pages (shown in both languages, Hindi first)
    "problem.code": {"hi": "त्रुटि कोड: {status}", "en": "Error code: {status}"},
    "problem.bad_request.title": {
        "hi": "यह लिंक सही नहीं है",
        "en": "Something is wrong with this link",
    },
    "problem.bad_request.body": {
        "hi": "लिंक या भेजी गई जानकारी अधूरी है। कृपया थाने की दीवार पर लगा QR कोड दोबारा स्कैन करें।",
        "en": "The link or the information sent is incomplete. "
        "Please scan the QR code on the station wall again.",
    },
    "problem.forged.title": {"hi": "यह QR कोड असली नहीं है", "en": "This QR code is not genuine"},
    "problem.forged.body": {
        "hi": "इस पोस्टर का कोड गुरुग्राम पुलिस का जारी किया हुआ नहीं है। कृपया थाने के "
        "कर्मचारियों को इसके बारे में बताएँ।",
        "en": "The code on this poster was not issued by Gurugram Police. "
        "Please tell the station staff about it.",
    },
    "problem.unknown_station.title": {"hi": "थाना नहीं मिला", "en": "Police station not found"},
    "problem.unknown_station.body": {
        "hi": "इस कोड का थाना हमारी सूची में नहीं है। कृपया थाने की दीवार पर लगा QR कोड दोबारा स्कैन करें।",
        "en": "This code does not match any police station we know. "
        "Please scan the QR code on the station wall again.",
    },
    "problem.revoked.title": {
        "hi": "यह QR कोड बदल दिया गया है",
        "en": "This QR code has been replaced",
    },
    "problem.revoked.body": {
        "hi": "थाने में नया पोस्टर लगाया गया है। कृपया नए पोस्टर का QR कोड स्कैन करें।",
        "en": "The station has put up a new poster. Please scan the QR code on the new poster.",
    },
    "problem.too_large.title": {"hi": "जानकारी बहुत लंबी है", "en": "Too much text"},
    "problem.too_large.body": {
        "hi": "भेजी गई जानकारी बहुत लंबी है। कृपया उसे छोटा करके फिर से भेजें।",
        "en": "What you sent is too long. Please shorten it and send it again.",
    },
    "problem.rate_limited.title": {"hi": "बहुत बार कोशिश की गई", "en": "Too many attempts"},
    "problem.rate_limited.body": {
        "hi": "इस फ़ोन या नंबर से बहुत बार प्रतिक्रिया भेजी गई है। कृपया कुछ देर बाद फिर कोशिश करें।",
        "en": "Too much feedback has come from this phone or number. Please try again later.",
    },
    "problem.unavailable.title": {
        "hi": "सेवा अभी उपलब्ध नहीं है",
        "en": "Service not available just now",
    },
    "problem.unavailable.body": {
        "hi": "हम अभी आपका अनुरोध पूरा नहीं कर पा रहे हैं। कृपया कुछ मिनट बाद फिर कोशिश करें।",
        "en": "We cannot handle your request just now. Please try again in a few minutes.",
    },
    # Validation messages, one per error code
    "error.required": {"hi": "इसका जवाब देना ज़रूरी है।", "en": "Please answer this question."},
    "error.invalid_choice": {
        "hi": "कृपया दिए गए विकल्पों में से एक चुनें।",
        "en": "Please choose one of the options.",
    },
    "error.rating_range": {
        "hi": "कृपया 1 से 5 के बीच स्टार चुनें।",
        "en": "Please choose from 1 to 5 stars.",
    },
    "error.invalid_mobile": {
        "hi": "कृपया 6, 7, 8 या 9 से शुरू होने वाला 10 अंकों का मोबाइल नंबर लिखें।",
        "en": "Please enter a 10-digit mobile number starting with 6, 7, 8 or 9.",
    },
    "error.future_date": {
        "hi": "तारीख आज के बाद की नहीं हो सकती।",
        "en": "The date cannot be in the future.",
    },
    "error.date_too_old": {
        "hi": "तारीख पिछले एक साल के अंदर की होनी चाहिए।",
        "en": "The date must be within the last year.",
    },
    "error.invalid_date": {"hi": "कृपया सही तारीख चुनें।", "en": "Please enter a valid date."},
    "error.too_long": {
        "hi": "ज़्यादा से ज़्यादा {max} अक्षर लिखे जा सकते हैं।",
        "en": "Please use at most {max} characters.",
    },
    "error.invalid_boolean": {
        "hi": "कृपया ‘हाँ’ या ‘नहीं’ चुनें।",
        "en": "Please choose Yes or No.",
    },
    "error.invalid_value": {
        "hi": "कृपया यह जवाब जाँचकर ठीक करें।",
        "en": "Please check this answer.",
    },
    "error.invalid_text": {"hi": "कृपया यहाँ केवल लिखा हुआ पाठ भेजें।", "en": "Please send text here."},
    "error.invalid_station_code": {
        "hi": "थाने का कोड सही नहीं है। कृपया पोस्टर का QR कोड फिर से स्कैन करें।",
        "en": "The station code is not valid. Please scan the poster's QR code again.",
    },
    "error.unknown_field": {
        "hi": "यह जानकारी फ़ॉर्म का हिस्सा नहीं है।",
        "en": "This field is not part of the feedback form.",
    },
    "error.invalid_body": {
        "hi": "जानकारी सही रूप में नहीं भेजी गई।",
        "en": "The feedback must be sent as a JSON object.",
    },
    "error.invalid_integer": {
        "hi": "कृपया दिए गए अंकों में से एक चुनें।",
        "en": "Please choose one of the numbers given.",
    },
}

TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {key: MappingProxyType(texts) for key, texts in {**_TEXT, **RIGHTS_TEXT}.items()}
)


def t(key: str, language: str) -> str:
    """The text for ``key`` in ``language`` ("hi" or "en"), unformatted; KeyError for an
    unknown key or language."""
    return TEXT[key][language]


def bind(language: str) -> Callable[..., str]:
    """``t`` with ``language`` as its default, for templates: ``t(key)`` or
    ``t(key, language="en")`` where a page must show the other language too."""
    if language not in LANGUAGES:
        raise KeyError(language)
    return partial(t, language=language)


def field_error(code: str, language: str, **params: object) -> str:
    """The validation message for error ``code`` in ``language``, formatted with ``params``
    (``too_long`` needs ``max``).

    Raises KeyError for an unknown code or language, or a missing parameter.
    """
    return t(f"error.{code}", language).format(**params)


def field_errors(errors: Mapping[str, object], language: str) -> dict[str, list[str]]:
    """Schema error codes by field (``too_long:100``) as messages in ``language``; a code
    without a message reads as ``invalid_value``'s."""

    def message(code: str) -> str:
        name, _, param = code.partition(":")
        key = name if f"error.{name}" in TEXT else "invalid_value"
        return field_error(key, language, max=param)

    return {
        field: [message(str(c)) for c in (codes if isinstance(codes, list) else [codes])]
        for field, codes in errors.items()
    }
