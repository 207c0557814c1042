"""Uploaded spreadsheets are read in a child process with hard limits, so a hostile file can only kill the child.

The parent starts ``python -m emergency.spreadsheets.sandbox`` and writes the file to its stdin. The child sets
its own limits first (address space ``RLIMIT_AS``, CPU time ``RLIMIT_CPU``, no core file), reads the file with
``reader.read_here`` and streams frames back on stdout: the sheet names, then each sheet's rows in chunks and an
end mark, or a problem message. The parent counts the time it waits for the child against the wall-time limit
and kills it past that. A child that dies (the Rust reader aborts when an allocation fails, the kernel stops it
at the CPU limit) ends the read with 文件超出处理上限或已损坏, and the web worker goes on serving.

Frames are a 4-byte length and a pickle; the parent unpickles them with an unpickler that admits only the
datetime types, so even a child taken over by a hostile file cannot make the parent run code.
"""
import datetime
import io
import json
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import time
import weakref
from pathlib import Path

from emergency.spreadsheets.problems import FileProblem

ROOT = Path(__file__).resolve().parents[2]
HEADER = struct.Struct(">I")
CHUNK_ROWS = 1000
MAX_FRAME = 256 * 1024 * 1024
SAFE_GLOBALS = {("datetime", name) for name in ("datetime", "date", "time", "timedelta", "timezone")}


def limit_message(limits):
    return (f"文件超出处理上限或已损坏，无法读取（读取时限 {limits['reader_wall_seconds']} 秒、"
            f"内存 {limits['reader_memory_mb']} MB）：请在Excel中打开，删除多余的行列后另存为 .xlsx，再导入")


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in SAFE_GLOBALS:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed from the reader process")


class SandboxedRead:
    """One child process reading one file; sheets are read in order through ``rows(position)``."""

    def __init__(self, data, kind, limits):
        self.limits, self.waited, self.position = limits, 0.0, 0
        env = {key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL", "TZ")}
        env["RUST_BACKTRACE"] = "0"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "emergency.spreadsheets.sandbox", kind, json.dumps(limits)], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._finalizer = weakref.finalize(self, _stop, self.process)
        try:
            self.process.stdin.write(data)
            self.process.stdin.close()
        except OSError:     # the child died before reading all of it: the next frame says so
            pass
        self.names = self._expect("sheets")[1]

    def close(self):
        self._finalizer()

    def _fail(self, message=None):
        self.close()
        raise FileProblem(message or limit_message(self.limits))

    def _read(self, size):
        fd, parts, left = self.process.stdout.fileno(), [], size
        while left:
            remaining = self.limits["reader_wall_seconds"] - self.waited
            started = time.monotonic()
            ready = select.select([fd], [], [], max(remaining, 0))[0] if remaining > 0 else []
            chunk = os.read(fd, min(left, 1 << 20)) if ready else b""
            self.waited += time.monotonic() - started
            if not chunk:           # past the wall time, or the child is gone
                self._fail()
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def _frame(self):
        (size,) = HEADER.unpack(self._read(HEADER.size))
        if size > MAX_FRAME:
            self._fail()
        try:
            frame = _SafeUnpickler(io.BytesIO(self._read(size))).load()
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            self._fail()
        if not isinstance(frame, tuple) or not frame:
            self._fail()
        if frame[0] == "problem":
            self._fail(frame[1])
        return frame

    def _expect(self, kind):
        frame = self._frame()
        if frame[0] != kind:
            self._fail()
        return frame

    def rows(self, position):
        """Yield sheet ``position``'s rows, skipping the rest of any earlier sheet left unread."""
        if position < self.position:
            raise RuntimeError("sheets of a sandboxed read are read in order")
        while self.position < position:
            while self._frame()[0] != "end":
                pass
            self.position += 1
        while True:
            frame = self._frame()
            if frame[0] == "end":
                break
            yield from frame[1]
        self.position += 1
        if self.position == len(self.names):
            self._expect("done")
            self.close()


def _stop(process):
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream and not stream.closed:
            stream.close()


# The child side: nothing below runs in the web worker.

def _send(out, frame):
    payload = pickle.dumps(frame, protocol=5)
    out.write(HEADER.pack(len(payload)) + payload)


def _confine(limits):
    memory = limits["reader_memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = limits["reader_cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A parent that stops reading leaves this process blocked on a full pipe; it ends itself in time.
    signal.alarm(4 * limits["reader_wall_seconds"])


def _child(kind, limits):
    from emergency.spreadsheets.reader import read_here

    out = sys.stdout.buffer
    try:
        sheets = read_here(sys.stdin.buffer.read(), kind, limits)
        _send(out, ("sheets", [sheet.name for sheet in sheets]))
        for sheet in sheets:
            chunk, texts = [], {}
            for index, values in sheet.rows:
                # One object per distinct text in a chunk: pickle sends a repeat as a reference, and the
                # parent gets one string where a county name, a unit or a measure text repeats.
                chunk.append((index, [texts.setdefault(v, v) if type(v) is str else v for v in values]))
                if len(chunk) >= CHUNK_ROWS:
                    _send(out, ("rows", chunk))
                    chunk, texts = [], {}
            if chunk:
                _send(out, ("rows", chunk))
            _send(out, ("end",))
        _send(out, ("done",))
    except FileProblem as problem:
        _send(out, ("problem", problem.message))
    except MemoryError:
        _send(out, ("problem", limit_message(limits)))
    out.flush()


if __name__ == "__main__":
    _limits = json.loads(sys.argv[2])
    _confine(_limits)
    _child(sys.argv[1], _limits)
