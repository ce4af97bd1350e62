"""A mistyped configuration key names the key it was probably meant to be."""

from __future__ import annotations

from pathlib import Path

import pytest

from realitycheck.core.config import load_config
from realitycheck.core.errors import ConfigError


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            'defualt_branch = "main"\n',
            "unknown key 'defualt_branch'; did you mean 'default_branch'?",
        ),
        ('[boundaries]\nunknown_line = "warn"\n', "did you mean 'unknown_lines'?"),
        ("[replay]\ntest_comand = 'pytest'\n", "did you mean 'test_command'?"),
        (
            '[[replay.services]]\nname = "api"\ncommand = "x"\nready_pth = "/"\n',
            "unknown key 'replay.services.0.ready_pth'; did you mean 'ready_path'?",
        ),
        ("[boundaries.detectors]\nrouts = false\n", "did you mean 'routes'?"),
    ],
)
def test_a_typo_gets_a_suggestion(tmp_path: Path, toml: str, expected: str) -> None:
    path = tmp_path / "realitycheck.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value)


def test_a_key_like_nothing_gets_no_guess(tmp_path: Path) -> None:
    path = tmp_path / "realitycheck.toml"
    path.write_text("[replay]\nzzzzzz = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "unknown key 'replay.zzzzzz'" in str(info.value)
    assert "did you mean" not in str(info.value)
