"""Unit and golden tests of furniture cleaning (service.text.clean) on real seed lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.text.clean import clean_text, furniture_spans

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DOUBLE_QUOTES = set('"“”')


def dropped(text: str) -> list[str]:
    return [text[s:e].strip() for s, e in furniture_spans(text)]


def kept_lines(text: str) -> list[str]:
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


PROSE = "Kirby said the troops were sent by ship, according to officials on Wednesday."
LEAD = "North Korean troops have deployed to Russia and may join the fight against Ukraine, officials said."
QUOTE = "“We assess that North Korea moved at least 3,000 soldiers into eastern Russia,” he said."


@pytest.mark.parametrize(
    "line",
    [
        "- Advertisement -",
        "Story continues below advertisement",
        "Article Continued Below",
        "With files from The Associated Press",
        "(Reporting by Jane Doe in Seoul; Editing by Jon Boyle)",
        "Go to contents",
        "한국어",
        "Oct 23, 2024\xa0-\xa016:28",
        "\xa00 \xa00",
        "Posted October. 25, 2024 08:24,\xa0\xa0\xa0",
        "Updated October. 25, 2024 08:24",
        "© The Asia Business Daily(www.asiae.co.kr). All rights reserved.",
        "BY YOUNGNAM KIM [kim.youngnam@koreadaily.com]",
        "Eun-A Cho achim@donga.com · Ji-Sun Choi aurinko@donga.com · Kyu-Jin Shin newjin@donga.com",
        "MATT WALSH’S ‘AM I RACIST?’ COMING TO DAILYWIRE+\xa0OCT. 28",
        "READ MORE: Sextortion scam uses old passwords to extort money from victims",
        "By signing up, you agree to our Terms of Service and Privacy Policy.",
        "This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service apply.",
        "WATCH: Scheer receives warm welcome at oil rally",
        "North Korean special forces marching in the 2017 military parade. [Rodong Sinmun]",
        "Video appears to show North Korean soldiers receiving uniforms and equipment at a Russian "
        "training base [Ukrainian Center for Strategic Communication and Information Security]",
        "Russian President Vladimir Putin and North Korean leader Kim Jong-un ride together in a luxury "
        "car during Putin’s visit to Pyongyang in 2024. [YONHAP]",
    ],
)
def test_whole_line_furniture_is_dropped(line: str) -> None:
    text = f"{PROSE}\n\n{line}\n\n{QUOTE}\n"
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    assert cleaned.split("\n")[2].strip() == ""
    assert kept_lines(text) == [PROSE, QUOTE]


def test_header_weather_place_and_date_at_top() -> None:
    text = "71.8 F\nLos Angeles\nThursday, October 24, 2024\n\nWhite House confirms deployment\n\n" + PROSE
    assert dropped(text) == ["71.8 F", "Los Angeles", "Thursday, October 24, 2024"]
    assert kept_lines(text) == ["White House confirms deployment", PROSE]


def test_short_title_line_without_dateline_is_kept() -> None:
    text = "Los Angeles\n\n" + PROSE
    assert dropped(text) == []


def test_reaction_widget_and_bio_after_it() -> None:
    words = "\n\n".join(["like", "dislike", "love", "funny", "angry", "sad", "wow"])
    bio = "Fibis I am just an average American. My teen years were in the late 70s."
    text = f"{QUOTE}\n\nWhat's Your Reaction?\n\n{words}\n\n{bio}"
    assert kept_lines(text) == [QUOTE]
    assert clean_text(text).count("\n") == text.count("\n")


def test_caption_credit_after_a_quote_drops_only_the_credit() -> None:
    line = "“We will respond,” the minister said at the parade. [YONHAP]"
    text = f"{PROSE}\n{line}\n"
    assert dropped(text) == ["[YONHAP]"]
    assert kept_lines(text)[1] == "“We will respond,” the minister said at the parade."


@pytest.mark.parametrize(
    "line",
    [
        "Kirby said it was too early to assess the impact on the war. [YONHAP]",
        "The troops moved by ship. They then went on to training sites in Russia. [Reuters]",
    ],
)
def test_paragraph_ending_with_a_credit_keeps_its_prose(line: str) -> None:
    text = f"{PROSE}\n{line}\n"
    assert dropped(text) == [line[line.index("[") :]]


def test_bracketed_source_in_list_items_is_kept() -> None:
    text = "-One poll shows Ted Cruz 16 points ahead of Trump in Indiana. [IPFW]\n" + PROSE
    assert dropped(text) == []


def test_inline_brackets_are_kept() -> None:
    text = "He said the group [Hamas] had agreed [to the deal] and more.\n“It was [sic] good,” he said."
    assert dropped(text) == []


def test_repeated_headline_keeps_first() -> None:
    head = "White House warns against N. Korean military presence in Ukraine"
    text = f"{head}\n\n{head}\n\n{PROSE}"
    spans = furniture_spans(text)
    assert spans == [(len(head) + 2, 2 * len(head) + 2)]


def test_teaser_paragraph_repeated_later_is_dropped_and_later_kept() -> None:
    teaser = LEAD
    text = f"Headline here\n\n{teaser}\n\n{PROSE}\n\n{teaser}\n\n{QUOTE}"
    spans = furniture_spans(text)
    assert len(spans) == 1 and spans[0][0] == text.index(teaser)
    assert kept_lines(text) == ["Headline here", PROSE, teaser, QUOTE]


def test_truncated_teaser_with_ellipsis_is_dropped() -> None:
    full = LEAD
    teaser = full + " The confirmation from U.S. officials came after South Korea and Ukraine ..."
    text = f"Headline\n\n{teaser}\n\n{full}\n\n{QUOTE}"
    assert dropped(text) == [teaser]


def test_repeated_paragraphs_further_down_are_kept() -> None:
    # Live blogs repeat whole entries; both copies are article text.
    text = "\n\n".join([PROSE + " One.", PROSE + " Two.", PROSE + " Three.", QUOTE, PROSE + " Four.", QUOTE])
    assert dropped(text) == []


@pytest.mark.parametrize(
    "line",
    [
        "8. WHERE OBAMA PLANS TO CREATE WORLD’S LARGEST MARINE PROTECTED AREA.",
        "“FAKE NEWS IS THE ENEMY OF THE PEOPLE!” he wrote.",
        "“NO COLLUSION!”",
        "By Tuesday, the president had said he would not attend the summit in Vienna.",
        "By Tuesday, officials said the flood had receded.",
        "By signing the deal, Smith said he had secured jobs.",
        "The company updated its privacy policy, regulators said.",
        "Posted in the late evening, the message said the talks had failed.",
        "More than 3,000 soldiers have been moved, said Kirby.",
        "Watch what happens next, he warned.",
        "Reporting by The Times found that he had not paid taxes.",
    ],
)
def test_prose_lookalikes_are_kept(line: str) -> None:
    assert dropped(f"{PROSE}\n{line}\n") == []


def test_quote_marks_and_characters_are_never_altered() -> None:
    text = '“Hi,” she said. ‘Hello’ "plain" «guillemets»\n- Advertisement -\nEnd.'
    cleaned = clean_text(text)
    for a, b in zip(text, cleaned, strict=True):
        assert b == a or (b == " " and a != "\n")


# Golden: the five seed articles. Expected furniture lines per seed (stripped).
EXPECTED_DROPS = {
    "000_1a13374b1e856f69.txt": ["© The Asia Business Daily(www.asiae.co.kr). All rights reserved."],
    "001_7ec3531b599a895f.txt": [
        "71.8 F",
        "Los Angeles",
        "Thursday, October 24, 2024",
        "- Advertisement -",
        "Video appears to show North Korean soldiers receiving uniforms and equipment at a Russian "
        "training base [Ukrainian Center for Strategic Communication and Information Security]",
        "North Korean special forces marching in the 2017 military parade. [Rodong Sinmun]",
        "Russian President Vladimir Putin and North Korean leader Kim Jong-un ride together in a luxury "
        "car during Putin’s visit to Pyongyang in 2024. [YONHAP]",
        "BY YOUNGNAM KIM [kim.youngnam@koreadaily.com]",
    ],
    "002_57623772aa3dea69.txt": [
        "<teaser>",
        "Oct 23, 2024\xa0-\xa016:28",
        "0 \xa00",
        "North Korea Deploys Troops To Russia, Setting Off Alarms In The West",
        "MATT WALSH’S ‘AM I RACIST?’ COMING TO DAILYWIRE+\xa0OCT. 28",
        "<reactions>",
    ],
    "003_c9b2d78d39c850c7.txt": [
        "Go to contents",
        "White House warns against N. Korean military presence in Ukraine",
        "Posted October. 25, 2024 08:24,",
        "Updated October. 25, 2024 08:24",
        "한국어",
        "Eun-A Cho achim@donga.com · Ji-Sun Choi aurinko@donga.com · Kyu-Jin Shin newjin@donga.com",
    ],
    "004_e884e283309fbe3d.txt": [],
}


def read_seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(EXPECTED_DROPS))
def test_seed_furniture_golden(name: str) -> None:
    text = read_seed(name)
    got = dropped(text)
    expected = EXPECTED_DROPS[name]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        if e == "<teaser>":
            assert g.startswith("North Korean troops have deployed") and g.endswith("...")
        elif e == "<reactions>":
            assert g.startswith("What's Your Reaction?") and "Fibis I am just an average American" in g
        else:
            assert g == e


@pytest.mark.parametrize("name", sorted(EXPECTED_DROPS))
def test_seed_quote_paragraphs_are_kept_whole(name: str) -> None:
    text = read_seed(name)
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    quote_lines = 0
    for orig, new in zip(text.split("\n"), cleaned.split("\n"), strict=True):
        if DOUBLE_QUOTES & set(orig):
            quote_lines += 1
            assert new == orig
    assert quote_lines >= 3
    assert clean_text(cleaned) == cleaned


def test_seed_headline_first_copy_is_kept() -> None:
    text = read_seed("003_c9b2d78d39c850c7.txt")
    head = "White House warns against N. Korean military presence in Ukraine"
    first = text.index(head)
    assert clean_text(text)[first : first + len(head)] == head
