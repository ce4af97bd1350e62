"""`--record`: each exchange the client saw goes to the corpus through capture's own recorder.

The recorder is the one `realitycheck.capture.configure` builds, so the exchange takes exactly
capture's path: its sampler, its bounded queue, its redaction before anything is written, its
segments. Recording never blocks or fails a request: a full queue or a too-large body is dropped
and counted by the recorder.
"""

from __future__ import annotations

from realitycheck.corpus.capture.items import HttpExchange
from realitycheck.corpus.capture.recorder import Recorder
from realitycheck.shadow.copies import Ticket
from realitycheck.shadow.safety import Headers


class CorpusTap:
    """Feeds the primary's exchanges to a capture `Recorder`."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def admit(self, route: str) -> bool:
        """Whether capture's sampler takes a request of this route."""
        return self.recorder.admit(route)

    def submit(self, ticket: Ticket, request_headers: Headers, ms: float) -> None:
        """Queue one exchange (dropped and counted by the recorder when it cannot be kept)."""
        if ticket.too_large:
            self.recorder.drop("too-large", f"a body of {ticket.path} is over max_body_kb")
            return
        self.recorder.submit(
            HttpExchange(
                method=ticket.method,
                path=ticket.path,
                query=ticket.query.decode("latin-1"),
                headers=request_headers,
                body=b"".join(ticket.body),
                status=ticket.status,
                resp_headers=ticket.resp_headers,
                resp_body=b"".join(ticket.response),
                duration_ms=ms,
                at=ticket.at,
                route=None,
                source="shadow",
            )
        )

    def close(self) -> None:
        """Write what is queued and stop the recorder."""
        self.recorder.close()
