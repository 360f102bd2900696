"""indbuilder installs and runs outside this repository (issue 11, item 1).

``python -m build`` makes an sdist and a wheel; the wheel goes into a fresh venv in a temporary folder,
and ``init``, ``check``, ``build`` and ``validate`` run there, outside the repository tree, with only
what the wheel installed: its templates, outlines, eCTD data, Typst template and scaffold files.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from packaging_support import EXAMPLE, REPO, Installed, installed, run_checked, standards_source, tools

PACKAGE = REPO / "src" / "indbuilder"


@pytest.fixture(scope="module")
def inst(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return installed(tmp_path_factory)


def _package_files() -> dict[str, bytes]:
    """Every file of src/indbuilder (hidden ones included) as the wheel names it, with its bytes."""
    out = {}
    for p in PACKAGE.rglob("*"):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
            out["indbuilder/" + p.relative_to(PACKAGE).as_posix()] = p.read_bytes()
    return out


def _outside_repo(path: Path) -> bool:
    return not path.resolve().is_relative_to(REPO)


def test_wheel_holds_every_package_file(inst: Installed) -> None:
    """The wheel (built from the sdist) holds each file of src/indbuilder byte for byte: templates,
    outline and eCTD data, the Typst template and the scaffold, nested and hidden files included."""
    with zipfile.ZipFile(inst.wheel) as whl:
        in_wheel = {n: whl.read(n) for n in whl.namelist() if n.startswith("indbuilder/")}
    source = _package_files()
    assert sorted(set(source) - set(in_wheel)) == [], "files of src/indbuilder missing from the wheel"
    assert sorted(set(in_wheel) - set(source)) == [], "files in the wheel that src/indbuilder does not have"
    assert [n for n in source if in_wheel[n] != source[n]] == []
    # the data the tool reads at run time, named so a narrowed glob fails here with a clear message
    for pattern in ("indbuilder/templates/ectd/modalities/*/parts/*.j2", "indbuilder/templates/ectd/m3/*",
                    "indbuilder/outline/data/fda.yaml", "indbuilder/outline/data/nmpa.yaml",
                    "indbuilder/ectd/data/standards.json", "indbuilder/writers/*.typ",
                    "indbuilder/scaffold/files/indbuilder.yaml.j2", "indbuilder/scaffold/files/content/*/*.j2"):
        rx = re.compile(re.escape(pattern).replace(r"\*", "[^/]+") + "$")
        assert any(rx.match(n) for n in in_wheel), f"wheel has no {pattern}"


def test_sdist_holds_the_sources_the_wheel_is_built_from(inst: Installed) -> None:
    """The sdist carries the project metadata and every package file, so a wheel built from it (as pip
    does from an sdist) equals the one built here: same names, same bytes."""
    with tarfile.open(inst.sdist) as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if m.isfile()}
        for meta in ("pyproject.toml", "README.md", "PKG-INFO"):
            assert meta in members, f"sdist has no {meta}"
        in_sdist = {}
        for name, m in members.items():
            if name.startswith("src/indbuilder/"):
                f = tar.extractfile(m)
                assert f is not None
                in_sdist["indbuilder/" + name.removeprefix("src/indbuilder/")] = f.read()
    source = _package_files()
    assert {n: hashlib.sha256(b).hexdigest() for n, b in in_sdist.items()} == \
           {n: hashlib.sha256(b).hexdigest() for n, b in source.items()}


def test_metadata_says_what_a_package_index_shows() -> None:
    """Name, version, licence, Python range, URLs, classifiers and the console script are declared."""
    meta = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert meta["scripts"] == {"indbuilder": "indbuilder.cli:main"}
    assert meta["requires-python"] == ">=3.11"
    assert {"Homepage", "Source", "Issues"} <= set(meta["urls"])
    assert "Programming Language :: Python :: 3.11" in meta["classifiers"]
    assert not (REPO / "setup.py").exists(), "packaging metadata lives in pyproject.toml alone"


def test_installed_command_reports_its_version(inst: Installed, tmp_path: Path) -> None:
    """``indbuilder --version`` works from a folder outside the repository and the import comes from
    the venv, not from the source tree."""
    assert _outside_repo(tmp_path)
    version = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    out = run_checked([inst.bin / "indbuilder", "--version"], cwd=tmp_path, env=inst.env())
    assert out.stdout.strip() == f"indbuilder {version}"
    where = run_checked([inst.bin / "python", "-c", "import indbuilder; print(indbuilder.__file__)"],
                        cwd=tmp_path, env=inst.env())
    assert Path(where.stdout.strip()).is_relative_to(inst.venv)


def test_init_then_check_outside_repository(inst: Installed, tmp_path: Path) -> None:
    """A new project from the packaged scaffold checks cleanly apart from its TODO: placeholders."""
    run_checked([inst.bin / "indbuilder", "init", "dossier", "-m", "small-molecule", "-r", "fda"],
                cwd=tmp_path, env=inst.env())
    project = tmp_path / "dossier"
    assert (project / "indbuilder.yaml").is_file() and (project / "content" / "product.yaml").is_file()
    proc = run_checked([inst.bin / "indbuilder", "check"], cwd=project, env=inst.env())
    assert "[completeness.placeholder]" in proc.stdout
    assert re.search(r"^0 errors, [1-9]\d* warnings", proc.stdout, re.M), proc.stdout[-2000:]


def test_example_checks_builds_and_validates_outside_repository(inst: Installed, tmp_path: Path) -> None:
    """The small-molecule example, copied out of the repository, checks and builds for FDA with the
    installed tool and the installed standards, and its eCTD sequence validates."""
    project = tmp_path / "small-molecule-tablet"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("build", "submissions"))
    env = inst.env(INDBUILDER_STANDARDS=str(standards_source()))
    check = run_checked([inst.bin / "indbuilder", "check"], cwd=project, env=env)
    assert re.search(r"^0 errors", check.stdout, re.M)
    run_checked([inst.bin / "indbuilder", "build", "-r", "fda"], cwd=project, env=env)
    (index,) = (project / "build" / "fda" / "ectd").glob("*/0000/index.xml")
    sequence = index.parent
    assert (sequence / "index-md5.txt").is_file() and any((sequence / "m1").rglob("*.pdf"))
    valid = run_checked([inst.bin / "indbuilder", "validate", sequence], cwd=project, env=env)
    assert re.search(r"^0 errors", valid.stdout, re.M)


def test_pipx_install_gives_a_working_command(inst: Installed, tmp_path_factory: pytest.TempPathFactory,
                                              tmp_path: Path) -> None:
    """``pipx install <wheel>`` (pipx's home and bin folder in a temporary folder) gives an
    ``indbuilder`` whose packaged scaffold works."""
    pipx = tools(tmp_path_factory) / "bin" / "pipx"
    env = inst.env(PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"),
                   PIPX_MAN_DIR=str(tmp_path / "man"))
    env["PATH"] = env["PATH"].split(":", 1)[1]  # pipx makes its own venv: not the test's
    env.pop("VIRTUAL_ENV")
    run_checked([pipx, "install", "--pip-args=--no-compile", inst.wheel], cwd=tmp_path, env=env)
    exe = tmp_path / "bin" / "indbuilder"
    assert exe.is_file()
    assert run_checked([exe, "--version"], cwd=tmp_path, env=env).stdout.startswith("indbuilder ")
    run_checked([exe, "init", "dossier", "-m", "protein", "-r", "fda,nmpa"], cwd=tmp_path, env=env)
    assert (tmp_path / "dossier" / "indbuilder.yaml").is_file()
