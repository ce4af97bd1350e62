"""Configuration discovery and validation: errors name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from realitycheck.core.config import find_config, load_config
from realitycheck.core.errors import ConfigError


def test_defaults_when_nothing_is_configured(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    config = load_config(start=tmp_path, stop=tmp_path)
    assert config.source is None
    assert config.policy.required == ["provenance"]


def test_found_walking_up_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "realitycheck.toml").write_text('default_branch = "trunk"\n')
    deep = tmp_path / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_config(deep, tmp_path) == tmp_path / "realitycheck.toml"
    assert load_config(start=deep, stop=tmp_path).default_branch == "trunk"


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.realitycheck]\ndefault_branch = "dev"\n'
        "[tool.realitycheck.policy]\nskip = ['risk']\n"
    )
    config = load_config(start=tmp_path, stop=tmp_path)
    assert config.default_branch == "dev"
    assert config.policy.skip == ["risk"]


def test_pyproject_without_table_is_not_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(tmp_path, tmp_path) is None


def test_unknown_key_names_key_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "realitycheck.toml"
    path.write_text('default_branch = "main"\n\n[policy]\nrequired = []\nfail_clsoed = true\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == (
        f"{path}:5: unknown key 'policy.fail_clsoed'; did you mean 'fail_closed'?"
    )


def test_wrong_type_names_key(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.realitycheck.policy]\nfail_closed = 'sometimes'\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml:2: key 'policy.fail_closed'"):
        load_config(path)


def test_broken_toml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "realitycheck.toml"
    path.write_text('default_branch = "main"\n[policy\n')
    with pytest.raises(ConfigError, match=r"realitycheck.toml:2: not valid TOML"):
        load_config(path)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.toml")
