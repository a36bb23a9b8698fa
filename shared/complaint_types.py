"""The fixed list of complaint types a visitor can choose, with Hindi and English labels.

The codes are part of the public contract (the ``complaint_type`` field); labels may be
reworded, codes may only be added.
"""

from types import MappingProxyType

# code -> (Hindi label, English label); order is the order shown on the form.
COMPLAINT_TYPES = MappingProxyType(
    {
        "theft": ("चोरी", "Theft"),
        "vehicle_theft": ("वाहन चोरी", "Vehicle theft"),
        "cyber_fraud": ("साइबर धोखाधड़ी", "Cyber fraud"),
        "assault": ("मारपीट", "Assault"),
        "domestic_violence": ("घरेलू हिंसा", "Domestic violence"),
        "women_safety": ("महिला सुरक्षा", "Women's safety"),
        "missing_person": ("लापता व्यक्ति", "Missing person"),
        "lost_article": ("खोया सामान", "Lost article"),
        "property_dispute": ("संपत्ति विवाद", "Property dispute"),
        "traffic": ("यातायात", "Traffic"),
        "verification": (
            "सत्यापन (किरायेदार, नौकर, पासपोर्ट)",
            "Verification (tenant, servant, passport)",
        ),
        "other": ("अन्य", "Other"),
    }
)


def complaint_type_label(code: str, language: str) -> str:
    """The label of ``code`` in ``language`` ("hi" or "en"); KeyError for an unknown code."""
    hindi, english = COMPLAINT_TYPES[code]
    return hindi if language == "hi" else english


def complaint_type_choices(language: str) -> list[tuple[str, str]]:
    """(code, label) pairs in form order, labelled in ``language``."""
    return [(code, complaint_type_label(code, language)) for code in COMPLAINT_TYPES]
