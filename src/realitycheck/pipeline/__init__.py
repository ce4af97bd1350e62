"""`verify`: resolve the change, run the stages the policy asks for, and decide the verdict."""

from __future__ import annotations

from realitycheck.pipeline.context import Context, VerifyOptions
from realitycheck.pipeline.run import resolve_change, verify
from realitycheck.pipeline.stage import Skip, Stage, StageRun

__all__ = ["Context", "Skip", "Stage", "StageRun", "VerifyOptions", "resolve_change", "verify"]
