"""A real S3 API on loopback (moto's server mode), and the same tests on a local file:// URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from realitycheck.corpus.model import Sample, input_hash
from realitycheck.corpus.store import Corpus

moto_server = pytest.importorskip("moto.server", reason="moto[server] is a dev dependency")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1, a free port; stopped at the end of the session."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The store's usual environment (botocore reads it; realitycheck never does)."""
    env = {**S3_ENV, "AWS_ENDPOINT_URL": s3_endpoint}
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def make_bucket(name: str) -> None:
    """A new bucket on the moto server (the environment points botocore at it)."""
    import fsspec

    fsspec.filesystem("s3", skip_instance_cache=True).mkdir(name)


@pytest.fixture(params=["s3", "file"])
def remote_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty remote corpus URL: a bucket on moto, or a local folder as file://."""
    if request.param == "file":
        folder = tmp_path / "remote"
        folder.mkdir()
        return f"file://{folder}"
    request.getfixturevalue("s3_env")
    bucket = f"rc-{uuid.uuid4().hex[:12]}"
    make_bucket(bucket)
    return f"s3://{bucket}/team/corpus"


def samples(n: int, *, target: str = "fn:app:f", start: int = 0, day: int = 0) -> list[Sample]:
    """`n` distinct samples (`start` numbers them), recorded `day` days ago."""
    at = datetime.now(timezone.utc) - timedelta(days=day)
    out = []
    for i in range(start, start + n):
        data = {"args": [i], "kwargs": {}}
        out.append(
            Sample(
                id=f"s{i:08d}",
                input_hash=input_hash(target, data),
                target=target,
                kind="function",
                input=data,
                output={"returned": i * 2},
                duration_ms=1.0,
                recorded_at=at + timedelta(microseconds=i),
                source="test",
            )
        )
    return out


def local_corpus(root: Path, batches: list[list[Sample]]) -> Corpus:
    """A local corpus with one segment per batch."""
    corpus = Corpus(root, create=True)
    for batch in batches:
        corpus.write(batch)
    return corpus


def env_for_child(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a child process needs to reach the same store."""
    return {**os.environ, **(extra or {})}
