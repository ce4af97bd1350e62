"""The HTTP API: documents and their extracted text."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="docsvc")

DOCUMENTS: dict[str, dict[str, object]] = {}


class DocumentOut(BaseModel):
    id: str
    pages: int
    text: str


@app.get("/documents/{doc_id}", response_model=DocumentOut)
def get_document(doc_id: str) -> DocumentOut:
    doc = DOCUMENTS.get(doc_id)
    if doc is None:
        raise HTTPException(status_code=404, detail="no such document")
    return DocumentOut(id=doc_id, pages=int(str(doc["pages"])), text=str(doc["text"]))
