"""Configuration: discovery, validation and the section models."""

from realitycheck.core.config.loader import CONFIG_NAME, config_from_dict, find_config, load_config
from realitycheck.core.config.model import Config

__all__ = ["CONFIG_NAME", "Config", "config_from_dict", "find_config", "load_config"]
