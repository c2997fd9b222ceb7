"""The plugin template: what it generates installs as a plugin and passes its own tests.

Each generated distribution is installed with ``pip --target`` into a folder
of the test's own and found through ``PYTHONPATH``, so the virtual
environment running these tests is never changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).parent.parent
TEMPLATE = ROOT / "templates" / "trdcore-plugin"


def generate(output: Path, **context: str) -> Path:
    """Render the template into ``output`` without prompting; the generated project folder."""
    # A config of our own keeps ~/.cookiecutterrc out and replay files out of the home folder.
    config = output / "cookiecutter.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f"replay_dir: {output / 'replay'}\ncookiecutters_dir: {output / 'cookiecutters'}\n"
    )
    project = cookiecutter(
        str(TEMPLATE),
        no_input=True,
        extra_context=context,
        output_dir=str(output),
        config_file=str(config),
    )
    return Path(project)


def run(*command: str | Path, **options: object) -> subprocess.CompletedProcess[str]:
    """Run a command with this test's Python; its output is in the failure message."""
    completed = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, **options
    )
    assert completed.returncode == 0, (
        f"{' '.join(map(str, command))} exited with {completed.returncode}\n"
        f"{completed.stdout}\n{completed.stderr}"
    )
    return completed


def install_and_test(project: Path, site: Path) -> str:
    """Install ``project`` into ``site`` only and run its tests there; pytest's output."""
    run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--disable-pip-version-check",
        "--target",
        site,
        project,
    )
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("TRDCORE_")
    }
    environment["PYTHONPATH"] = str(site)
    completed = run(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        project / "tests",
        cwd=site.parent,
        env=environment,
    )
    return completed.stdout


@pytest.mark.slow
def test_generated_plugin_installs_and_passes_its_tests(tmp_path: Path) -> None:
    project = generate(tmp_path / "generated", plugin_name="example")
    assert project.name == "trdcore-example"
    assert (project / "src" / "trdcore_example" / "__init__.py").is_file()
    output = install_and_test(project, tmp_path / "site")
    assert "passed" in output
    assert "failed" not in output
    assert (tmp_path / "site" / "trdcore_example" / "__init__.py").is_file()


@pytest.mark.slow
def test_hyphenated_plugin_name_becomes_an_underscored_module(tmp_path: Path) -> None:
    project = generate(tmp_path / "generated", plugin_name="my-thing", author="A. Author")
    assert project.name == "trdcore-my-thing"
    assert (project / "src" / "trdcore_my_thing" / "__init__.py").is_file()
    assert 'my-thing = "trdcore_my_thing"' in (project / "pyproject.toml").read_text()
    output = install_and_test(project, tmp_path / "site")
    assert "passed" in output
    assert "failed" not in output


def test_generated_plugin_is_tidy(tmp_path: Path) -> None:
    project = generate(tmp_path / "generated", plugin_name="my-thing")
    text = "\n".join(path.read_text() for path in project.rglob("*") if path.is_file())
    for marker in ("TODO", "FIXME", "{{", "{%", "cookiecutter"):
        assert marker not in text
    # The generated pyproject.toml carries its own ruff settings, like trdcore's.
    run(sys.executable, "-m", "ruff", "check", "--no-cache", ".", cwd=project)
    run(sys.executable, "-m", "ruff", "format", "--no-cache", "--check", ".", cwd=project)


@pytest.mark.parametrize("name", ["My_Plugin", "-leading", "double--hyphen", "with space"])
def test_template_refuses_a_name_trdcore_would_refuse(tmp_path: Path, name: str) -> None:
    with pytest.raises(FailedHookException):
        generate(tmp_path / "generated", plugin_name=name)
    assert list((tmp_path / "generated").glob("trdcore-*")) == []
