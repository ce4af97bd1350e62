"""The whole configuration: one section per capability, all optional."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, PrivateAttr

from realitycheck.core.config.assumptions import AssumptionsConfig
from realitycheck.core.config.base import Section
from realitycheck.core.config.boundaries import BoundariesConfig
from realitycheck.core.config.corpus import CorpusConfig
from realitycheck.core.config.deploy import DeployConfig
from realitycheck.core.config.judge import JudgeConfig
from realitycheck.core.config.policy import PolicyConfig
from realitycheck.core.config.provenance import ProvenanceConfig
from realitycheck.core.config.replay import ReplayConfig
from realitycheck.core.config.shadow import ShadowConfig


class Config(Section):
    """Everything `realitycheck.toml` (or `[tool.realitycheck]`) can say."""

    default_branch: str | None = Field(
        default=None, description="Branch to diff against when --base is not given."
    )
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    provenance: ProvenanceConfig = Field(default_factory=ProvenanceConfig)
    corpus: CorpusConfig = Field(default_factory=CorpusConfig)
    assumptions: AssumptionsConfig = Field(default_factory=AssumptionsConfig)
    replay: ReplayConfig = Field(default_factory=ReplayConfig)
    boundaries: BoundariesConfig = Field(default_factory=BoundariesConfig)
    deploy: DeployConfig = Field(default_factory=DeployConfig)
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    shadow: ShadowConfig = Field(default_factory=ShadowConfig)

    _source: Path | None = PrivateAttr(default=None)
    _root: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file this configuration was read from, or None for the defaults."""
        return self._source

    @property
    def root(self) -> Path | None:
        """The directory relative paths in the configuration are taken from."""
        return self._root
