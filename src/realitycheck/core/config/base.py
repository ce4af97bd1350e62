"""The base of every configuration section: unknown keys are errors, values are validated."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A table of the configuration file."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
