"""Name normalisation and speaker profiles (pure)."""

from __future__ import annotations

import pytest

from service.registry.names import alias_rows, name_key, org_parts, profile, role_key, strip_titles


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kim Jong Un", "Kim Jong-un"),
        ("Volodymyr Zelenskyy", "Volodymyr Zelensky"),
        ("Volodymyr Zelenskiy", "Volodymyr Zelensky"),
        ("José Martí", "Jose Marti"),
        ("LLOYD AUSTIN", "Lloyd Austin"),
    ],
)
def test_name_key_folds_variants(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_name_key_keeps_different_names_apart() -> None:
    assert name_key("Kim Jong Un") != name_key("Kim Yo Jong")
    assert name_key("John Kirby") != name_key("Jane Kirby")


def test_strip_titles() -> None:
    assert strip_titles("Defense Secretary Lloyd Austin") == ("Lloyd Austin", "Defense Secretary")
    assert strip_titles("President Zelensky") == ("Zelensky", "President")
    assert strip_titles("Kirby") == ("Kirby", "")


@pytest.mark.parametrize(
    "title", ["Secretary of Defense", "Defense Secretary", "U.S. Defence Secretary", "the Defense Secretary"]
)
def test_role_key(title: str) -> None:
    assert role_key(title) == "defense secretary"


def test_org_country_qualifier_forms_agree() -> None:
    forms = [
        "South Korean National Intelligence Service",
        "South Korea's National Intelligence Service",
        "the South Korean National Intelligence Service",
    ]
    assert {org_parts(f) for f in forms} == {("south korea", "national intelligence service")}
    assert org_parts("National Intelligence Service") == (None, "national intelligence service")
    # Different countries' ministries never share a key.
    assert org_parts("Russian Defense Ministry") != org_parts("Ukrainian Defense Ministry")


def test_person_profile() -> None:
    p = profile("Defense Secretary Lloyd Austin", "person", ("Austin",), ())
    assert p is not None
    assert p.display == "Lloyd Austin"
    assert p.key == "lloyd austin"
    assert "austin" in p.short_keys
    assert "defense secretary" in p.role_keys
    rows = alias_rows(p)
    assert ("Austin", "austin", "surname") in rows


def test_east_asian_short_form_is_the_family_name() -> None:
    p = profile("Cho Tae-yong")
    assert p is not None and p.short_keys == ("cho",)


def test_surname_only_and_role_only_profiles() -> None:
    p = profile("Kirby")
    assert p is not None and p.key == "" and p.short_keys == ("kirby",) and not p.full_keys
    r = profile("the Defense Secretary")
    assert r is not None and r.key == "" and r.role_keys == ("defense secretary",)
    assert profile("") is None


def test_unknown_kind_guessed_from_organisation_words() -> None:
    p = profile("White House", "unknown")
    assert p is not None and p.kind == "organization" and p.key == "white house"


def test_middle_initials_and_suffixes() -> None:
    from service.registry.names import initials_compatible, plain_key

    assert plain_key("Lloyd J. Austin III") == plain_key("Lloyd Austin") == "lloyd austin"
    assert initials_compatible("Donald J. Trump", "Donald Trump")
    assert not initials_compatible("George W. Bush", "George H. W. Bush")


def test_article_aliases_of_other_people_are_dropped() -> None:
    from service.registry.names import same_person_forms

    p = profile("Chelsea Clinton", "person", ("Clinton", "Hillary Clinton", "Obama"))
    assert p is not None
    assert p.full_keys == ("chelsea clinton", "chelseaclinton")
    assert p.short_keys == ("clinton",)
    assert same_person_forms("Sergey Lavrov", "Sergei Lavrov")
    assert same_person_forms("Kim Jong-un", "Kim Jong Un")
    assert not same_person_forms("Kim Jong Un", "Kim Yo Jong")
    # The registry is trusted: its aliases are kept as given.
    r = profile("Antony Blinken", "person", ("Tony Blinken",), trusted=True)
    assert r is not None and "tony blinken" in r.full_keys


def test_middle_names_give_a_first_last_key():
    from service.registry.names import first_last_key

    assert first_last_key("Hillary Rodham Clinton") == "hillary clinton"
    assert "hillary clinton" in profile("Hillary Rodham Clinton").full_keys
    assert first_last_key("Hillary Clinton") == ""
    assert first_last_key("Lloyd J. Austin III") == ""  # initials and suffixes: plain_key's job
    assert first_last_key("Kim Jong Un") == ""  # family name first
