"""The rights page's words, in Hindi and English (merged into ``i18n.TEXT``). Some are
``str.format`` templates: ``rights.code_sent`` takes ``mobile`` and ``minutes``,
``rights.erased`` takes ``n``."""

RIGHTS_TEXT: dict[str, dict[str, str]] = {
    "privacy.rights_link": {
        "hi": "अपनी जानकारी देखें या मिटाएँ",
        "en": "See or erase your data",
    },
    "rights.title": {"hi": "अपनी जानकारी देखें या मिटाएँ", "en": "See or erase your data"},
    "rights.intro": {
        "hi": (
            "अपना मोबाइल नंबर लिखें। हम उस पर 6 अंकों का एक कोड SMS से भेजेंगे। कोड डालने "
            "पर आप अपनी दी हुई प्रतिक्रिया देख सकेंगे और उससे अपना नाम और नंबर मिटा सकेंगे।"
        ),
        "en": (
            "Enter your mobile number. We will send a 6-digit code to it by SMS. With the "
            "code you can see the feedback you gave and erase your name and number from it."
        ),
    },
    "rights.send": {"hi": "कोड भेजें", "en": "Send the code"},
    "rights.code_label": {"hi": "SMS में आया 6 अंकों का कोड", "en": "The 6-digit code from the SMS"},
    "rights.code_sent": {
        "hi": "{mobile} पर कोड भेजा गया। यह {minutes} मिनट तक चलेगा।",
        "en": "A code was sent to {mobile}. It works for {minutes} minutes.",
    },
    "rights.verify": {"hi": "आगे बढ़ें", "en": "Continue"},
    "rights.again": {"hi": "नया कोड मँगाएँ", "en": "Ask for a new code"},
    "rights.yours": {"hi": "आपकी दी हुई प्रतिक्रिया", "en": "The feedback you gave"},
    "rights.none": {
        "hi": "इस नंबर से कोई प्रतिक्रिया नहीं मिली।",
        "en": "No feedback was found for this number.",
    },
    "rights.rating": {"hi": "स्टार", "en": "stars"},
    "rights.kept": {"hi": "नाम और नंबर रखे हैं", "en": "Name and number kept"},
    "rights.gone": {"hi": "नाम और नंबर मिटा दिए गए", "en": "Name and number erased"},
    "rights.erase_note": {
        "hi": (
            "मिटाने पर इन सभी प्रतिक्रियाओं से आपका नाम और मोबाइल नंबर हटा दिया जाएगा। "
            "प्रतिक्रिया (थाना, तारीख, स्टार, आपके शब्द) बिना आपकी पहचान के गिनती में रहेगी। "
            "इसके बाद पुलिस आपसे इन प्रतिक्रियाओं के बारे में संपर्क नहीं कर पाएगी।"
        ),
        "en": (
            "Erasing removes your name and mobile number from all of this feedback. The "
            "feedback itself (station, date, stars, your words) stays, without who you are, "
            "and still counts. The police can then no longer contact you about it."
        ),
    },
    "rights.erase": {"hi": "मेरा नाम और नंबर मिटाएँ", "en": "Erase my name and number"},
    "rights.erased": {
        "hi": "आपका नाम और नंबर {n} प्रतिक्रिया से मिटा दिया गया।",
        "en": "Your name and number were erased from {n} feedback.",
    },
    "rights.back": {"hi": "शुरू से", "en": "Start again"},
    "rights.error.invalid_mobile": {
        "hi": "कृपया 10 अंकों का सही मोबाइल नंबर लिखें।",
        "en": "Please enter a valid 10-digit mobile number.",
    },
    "rights.error.too_many_codes": {
        "hi": "इस नंबर या जगह से बहुत कोड माँगे गए। एक घंटे बाद फिर कोशिश करें।",
        "en": "Too many codes were asked for from this number or place. Try again in an hour.",
    },
    "rights.error.code_wrong": {
        "hi": "कोड सही नहीं है। फिर से लिखें।",
        "en": "That code is not right. Please type it again.",
    },
    "rights.error.code_dead": {
        "hi": "कई बार गलत कोड डाला गया, इसलिए यह कोड अब नहीं चलेगा। नया कोड मँगाएँ।",
        "en": "The code was typed wrong too many times and no longer works. Ask for a new one.",
    },
    "rights.error.code_expired": {
        "hi": "यह कोड पुराना हो गया है या है ही नहीं। नया कोड मँगाएँ।",
        "en": "This code has expired or was never sent. Ask for a new one.",
    },
    "rights.error.token_expired": {
        "hi": "समय पूरा हुआ। फिर से अपना नंबर लिखें और नया कोड मँगाएँ।",
        "en": "Your time is up. Enter your number again and ask for a new code.",
    },
    "rights.error.expired_form": {
        "hi": "यह पन्ना पुराना हो गया था। कृपया फिर से कोशिश करें।",
        "en": "This page had expired. Please try again.",
    },
    "rights.error.unavailable": {
        "hi": "अभी यह सेवा नहीं चल रही। कुछ देर बाद कोशिश करें।",
        "en": "This service is not working right now. Please try again shortly.",
    },
}
