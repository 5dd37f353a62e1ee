from importers import spool as spool_module
from importers.spool import RowSpool


def test_rows_come_back_in_order_in_chunks_from_memory_and_disk(monkeypatch):
    monkeypatch.setattr(spool_module, "IN_MEMORY", 5)
    monkeypatch.setattr(spool_module, "CHUNK", 3)
    with RowSpool() as spool:
        for i in range(11):
            spool.add(("row", i))
        chunks = list(spool.chunks())
        assert spool._file is not None  # past IN_MEMORY rows went to disk
    assert [len(c) for c in chunks] == [3, 2, 3, 3]
    assert [row[1] for chunk in chunks for row in chunk] == list(range(11))


def test_a_small_file_never_touches_the_disk():
    with RowSpool() as spool:
        spool.add("only")
        assert list(spool.chunks()) == [["only"]] and spool._file is None
