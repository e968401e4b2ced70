"""Pure parts of the automatic checks: the term filter, the FFmpeg log reader, the builders."""

from __future__ import annotations

import pytest

from moderation import fingerprints, technical, terms
from moderation.models import FilterTerm

LISTS = {"violence": ["bomb", "tear gas"], "zh": ["炸弹", "暴乱"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A BOMB at the market", [("title", "bomb", "violence")]),
        ("Bombay traffic", []),
        ("the bomb-squad arrived", [("title", "bomb", "violence")]),
        ("police fired Tear   Gas", [("title", "tear gas", "violence")]),
        ("市场发现炸弹", [("title", "炸弹", "zh")]),
        ("这是bomb现场", [("title", "bomb", "violence")]),
        ("和平集会", []),
        ("", []),
    ],
)
def test_terms_match_whole_words_case_blind_in_english_and_chinese(text, expected):
    # when
    found = terms.find_terms(fields={"title": text}, lists=LISTS)
    # then
    assert [(m.field, m.term, m.list_name) for m in found] == expected


@pytest.mark.django_db
def test_term_lists_join_the_setting_and_the_admin_terms(settings):
    # given
    settings.MODERATION_TERM_LISTS = {"default": ["riot"]}
    FilterTerm.objects.create(list_name="default", term="looting")
    FilterTerm.objects.create(list_name="zh", term="暴乱")
    # when
    lists = terms.term_lists()
    # then
    assert lists == {"default": ["riot", "looting"], "zh": ["暴乱"]}


BLACK_LOG = """
  Duration: 00:00:04.00, start: 0.000000, bitrate: 12 kb/s
  Stream #0:1[0x2](und): Audio: aac (LC), 48000 Hz, mono, fltp, 1 kb/s (default)
[silencedetect @ 0x1] silence_start: 0
[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 0
[blackdetect @ 0x3] black_start:0 black_end:3.96 black_duration:3.96
[silencedetect @ 0x1] silence_end: 4.01067 | silence_duration: 4.01067
"""


def test_technical_log_of_a_black_silent_frozen_clip():
    # when
    report = technical.parse_technical(BLACK_LOG)
    flags = technical.technical_flags(report, short_seconds=3.0, share=0.5)
    # then
    assert report.as_dict() == {
        "duration": 4.0,
        "black": 3.96,
        "frozen": 4.0,
        "silent": 4.0,
        "has_audio": True,
    }
    assert flags == ["black", "frozen", "silent"]


def test_technical_log_without_audio_is_silent_and_short():
    # given
    log = "  Duration: 00:00:02.50, start: 0.000000\n  Stream #0:0: Video: h264\n"
    # when
    report = technical.parse_technical(log)
    # then
    assert (report.duration, report.silent, report.has_audio) == (2.5, 2.5, False)
    assert technical.technical_flags(report, short_seconds=3.0, share=0.5) == ["short", "silent"]


def test_command_builders():
    assert technical.technical_command(ffmpeg="ff", path="/m/a.mp4") == [
        "ff",
        "-hide_banner",
        "-nostats",
        "-nostdin",
        "-i",
        "/m/a.mp4",
        "-vf",
        "blackdetect=d=0.5:pix_th=0.10,freezedetect=n=0.003:d=1",
        "-af",
        "silencedetect=n=-50dB:d=1",
        "-f",
        "null",
        "-",
    ]
    assert fingerprints.fingerprint_command(ffmpeg="ff", path="a.mp4", fps=2.0)[-6:] == [
        "-an",
        "-vf",
        "fps=2,scale=9:8:flags=area,format=gray",
        "-f",
        "rawvideo",
        "-",
    ]


def test_dhash_and_packing():
    # given: a frame brighter on the left in every row
    frame = bytes(range(200, 200 - 9, -1)) * 8
    # when
    value = fingerprints.dhash(frame)
    # then
    assert value == 2**64 - 1
    assert fingerprints.unpack(fingerprints.pack([value, 5])) == [value, 5]


def test_flat_frames_never_match():
    # given: all-black frames hash to 0
    black = [0, 0, 0, 0]
    # when / then
    assert fingerprints.match_score(black, black, max_distance=10) == 0.0
