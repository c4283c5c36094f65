"""The WARC archive: records read back by offset, whole-folder iteration, damaged data gives ArchiveError."""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tasks.archive import ArchiveError, WarcArchive, iter_responses, pages_from_archive, read_response

FETCHED_AT = "2026-11-30T10:00:00+00:00"
HTML_HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"e1"')]


def test_write_then_read_by_offset(tmp_path: Path) -> None:
    bodies = [b"<html>first</html>", "<html>zweite Seite: Größe</html>".encode(), b"<html>" + bytes(range(256)) + b"</html>"]
    with WarcArchive(tmp_path) as archive:
        spots = [
            archive.write_response(f"https://example.org/{i}", 200, HTML_HEADERS, body, FETCHED_AT)
            for i, body in enumerate(bodies)
        ]
    assert len({path for path, _, _ in spots}) == 1
    path = Path(spots[0][0])
    assert path.parent == tmp_path and path.name.startswith("newsdesk-") and path.name.endswith(".warc.gz")
    for i, ((where, offset, length), body) in enumerate(zip(spots, bodies)):
        stored = read_response(where, offset)
        assert stored.body == body and stored.status == 200 and stored.url == f"https://example.org/{i}"
        assert stored.fetched_at is not None and stored.fetched_at.startswith("2026-11-30T10:00:00")
        assert length > 0
    # offsets and lengths delimit whole gzip members: slicing one out gives a readable single-record WARC
    where, offset, length = spots[1]
    member = path.read_bytes()[offset : offset + length]
    assert b"zweite Seite" in gzip.decompress(member)


def test_transfer_headers_are_dropped_and_length_fixed(tmp_path: Path) -> None:
    headers = [*HTML_HEADERS, ("Content-Encoding", "gzip"), ("Content-Length", "12"), ("Transfer-Encoding", "chunked")]
    with WarcArchive(tmp_path) as archive:
        path, offset, _ = archive.write_response("https://example.org/", 200, headers, b"<p>decoded</p>", FETCHED_AT)
    stored = read_response(path, offset)
    names = [name.lower() for name, _ in stored.headers]
    assert "content-encoding" not in names and "transfer-encoding" not in names
    assert dict((k.lower(), v) for k, v in stored.headers)["content-length"] == "14"
    assert stored.body == b"<p>decoded</p>"


def test_request_records_accompany_responses(tmp_path: Path) -> None:
    with WarcArchive(tmp_path) as archive:
        path, _, _ = archive.write_response("https://example.org/a?b=1", 404, HTML_HEADERS, b"nope", FETCHED_AT)
    with open(path, "rb") as handle:
        kinds = [(record.rec_type, record.rec_headers.get_header("WARC-Target-URI")) for record in ArchiveIterator(handle)]
    assert kinds == [("response", "https://example.org/a?b=1"), ("request", "https://example.org/a?b=1")]
    assert read_response(path, 0).status == 404


def test_each_record_is_its_own_gzip_member(tmp_path: Path) -> None:
    """Records are compressed one by one (not by warcio): each gzip member must hold exactly one record, the
    response's length must end where its request record starts, and both must read as a normal WARC."""
    import zlib

    body = b"<html>" + b"Port Calder harbour news. " * 400 + b"</html>"
    with WarcArchive(tmp_path) as archive:
        first = archive.write_response("https://example.org/1", 200, HTML_HEADERS, body, FETCHED_AT)
        second = archive.write_response("https://example.org/2", 200, HTML_HEADERS, body, FETCHED_AT)
    data = Path(first[0]).read_bytes()
    members, start = [], 0
    while start < len(data):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        text = inflater.decompress(data[start:])
        members.append((start, text))
        start = len(data) - len(inflater.unused_data)
    assert [text.count(b"WARC/1.1\r\n") for _, text in members] == [1, 1, 1, 1]
    assert [b"WARC-Type: response" in text for _, text in members] == [True, False, True, False]
    assert first[1] == 0 and first[1] + first[2] == members[1][0] and second[1] == members[2][0]
    assert second[1] + second[2] == members[3][0]
    assert len(data) < len(body)  # compressed, not stored
    assert read_response(*second[:2]).body == body
    # the CPU spent writing is counted for the run's "archive" stage (the writes run in the fetch's worker threads)
    assert archive.cpu_seconds > 0


