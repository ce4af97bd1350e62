"""The corpus: real recorded inputs and outputs, redacted, stored as Parquet segments."""
