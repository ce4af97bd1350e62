"""A corpus on object storage (s3://, gs://, az://, file://), through fsspec.

    url.py       which strings are corpus URLs; the fsspec filesystem of one
    layout.py    the objects of a remote corpus and which segments are live (commit records)
    store.py     RemoteStore: list, upload, fetch, delete, commit; each error one line
    corpus.py    RemoteCorpus: the `Corpus` reading API over the live segments
    ship.py      uploading a local corpus's sealed segments (capture's shipper, `corpus push`)
    shipper.py   capture's shipper thread: a counted backlog, never an error in the host
    pull.py      `corpus pull`: a local cache keyed by segment name
    compact.py   `corpus compact` and the clean-up of replaced objects
    prune.py     `corpus prune`: retention on whole segments

`corpus.store.Corpus(url)` returns a RemoteCorpus, so every reader of the corpus takes a URL.
"""
