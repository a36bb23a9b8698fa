"""Hindi, English and Hinglish spellings of one word, and of one officer's name, share a key."""

import pytest

from shared.textkeys import KEY_VERSION, officer_key, query_key, search_key, word_key


@pytest.mark.parametrize(
    "spellings",
    [
        ("रमेश", "Ramesh", "ramesh", "RAMESH"),
        ("शिकायत", "shikayat", "shikaayat", "Shikayat"),
        ("कुमार", "kumar", "kumaar", "Kumar"),
        ("सिंह", "Singh", "singh", "sinh"),
        ("कमला", "Kamla", "Kamala"),
        ("बदतमीज़", "badtameez", "badtamiz", "badatmeez"),
        ("पूजा", "Pooja", "Puja"),
        ("समीर", "Sameer", "Samir"),
        ("विक्की", "Vicky", "Vicki", "Viki"),
        ("फ़ोन", "फ़ोन", "fon", "phon"),
        ("रिश्वत", "rishwat", "rishvat", "rishwat"),
        ("थाना", "thana", "thaana", "Thana"),
        ("लक्ष्मी", "Laxmi", "Lakshmi", "laksmi"),
        ("कृष्ण", "Krishna", "krishna"),
        ("दर्ज", "darj", "Darj"),
        ("दोस्त", "dost"),
        ("वक़्त", "waqt", "vakt"),
        ("शर्मा", "Sharma", "Sarma"),
        ("मैं", "main", "Main"),
        ("नहीं", "nahin", "nahiin"),
        ("पप्पू", "Pappu", "Papu"),
        ("José", "jose", "JOSE"),
    ],
)
def test_the_spellings_of_one_word_share_a_key(spellings: tuple[str, ...]) -> None:
    keys = {word_key(spelling) for spelling in spellings}
    assert len(keys) == 1, {s: word_key(s) for s in spellings}
    assert keys.pop()


@pytest.mark.parametrize(
    ("one", "other"),
    [("रमेश", "सुरेश"), ("Ramesh", "Suresh"), ("kiran", "karan"), ("Sunita", "Sunil"), ("2", "3")],
)
def test_different_words_keep_different_keys(one: str, other: str) -> None:
    assert word_key(one) != word_key(other)


def test_devanagari_digits_are_digits() -> None:
    assert word_key("१२३") == word_key("123") == "123"


@pytest.mark.parametrize(
    "written",
    [
        "SI Ramesh Kumar",
        "Ramesh Kumar SI",
        "ramesh  kumar",
        "RAMESH KUMAR",
        "Kumar, Ramesh",
        "S.I. Ramesh Kumar",
        "Sub Inspector Ramesh Kumar",
        "Sh. Ramesh Kumaar ji",
        "Shri Ramesh Kumar",
        "Mr. Ramesh Kumar",
        "रमेश कुमार",
        "उपनिरीक्षक रमेश कुमार",
        "उप निरीक्षक रमेश कुमार जी",
        "श्री रमेश कुमार",
        "एसआई रमेश कुमार",
        "दरोगा रमेश कुमार",
        "Inspector Ramesh Kumar",
        "निरीक्षक रमेश कुमार",
        "SHO Ramesh Kumar sahab",
    ],
)
def test_ranks_honorifics_case_spacing_and_order_do_not_split_an_officer(written: str) -> None:
    assert officer_key(written) == officer_key("Ramesh Kumar")


@pytest.mark.parametrize(
    "written",
    [
        "SI Ramesh",
        "रमेश",
        "ramesh",
        "Ramesh ji",
        "श्री रमेश जी",
        "ASI Ramesh",
        "A.S.I. Ramesh",
        "सहायक उपनिरीक्षक रमेश",
        "HC Ramesh",
        "H.C. Ramesh",
        "हवलदार रमेश",
        "मुख्य सिपाही रमेश",
        "Head Constable Ramesh",
        "Constable Ramesh",
        "सिपाही रमेश",
        "Ct. Ramesh",
    ],
)
def test_a_one_word_name_keeps_its_one_word(written: str) -> None:
    assert officer_key(written) == word_key("Ramesh")


def test_the_issues_four_spellings_meet_once_the_one_word_name_joins_the_longer_one() -> None:
    keys = {officer_key(t) for t in ("SI Ramesh", "Ramesh Kumar SI", "रमेश", "ramesh  kumar")}
    # Two keys: "Ramesh" is a word of "Ramesh Kumar"; the station's gathering joins them.
    assert keys == {officer_key("Ramesh"), officer_key("Ramesh Kumar")}
    assert set(officer_key("Ramesh").split()) < set(officer_key("Ramesh Kumar").split())


@pytest.mark.parametrize("written", ["", "   ", "SI", "श्री", "SHO sahab", "—", "..."])
def test_a_rank_alone_names_no_officer(written: str) -> None:
    assert officer_key(written) == ""


def test_initials_stay_part_of_a_name() -> None:
    assert officer_key("Inspector R.K. Sharma") == officer_key("RK Sharma")
    assert officer_key("S Kumar") != officer_key("Kumar")


def test_numbers_are_no_part_of_an_officers_name() -> None:
    assert officer_key("HC Mahesh 98123 98123") == officer_key("Mahesh")
    assert officer_key("Ct. Mahesh 1234") == officer_key("महेश")


def test_different_officers_keep_different_keys() -> None:
    assert officer_key("SI Ramesh Kumar") != officer_key("SI Suresh Kumar")
    assert officer_key("ASI Suresh Yadav") == officer_key("सहायक उपनिरीक्षक सुरेश यादव")


def test_a_comment_key_holds_each_words_key_once_in_order() -> None:
    assert search_key("Ramesh ne rishwat maangi. Ramesh!") == " ".join(
        [word_key("Ramesh"), word_key("ne"), word_key("rishwat"), word_key("maangi")]
    )


def test_a_query_in_any_script_finds_the_words_of_a_comment_in_another() -> None:
    comment = search_key("SI ne rishwat maangi, shikayat darj nahin ki")
    for query in ("रिश्वत", "शिकायत दर्ज", "Rishwat", "shikaayat", "DARJ nahi"[:4]):
        assert set(query_key(query).split()) <= set(comment.split()), query
    hindi = search_key("थाने में रिश्वत मांगी गई। शिकायत दर्ज नहीं हुई।")
    assert set(query_key("rishwat shikayat").split()) <= set(hindi.split())
    assert not set(query_key("chori").split()) <= set(hindi.split())


def test_contact_details_never_reach_a_comment_key() -> None:
    key = search_key("call me 98123 45678 or ramesh.k@example.com, aadhaar 1234 5678 9012")
    assert "9812345678" not in key.replace(" ", "")
    assert "98123" not in key and "45678" not in key and "1234" not in key
    assert "example" not in key and "exmpl" not in key
    assert word_key("ramesh") not in key.split()


def test_empty_text_has_an_empty_key() -> None:
    assert search_key("") == query_key("") == query_key(" ,. ") == ""


def test_keys_carry_a_version() -> None:
    assert isinstance(KEY_VERSION, int) and KEY_VERSION >= 1
