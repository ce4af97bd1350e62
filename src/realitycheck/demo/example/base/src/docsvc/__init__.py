"""docsvc: extract text from documents, react to pull requests, serve documents over HTTP."""
