"""A temporary on-disk queue of parsed rows between the checking pass and the writing pass.

Checking reads the whole file before anything is written; keeping every parsed
row in memory until then would make memory grow with the file. Rows are
pickled to a temporary file in chunks and read back in the same chunks.
"""

import pickle
import tempfile

CHUNK = 2000


class RowSpool:
    def __init__(self):
        self._file = tempfile.TemporaryFile(prefix="planportal-import-")
        self._buffer: list = []
        self.count = 0

    def add(self, row) -> None:
        self._buffer.append(row)
        self.count += 1
        if len(self._buffer) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            pickle.dump(self._buffer, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._buffer = []

    def chunks(self):
        self._flush()
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
