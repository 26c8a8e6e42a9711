"""LA names as people type them: fragments, misspellings, formal names, short forms."""
import pytest

from sufficiency.data import las, resolve_la
from sufficiency.data.names import everyday_name, match_la, osa_distance

# (what people typed, the LA meant): real forms seen in council papers, FOI requests and
# user reports, including the three from issue 14.
RESOLVED = [
    ("Hereford", "884"), ("County of Herefordshire", "884"), ("herefordshire", "884"),
    ("Herefordshire Council", "884"), ("Worcester", "885"), ("Worcestshire", "885"),
    ("Wiltshre", "865"), ("Wilts", "865"), ("Middlesborough", "806"), ("Glocestershire", "916"),
    ("Gloucester", "916"), ("Hull", "810"), ("Hull City Council", "810"), ("Bath", "800"),
    ("B&NES", "800"), ("Stoke on Trent", "861"), ("St Helens", "342"), ("Brighton", "846"),
    ("Southend", "882"), ("Durham", "840"), ("Telford", "894"), ("Leicstershire", "855"),
    ("Hertfordshre", "919"), ("Bristol City Council", "801"), ("Newcastle", "391"),
    ("Shropshre", "893"), ("Notts", "891"), ("BCP", "839"), ("Northants", "928"),
    ("North Northants", "940"), ("Westmoreland", "943"), ("Sommerset", "933"),
    ("Cornwal", "908"), ("Birmingam", "330"), ("Kensington", "207"),
    # exact names still win over fragments: Derby is not Derbyshire, Leicester not -shire
    ("Derby", "831"), ("Leicester", "856"), ("York", "816"), ("Bedford", "822"),
]


@pytest.mark.parametrize("typed,code", RESOLVED)
def test_real_misspellings_and_fragments_resolve(typed, code):
    assert resolve_la(typed, las()) == code


@pytest.mark.parametrize("typed,offered", [
    ("Herfordshire", ["Herefordshire", "Hertfordshire"]),   # one letter from each: ask
    ("Kingston", ["Kingston upon Hull", "Kingston upon Thames"]),
    ("Isle of White", ["Isle of Wight"]),
])
def test_ambiguous_text_is_not_guessed_but_offered(typed, offered):
    with pytest.raises(KeyError) as err:
        resolve_la(typed, las())
    message = str(err.value)
    for name in offered:
        assert repr(name) in message
    # the everyday names are offered, not "Herefordshire, County of"
    assert ", County of" not in message


def test_herefordshire_comes_first_for_its_misspelling():
    assert match_la("Herfordshire", las())["la_code"].tolist()[:2] == ["884", "919"]


def test_everyday_names():
    assert everyday_name("Herefordshire, County of") == "Herefordshire"
    assert everyday_name("Kingston upon Hull, City of") == "Kingston upon Hull"
    assert everyday_name("Bournemouth, Christchurch and Poole") == \
        "Bournemouth, Christchurch and Poole"


def test_osa_distance_known_answers():
    assert osa_distance("", "abc") == 3
    assert osa_distance("ca", "ac") == 1          # one swap
    assert osa_distance("kitten", "sitting") == 3
    assert osa_distance("abc", "abc") == 0
