"""A queue of parsed rows between the checking pass and the writing pass.

Checking reads the whole file before anything is written; keeping every parsed
row of a large file in memory until then would make memory grow with the file.
The first rows stay in memory (an annex is a few hundred rows; pickling them
would only cost time); past IN_MEMORY rows, they are pickled to a temporary file
in chunks and read back in the same chunks, so memory stays bounded.
"""

import pickle
import tempfile

CHUNK = 2000
IN_MEMORY = 5_000


class RowSpool:
    def __init__(self):
        self._file = None
        self._kept: list = []  # the first IN_MEMORY rows
        self._buffer: list = []
        self.count = 0

    def add(self, row) -> None:
        self.count += 1
        if self.count <= IN_MEMORY:
            self._kept.append(row)
            return
        self._buffer.append(row)
        if len(self._buffer) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="planportal-import-")
            pickle.dump(self._buffer, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._buffer = []

    def chunks(self):
        for start in range(0, len(self._kept), CHUNK):
            yield self._kept[start:start + CHUNK]
        self._flush()
        if self._file is None:
            return
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
