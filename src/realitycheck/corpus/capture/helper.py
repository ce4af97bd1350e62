"""The helper process that redacts and writes captured batches, away from the host's GIL.

Redacting and writing cost the CPU, and a busy thread inside a host app holds Python's global
lock for milliseconds at a time, stalling the app's requests. So by default a capturing process
starts one helper (`python -m realitycheck.corpus.capture.helper`) and only hands it batches
over a pipe; the helper writes the segments and answers each batch with its counts. When the
helper cannot start (no Python executable, a sandbox) the recorder writes in its own thread.

Messages are length-prefixed pickles on a private pipe between a process and the child it
started; nothing read from disk is ever unpickled.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

from realitycheck.corpus.capture.counters import COUNTERS_DIR, Counters, fallback_dir, merge
from realitycheck.corpus.capture.writer import CAPPED, BatchWriter, CaptureSettings, Item
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.redact.settings import rules_from_json, rules_to_json

_LENGTH = struct.Struct("!I")
CHUNK = 64  # items per message: each pickling holds the host's lock only briefly
# The helper yields the CPU to the application it records: on a busy host, capture falls
# behind (and, once its queue is full, drops and counts samples) rather than slow requests.
NICENESS = 10


def send(stream: IO[bytes], message: Any) -> None:
    """Write one message."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)


