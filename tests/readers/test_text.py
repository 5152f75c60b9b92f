"""Reading: encodings, line endings, and the metadata forms of the genre notes."""
from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.readers.text import decode, read_report, report_id

from tests.conftest import FIXTURES


@pytest.mark.parametrize(
    "encode, encoding",
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
        (lambda t: t.encode("gb18030"), "gb18030"),
        (lambda t: t.encode("gbk"), "gb18030"),
        (lambda t: t.encode("utf-16"), "utf-16-le-sig"),
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path, encode, encoding):
    original = (FIXTURES / "structure-a-county.txt").read_text(encoding="utf-8")
    path = tmp_path / "report.txt"
    path.write_bytes(encode(original))
    meta, text = read_report(path)
    assert text == original
    assert meta.encoding == encoding


def test_crlf_is_kept_so_offsets_index_the_file(tmp_path):
    original = (FIXTURES / "structure-a-county.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "crlf.txt"
    path.write_bytes(original.encode("utf-8"))
    meta, text = read_report(path)
    assert "\r\n" in text and text == original


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \n\r\n\t", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"\xe6\xb3\x95\xff\xfe\xfa\x80\x80 text", "undecodable"),
    ],
)
def test_bad_bytes_raise_one_clear_error(tmp_path, data, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_report(path)
    assert str(path) in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_report(tmp_path / "absent.txt")
    with pytest.raises(InputError, match="folder"):
        read_report(tmp_path)


def test_decode_prefers_utf8_over_gb18030():
    text = "法治政府建设"
    assert decode(text.encode("utf-8")) == (text, "utf-8")


@pytest.mark.parametrize(
    "stem, expected",
    [("puyang-2024", "puyang-2024"), ("report_2023.v2", "report_2023.v2")],
)
def test_report_id_keeps_ascii_names(tmp_path, stem, expected):
    assert report_id(tmp_path / f"{stem}.txt") == expected


def test_report_id_of_chinese_names_is_stable_and_distinct(tmp_path):
    a = report_id(tmp_path / "青禾县2024年报告.txt")
    b = report_id(tmp_path / "青禾县2023年报告.txt")
    assert a == report_id(tmp_path / "other" / "青禾县2024年报告.txt")
    assert a != b and a.isascii() and b.isascii()


# --- encodings the cheap rules decide, and the ones charset-normalizer decides ---------------

def _fixture_texts():
    import glob

    return [open(path, encoding="utf-8").read() for path in sorted(glob.glob(str(FIXTURES / "*.txt")))]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text_not_binary(tmp_path, codec):
    original = (FIXTURES / "structure-a-county.txt").read_text(encoding="utf-8")
    path = tmp_path / "report.txt"
    path.write_bytes(original.encode(codec))
    meta, text = read_report(path)
    assert (text, meta.encoding) == (original, codec)


def test_gb18030_and_big5_are_told_apart_on_every_fixture():
    import opencc

    to_traditional = opencc.OpenCC("s2tw")
    wrong = []
    for original in _fixture_texts():
        traditional = to_traditional.convert(original)
        cases = [(original.encode("gb18030"), original, "gb18030")]
        try:
            cases.append((traditional.encode("big5"), traditional, "big5"))
        except UnicodeEncodeError:  # a character outside Big5 (such as 〇): try the Hong Kong set
            cases.append((traditional.encode("big5hkscs"), traditional, "big5hkscs"))
        for data, text, encoding in cases:
            if decode(data) != (text, encoding):
                wrong.append((text[:12], encoding, decode(data)[1]))
    assert not wrong


def test_a_declared_charset_that_lies_is_overruled():
    data = "柳溪县法治政府建设".encode("gbk")
    assert decode(data, declared="utf-8") == ("柳溪县法治政府建设", "gb18030")


# --- paths that are not regular files (issue 17) ----------------------------------------------

def test_a_fifo_is_refused_at_once(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="named pipe"):
        read_report(fifo)  # never opened for reading: it would block until a writer came


def test_a_symlink_loop_is_named_as_such(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="symbolic link loop"):
        read_report(loop)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(InputError, match="broken symbolic link"):
        read_report(dangling)


def test_messages_name_the_path_as_given_with_control_characters_escaped(tmp_path, monkeypatch):
    from kg.readers import read_document

    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    with pytest.raises(InputError) as info:
        read_document("./sub/../absent.txt")
    assert str(info.value) == "./sub/../absent.txt: no such file"
    with pytest.raises(InputError) as info:
        read_document("bad\nname\x1b.txt")
    assert str(info.value).startswith("bad\\nname\\x1b.txt: ") and "\n" not in str(info.value)


def test_a_file_in_two_encodings_is_refused_rather_than_garbled(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("某县2023年度法治政府建设工作报告\n".encode("utf-8") + "受理行政复议案件12件。\n".encode("gbk"))
    with pytest.raises(InputError, match="mixed encodings: UTF-8 up to byte 47"):
        read_report(path)


def test_gbk_text_is_not_taken_for_a_mixture(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("某县2023年度法治政府建设工作报告\n受理行政复议案件12件。\n".encode("gbk"))
    assert read_report(path)[1].startswith("某县2023年度")