def test_iter_responses_walks_every_file(tmp_path: Path) -> None:
    written = []
    for batch in range(2):
        with WarcArchive(tmp_path) as archive:
            for i in range(3):
                url = f"https://example.org/{batch}/{i}"
                written.append((url, *archive.write_response(url, 200, HTML_HEADERS, url.encode(), FETCHED_AT)))
    found = list(iter_responses(tmp_path))
    assert len({r.path for r in found}) == 2  # one file per writer
    assert sorted((r.url, r.path, r.offset, r.length) for r in found) == sorted(written)
    assert all(r.body == r.url.encode() for r in found)


def test_empty_archive_writes_no_file(tmp_path: Path) -> None:
    WarcArchive(tmp_path / "warc").close()
    assert not (tmp_path / "warc").exists()
    assert list(iter_responses(tmp_path)) == []


def test_concurrent_writers_from_threads(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    spots: list[tuple[str, tuple[str, int, int]]] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        for i in range(20):
            url = f"https://example.org/{worker}/{i}"
            spot = archive.write_response(url, 200, HTML_HEADERS, url.encode() * 50, FETCHED_AT)
            with lock:
                spots.append((url, spot))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    archive.close()
    assert len(spots) == 80
    for url, (path, offset, _) in spots:
        assert read_response(path, offset).body == url.encode() * 50


def _one_record(tmp_path: Path, body: bytes = b"<html>" + b"x" * 2000 + b"</html>") -> tuple[str, int, int]:
    with WarcArchive(tmp_path) as archive:
        archive.write_response("https://example.org/", 200, HTML_HEADERS, b"<html>first</html>", FETCHED_AT)
        return archive.write_response("https://example.org/2", 200, HTML_HEADERS, body, FETCHED_AT)


def test_bad_offset_raises_archive_error(tmp_path: Path) -> None:
    path, offset, _ = _one_record(tmp_path)
    with pytest.raises(ArchiveError, match="offset"):
        read_response(path, offset + 7)
    with pytest.raises(ArchiveError, match="outside the file"):
        read_response(path, 10**9)


def test_request_record_offset_is_not_a_response(tmp_path: Path) -> None:
    path, offset, length = _one_record(tmp_path)
    with pytest.raises(ArchiveError, match="'request' record"):
        read_response(path, offset + length)


def test_missing_file_raises_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not found"):
        read_response(tmp_path / "nope.warc.gz", 0)


def test_truncated_record_raises_archive_error(tmp_path: Path) -> None:
    path, offset, length = _one_record(tmp_path)
    data = Path(path).read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: offset + length // 2])
    with pytest.raises(ArchiveError):
        read_response(cut, offset)


def test_corrupted_body_raises_archive_error(tmp_path: Path) -> None:
    # Rewrite one record with a flipped body byte inside a valid gzip member: only the digest can notice.
    path, offset, length = _one_record(tmp_path)
    member = gzip.decompress(Path(path).read_bytes()[offset : offset + length])
    spot = member.rindex(b"x")
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(gzip.compress(member[:spot] + b"y" + member[spot + 1 :]))
    with pytest.raises(ArchiveError, match="damaged"):
        read_response(damaged, 0)


def test_pages_from_archive_rebuilds_results_and_reports_problems(tmp_path: Path) -> None:
    body = '<html><head><meta charset="windows-1252"></head><body>café</body></html>'.encode("cp1252")
    with WarcArchive(tmp_path) as archive:
        page = archive.write_response("https://example.org/final", 200, [("Content-Type", "text/html")], body, FETCHED_AT)
        error = archive.write_response("https://example.org/e", 500, HTML_HEADERS, b"oops", FETCHED_AT)
        image = archive.write_response("https://example.org/i", 200, [("Content-Type", "image/png")], b"\x89PNG", FETCHED_AT)
    results = pages_from_archive(
        [
            ("https://example.org/start", page[0], page[1]),
            ("https://example.org/e", error[0], error[1]),
            ("https://example.org/i", image[0], image[1]),
            ("https://example.org/x", str(tmp_path / "missing.warc.gz"), 0),
            ("https://example.org/y", page[0], page[1] + 3),
        ]
    )
    loaded, failed_status, not_html, missing, bad_offset = results
    assert loaded.outcome == "loaded" and "café" in loaded.text and loaded.charset == "cp1252"
    assert loaded.url == "https://example.org/start" and loaded.final_url == "https://example.org/final"
    assert loaded.warc_path == page[0] and loaded.warc_offset == page[1] and loaded.n_bytes == len(body)
    assert failed_status.outcome == "failed" and "500" in failed_status.reason
    assert not_html.outcome == "failed" and not_html.reason == "not HTML: image/png"
    assert missing.outcome == "failed" and "not found" in missing.reason
    assert bad_offset.outcome == "failed" and bad_offset.reason


def test_non_ascii_url_and_header_values_are_archived(tmp_path: Path) -> None:
    with WarcArchive(tmp_path) as archive:
        headers = [("Content-Type", "text/html"), ("X-Name", "caf\xe9")]
        path, offset, _ = archive.write_response("https://bücher.example/straße?q=ü", 200, headers, b"<p>x</p>", "")
    stored = read_response(path, offset)
    assert stored.url == "https://bücher.example/straße?q=ü" and stored.body == b"<p>x</p>"
    assert [r.url for r in iter_responses(tmp_path)] == [stored.url]


def test_a_damaged_archive_gives_back_every_other_page_and_names_each_damaged_record(tmp_path: Path) -> None:
    """A corrupt gzip member in the middle, a truncated one at the end of the file, a file gone: each is a failure
    naming its file and offset, and every other record still reads back whole."""
    bodies = [f"<html><body><p>story {i} ".encode() + bytes(range(256)) * 8 + b"</p></body></html>" for i in range(5)]
    with WarcArchive(tmp_path / "a") as archive:
        first = [archive.write_response(f"https://example.org/{i}", 200, HTML_HEADERS, body, FETCHED_AT)
                 for i, body in enumerate(bodies[:4])]
    with WarcArchive(tmp_path / "b") as archive:
        gone = archive.write_response("https://example.org/4", 200, HTML_HEADERS, bodies[4], FETCHED_AT)
    Path(gone[0]).unlink()
    path = first[0][0]
    data = bytearray(Path(path).read_bytes())
    _, corrupt_at, corrupt_length = first[1]
    for spot in range(corrupt_at + corrupt_length // 2, corrupt_at + corrupt_length // 2 + 4):
        data[spot] ^= 0x5A  # compressed bytes: the gzip member no longer inflates (or fails its CRC)
    _, cut_at, cut_length = first[3]
    Path(path).write_bytes(bytes(data[: cut_at + cut_length // 2]))  # the disk filled up mid-record

    entries = [(f"https://example.org/{i}", p, offset) for i, (p, offset, _) in enumerate([*first, gone])]
    results = pages_from_archive(entries)
    assert [r.outcome for r in results] == ["loaded", "failed", "loaded", "failed", "failed"]
    assert results[0].n_bytes == len(bodies[0]) and results[2].n_bytes == len(bodies[2])
    assert f"{path} at offset {corrupt_at}: corrupt gzip member" in results[1].reason
    assert f"{path} at offset {cut_at}: truncated gzip member" in results[3].reason  # not a short body, loaded
    assert gone[0] in results[4].reason and f"offset {gone[1]}" in results[4].reason
    assert [(r.warc_path, r.warc_offset) for r in results] == [(p, offset) for _, p, offset in entries]