def receive(stream: IO[bytes]) -> Any:
    """Read one message; None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)  # our own child's pipe, never a file


class HelperLink:
    """The host's side: starts the helper, sends it batches, reads its counts."""

    def __init__(
        self,
        settings: CaptureSettings,
        redactor: Redactor,
        host: Callable[[], dict[str, Any]],
        report: Callable[[str, str], None],
        lost: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.settings = settings
        self.redactor = redactor
        self.host = host  # the host's own counts, sent along with every batch
        self.report = report
        self.lost = lost  # told how many samples a helper that died had not written
        self.proc: subprocess.Popen[bytes] | None = None
        self.reader: threading.Thread | None = None
        self.sent = 0
        self.acked = 0
        self.unacked: dict[int, int] = {}  # batch number -> samples, until the helper answers
        self.counts: dict[str, Any] = {}  # the running helper's counts
        self.past: dict[str, Any] = {}  # the counts of helpers that have died
        self.settled: subprocess.Popen[bytes] | None = None  # the last helper accounted for
        self.cond = threading.Condition()

    def start(self) -> None:
        """Start the helper process (raises OSError when it cannot)."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "realitycheck.corpus.capture.helper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        assert self.proc.stdin is not None
        config = {
            "settings": self.settings,
            "key": self.redactor.key.hex(),
            "rules": rules_to_json(self.redactor.rules),
        }
        send(self.proc.stdin, ("config", config))
        self.proc.stdin.flush()
        self.reader = threading.Thread(
            target=self._acks, args=(self.proc,), daemon=True, name="realitycheck-capture-acks"
        )
        self.reader.start()

    def _acks(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            while (message := receive(proc.stdout)) is not None:
                _, seq, counts, details = message
                before = self.counts.get("dropped", {})
                capped = self.counts.get("capped", 0)
                with self.cond:
                    self.acked = max(self.acked, seq)
                    for done in [k for k in self.unacked if k <= seq]:
                        del self.unacked[done]
                    self.counts = counts
                    self.cond.notify_all()
                for reason, n in counts.get("dropped", {}).items():
                    if n > before.get(reason, 0):  # the host's log says what the helper met
                        self.report(reason, details.get(reason, "the capture helper dropped them"))
                if counts.get("capped", 0) > capped:
                    self.report("capped", CAPPED.format(self.settings.max_per_hour))
        if proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(1.0)
        if proc.poll() not in (None, 0):  # it died: what it never wrote is counted at once
            self._settle(proc)
        with self.cond:
            self.cond.notify_all()

    def alive(self) -> bool:
        """Whether the helper is running."""
        return self.proc is not None and self.proc.poll() is None

    def totals(self) -> dict[str, Any]:
        """The counts of every helper this process has started."""
        with self.cond:
            return merge(self.past, self.counts) if self.past else dict(self.counts)

    def _retire(self) -> None:
        """After the helper died (or stopped): keep its counts, count what it never wrote."""
        proc = self.proc
        if self.reader is not None:
            self.reader.join(5.0)  # its answers still in the pipe are read first
        if proc is not None and proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):  # unflushed bytes meet a broken pipe
                proc.stdin.close()
        self.proc = self.reader = None
        self._settle(proc)

    def _settle(self, proc: subprocess.Popen[bytes] | None) -> None:
        """Account for every batch handed to a helper that is gone: written (its last counts
        file says so, when its answer never came) or counted as lost (`helper-died`)."""
        with self.cond:
            if proc is not None and proc is self.settled:
                return
            self.settled = proc
            saved = self._saved()
            if saved is not None and saved[0] > self.acked:
                last, counts = saved
                for done in [k for k in self.unacked if k <= last]:
                    del self.unacked[done]  # written before it died, though never answered
                self.counts = counts
            lost = sum(self.unacked.values())
            self.unacked.clear()
            self.past = merge(self.past, self.counts) if self.past else dict(self.counts)
            self.counts = {}
            self.acked = self.sent
            self.cond.notify_all()
        if lost:
            self.lost(lost)

    def _saved(self) -> tuple[int, dict[str, Any]] | None:
        """The last batch the helper wrote and its counts then, from the counts file it keeps."""
        host = self.host()
        name = f"{host['host']}-{host['pid']}-{int(host['started'])}.json"
        root = self.settings.corpus
        for folder in (root / COUNTERS_DIR, fallback_dir(root)):
            try:
                data = json.loads((folder / name).read_text())
            except (OSError, ValueError):
                continue
            last, counts = data.get("last_batch"), data.get("helper_counts")
            if isinstance(last, int) and isinstance(counts, dict):
                return last, counts
        return None

    def write(self, batch: list[Item]) -> None:
        """Hand one batch to the helper (restarting it if it died); raises OSError when it
        cannot, and then the batch is the caller's again (neither sent nor counted)."""
        if self.proc is not None and not self.alive():
            self._retire()
        if self.proc is None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        with self.cond:
            self.sent += 1
            seq = self.sent
            self.unacked[seq] = len(batch)
        try:
            for i in range(0, len(batch), CHUNK):
                send(self.proc.stdin, ("items", seq, batch[i : i + CHUNK]))
            host = self.host()
            # The helper writes the host's counts file: those of helpers that died go in too.
            send(self.proc.stdin, ("write", seq, merge(self.past, host) if self.past else host))
            self.proc.stdin.flush()
        except (OSError, ValueError):  # it died while the batch was on its way
            with self.cond:
                self.unacked.pop(seq, None)  # its "write" never arrived: not written by it
            self._retire()
            raise OSError("the capture helper died while a batch was handed over") from None

    def wait(self, timeout: float | None) -> bool:
        """Wait until the helper has written every batch sent so far."""
        with self.cond:
            return (
                self.cond.wait_for(lambda: self.acked >= self.sent or not self.alive(), timeout)
                and self.acked >= self.sent
            )

    def stop(self, timeout: float | None) -> None:
        """Let the helper finish and exit."""
        if self.proc is None:
            return
        with contextlib.suppress(OSError, ValueError):
            assert self.proc.stdin is not None
            send(self.proc.stdin, ("stop",))
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._retire()


def main() -> int:
    """The helper: write batches until told to stop (or until the host goes away)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(NICENESS)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    first = receive(stdin)
    if first is None or first[0] != "config":
        return 2
    config = first[1]
    settings: CaptureSettings = config["settings"]
    redactor = Redactor(bytes.fromhex(config["key"]), rules_from_json(config["rules"]))
    counters = Counters()
    host: dict[str, Any] = {}
    details: dict[str, str] = {}  # the last reason for each kind of drop, for the host's log
    batch = [0]

    def extra() -> dict[str, Any]:
        # the host's counts, and which batch this helper has written with its own counts then:
        # if it dies before answering, the host reads them here (`HelperLink._saved`)
        return {**host, "last_batch": batch[0], "helper_counts": counters.snapshot()}

    writer = BatchWriter(settings, redactor, counters, details.__setitem__, extra=extra)
    pending: list[Item] = []
    while (message := receive(stdin)) is not None:
        if message[0] == "items":
            pending += message[2]
        elif message[0] == "write":
            host, batch[0] = message[2], message[1]
            writer.write(pending)
            pending = []
            send(stdout, ("ack", message[1], writer.snapshot(), details))
            stdout.flush()
        elif message[0] == "stop":
            break
    if writer.shipper is not None:  # a shipper's last upload, and its counts (corpus/remote/)
        writer.close()
        with contextlib.suppress(OSError, ValueError):
            send(stdout, ("ack", batch[0], writer.snapshot(), details))
            stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
