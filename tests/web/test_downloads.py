from pathlib import Path

from web.downloads import download_file


def test_downloads_share_one_folder_and_keep_their_names():
    first = Path(download_file("日期,提问\n2025-03-01,3\n", "每日统计.csv", "utf-8-sig"))
    second = Path(download_file(b"PK\x03\x04", "每日统计.csv"))
    assert first.name == second.name == "每日统计.csv" and first != second  # same name, no clash
    assert first.parent.parent == second.parent.parent  # one folder per process, removed at exit
    assert first.read_bytes().startswith(b"\xef\xbb\xbf") and "2025-03-01" in first.read_text("utf-8-sig")
    assert second.read_bytes() == b"PK\x03\x04"
