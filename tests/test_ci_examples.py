"""The CI examples (docs/ci/) and the pre-commit hook (.pre-commit-hooks.yaml) work (issue 11, item 3).

Each CI file's shell steps are taken from the YAML in order (GitHub Actions: the ``run:`` of each step;
GitLab: ``before_script`` then ``script`` of each job) and run with bash in a scratch copy of an
example project, with the installed wheel from tests/packaging_support.py first on PATH. Only the steps
that need the network or change the machine are replaced, by the small explicit table ``LINES``; a
line, action or key the table does not know fails the test, so the documented steps cannot drift away
from what is tested.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from packaging_support import EXAMPLE, REPO, Installed, installed, run_checked, standards_source, tools

CI = REPO / "docs" / "ci"
HOOKS = REPO / ".pre-commit-hooks.yaml"

# Every shell line the CI examples may hold (matched whole, after stripping), and what the test runs
# instead: None skips the line, otherwise a format string of {line} and {standards}.
LINES: list[tuple[str, str | None]] = [
    # system packages: fonts-noto-cjk is installed on the test machine (make test's sysdeps)
    (r"(sudo )?apt-get update", None),
    (r"(sudo )?apt-get install -y --no-install-recommends fonts-noto-cjk fonts-liberation", None),
    # the network install: run as written, with $INDBUILDER_SPEC set to the locally built wheel
    (r'python -m pip install "\$INDBUILDER_SPEC"', "{line}"),
    # the network download of the standards: from the folder this checkout already has
    (r"indbuilder standards install", "{line} --from {standards}"),
    (r"indbuilder check --format github", "{line}"),
    (r"indbuilder check --format junit --report indbuilder-junit\.xml", "{line}"),
    (r"indbuilder build", "{line}"),
    (r"echo \"version=\$\(indbuilder --version \| cut -d ' ' -f 2\)\" >> \"\$GITHUB_OUTPUT\"", "{line}"),
]


def translate(line: str, standards: Path) -> str | None:
    """The command the test runs for a documented shell line (None: skipped); fails on an unknown line."""
    text = line.strip()
    for pattern, replacement in LINES:
        if re.fullmatch(pattern, text):
            return None if replacement is None else replacement.format(line=text, standards=shlex.quote(str(standards)))
    pytest.fail(f"CI example line not known to tests/test_ci_examples.py LINES: {text!r}", pytrace=False)


def shell_lines(script: str) -> list[str]:
    """The commands of a multi-line ``run:`` block: blank lines and comments dropped, continuations joined."""
    out: list[str] = []
    for raw in script.replace("\\\n", " ").splitlines():
        if raw.strip() and not raw.strip().startswith("#"):
            out.append(raw.strip())
    return out


@dataclass
class Step:
    name: str
    lines: list[str]
    env: dict[str, str]
    step_id: str | None = None


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # both CI systems run steps with bash -e -o pipefail
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, env=env,
                          text=True, capture_output=True, timeout=900)


def run_steps(steps: list[Step], project: Path, base_env: dict[str, str], standards: Path,
              outputs_dir: Path) -> dict[str, dict[str, str]]:
    """Run each step in order in ``project``; assert it exits 0. Returns the GitHub step outputs by id."""
    outputs: dict[str, dict[str, str]] = {}
    for n, step in enumerate(steps):
        commands = [c for c in (translate(line, standards) for line in step.lines) if c is not None]
        if not commands:
            continue
        out_file = outputs_dir / f"output-{n}"
        out_file.write_text("")
        env = {**base_env, **step.env, "GITHUB_OUTPUT": str(out_file)}
        proc = bash("\n".join(commands), project, env)
        assert proc.returncode == 0, (f"step {step.name!r} exited {proc.returncode}\n{chr(10).join(commands)}\n"
                                      f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}")
        if step.step_id:
            outputs[step.step_id] = dict(line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
    return outputs


@pytest.fixture(scope="module")
def inst(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return installed(tmp_path_factory)


def scratch_project(where: Path) -> Path:
    """A copy of the small-molecule example as a dossier repository's root, built for FDA only (the
    NMPA half is covered by test_packaging and make test; one region keeps this test quick)."""
    project = where / "dossier"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("build", "submissions"))
    config = project / "indbuilder.yaml"
    text = config.read_text("utf-8")
    assert "regions: [fda, nmpa]\n" in text
    config.write_text(text.replace("regions: [fda, nmpa]\n", "regions: [fda]\n"), "utf-8")
    return project


def assert_sequence(build_dir: Path) -> None:
    (index,) = build_dir.glob("fda/ectd/*/0000/index.xml")
    assert (index.parent / "index-md5.txt").is_file()
    assert any(index.parent.rglob("*.pdf"))


def test_every_example_updates_apt_before_installing() -> None:
    """A fresh hosted runner has no package lists: ``apt-get update`` must come before the install."""
    for path in CI.glob("*.yml"):
        text = path.read_text("utf-8")
        assert "apt-get install" in text, path
        assert text.index("apt-get update") < text.index("apt-get install"), path
        assert "../shared" not in text and "/work/" not in text, path


# --- GitHub Actions -------------------------------------------------------------------------------

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# actions the workflow may use; what the test does with each is in test_github_actions_example
KNOWN_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/cache", "actions/upload-artifact"}


def github_steps(workflow: dict[str, Any]) -> tuple[list[Step], list[dict[str, Any]]]:
    """The run steps of every job in order, and the ``uses:`` steps (checked separately)."""
    runs: list[Step] = []
    uses: list[dict[str, Any]] = []
    top_env = {k: str(v) for k, v in (workflow.get("env") or {}).items()}
    for job_name, job in workflow["jobs"].items():
        assert set(job) <= {"runs-on", "steps", "env", "needs", "permissions"}, f"job {job_name}: unknown keys {set(job)}"
        job_env = {**top_env, **{k: str(v) for k, v in (job.get("env") or {}).items()}}
        for step in job["steps"]:
            assert set(step) <= {"name", "id", "run", "uses", "with", "env"}, f"step keys not known to the test: {set(step)}"
            if "uses" in step:
                action = step["uses"].split("@", 1)[0]
                assert action in KNOWN_ACTIONS, f"action {action} not known to tests/test_ci_examples.py"
                uses.append(step)
                continue
            env = {**job_env, **{k: str(v) for k, v in (step.get("env") or {}).items()}}
            for value in [step["run"], *env.values()]:
                assert not _EXPR.search(value), f"a ${{{{ }}}} expression in a shell step is not tested: {value!r}"
            runs.append(Step(step.get("name", step["run"]), shell_lines(step["run"]), env, step.get("id")))
    return runs, uses


def test_github_actions_example(inst: Installed, tmp_path: Path) -> None:
    """docs/ci/github-actions.yml, run step by step on a scratch dossier repository: each step exits 0,
    the standards land in the folder the cache step saves, and the artifact folder holds a sequence."""
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text("utf-8"))
    runs, uses = github_steps(workflow)
    assert "INDBUILDER_SPEC" in workflow["env"], "the install source is a variable users change"
    project = scratch_project(tmp_path)
    home = tmp_path / "home"  # the runner's home: ~/.cache/indbuilder/standards is what actions/cache saves
    home.mkdir()
    base = inst.env(HOME=str(home), CI="true", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(project))
    base.pop("XDG_CACHE_HOME", None)
    for step in runs:
        if "INDBUILDER_SPEC" in step.env:
            step.env["INDBUILDER_SPEC"] = str(inst.wheel)
    outputs = run_steps(runs, project, base, standards_source(), tmp_path)

    for used in uses:
        action, args = used["uses"].split("@", 1)[0], used.get("with") or {}
        if action == "actions/cache":
            # every expression of the key names a step output that was written, or a file that exists
            for value in (str(v) for v in args.values()):
                for expr in _EXPR.findall(value):
                    if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
                        assert outputs.get(m[1], {}).get(m[2]), f"cache key uses {expr}, which no step wrote"
                    elif m := re.fullmatch(r"hashFiles\('([^']+)'\)", expr):
                        assert (project / m[1]).is_file(), expr
                    else:
                        pytest.fail(f"cache expression not known to the test: {expr}")
            cached = Path(str(args["path"]).replace("~", str(home), 1))
            assert cached.is_dir() and any(cached.rglob("*.dtd")), f"standards not installed into {cached}"
        elif action == "actions/upload-artifact":
            assert_sequence(project / args["path"])
        elif action == "actions/setup-python":
            # the Python the workflow sets up satisfies requires-python (>=3.11)
            assert tuple(int(x) for x in str(args["python-version"]).split(".")[:2]) >= (3, 11)
        # actions/checkout: the scratch copy is the checkout


# --- GitLab CI ------------------------------------------------------------------------------------

GITLAB_TOP = {"stages", "variables"}
GITLAB_JOB_RUN = ("before_script", "script")
GITLAB_JOB_OTHER = {"stage", "image", "cache", "artifacts"}


def test_gitlab_ci_example(inst: Installed, tmp_path: Path) -> None:
    """docs/ci/gitlab-ci.yml, each job's before_script and script line by line in a scratch dossier
    repository with the file's variables: each line exits 0, the standards land in the cached folder,
    and the artifacts (build/, the JUnit report) exist."""
    config = yaml.safe_load((CI / "gitlab-ci.yml").read_text("utf-8"))
    jobs = {k: v for k, v in config.items() if k not in GITLAB_TOP}
    assert set(config) - set(jobs) <= GITLAB_TOP and jobs
    variables = {k: str(v) for k, v in (config.get("variables") or {}).items()}
    assert "INDBUILDER_SPEC" in variables, "the install source is a variable users change"
    standards = standards_source()
    for name, job in jobs.items():
        assert not name.startswith("."), "hidden jobs / templates are not handled by the test"
        assert set(job) <= set(GITLAB_JOB_RUN) | GITLAB_JOB_OTHER, f"job {name}: keys not known to the test: {set(job)}"
        project = scratch_project(tmp_path / name)
        base = inst.env(CI="true", GITLAB_CI="true", CI_PROJECT_DIR=str(project))
        base.pop("XDG_CACHE_HOME", None)
        # the job's variables, expanded by bash in order as GitLab does; the install source is the wheel
        exports = "".join(f'export {k}="{v}"\n' for k, v in variables.items() if k != "INDBUILDER_SPEC")
        exports += f"export INDBUILDER_SPEC={shlex.quote(str(inst.wheel))}\n"
        steps = [Step(f"{name}: {line}", [line], {}) for key in GITLAB_JOB_RUN for line in job.get(key, [])]
        for step in steps:
            for command in filter(None, [translate(step.lines[0], standards)]):
                proc = bash(exports + command, project, base)
                assert proc.returncode == 0, (f"{step.name} exited {proc.returncode}\n--- stdout\n"
                                              f"{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}")
        cached = [project / p for p in job["cache"]["paths"]]
        assert all(p.is_dir() and any(p.rglob("*.dtd")) for p in cached), f"standards not in the cached {cached}"
        for path in job["artifacts"]["paths"]:
            assert (project / path).exists(), f"artifact {path} missing"
        assert_sequence(project / "build")
        junit = etree.parse(str(project / job["artifacts"]["reports"]["junit"]))
        assert junit.getroot().tag in {"testsuites", "testsuite"}


# --- pre-commit -----------------------------------------------------------------------------------


def _hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS.read_text("utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "indbuilder-check"]
    return dict(hook)


def test_precommit_hook_definition() -> None:
    """The hook runs ``indbuilder check`` once for the project (not per file), on the files a dossier
    is made from."""
    hook = _hook()
    assert hook["language"] == "python" and hook["entry"] == "indbuilder check"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("indbuilder.yaml", "content/cmc/drug-product.yaml", "content/narratives/x.en.md",
                 "templates/ectd/m1/us/cover.j2", "dossier/content/product.yaml"):
        assert files.search(path), path
    for path in ("README.md", "build/fda/docx/x.docx", "indbuilder.yaml.bak", "mycontent/x.yaml"):
        assert not files.search(path), path


def test_precommit_hook_entry_fails_on_an_error(inst: Installed, tmp_path: Path) -> None:
    """The hook's entry, run as pre-commit runs it (in the repository root, no file names), fails on a
    broken fact file, so a commit with it is blocked."""
    project = scratch_project(tmp_path)
    (project / "content" / "broken.yaml").write_text("product: [unclosed\n", "utf-8")
    entry = shlex.split(_hook()["entry"])
    proc = subprocess.run([str(inst.bin / entry[0]), *entry[1:]], cwd=project, env=inst.env(), text=True,
                          capture_output=True, timeout=600)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "content/broken.yaml:" in proc.stdout


def test_precommit_try_repo_on_the_example(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    """``pre-commit try-repo <this repository> indbuilder-check --all-files`` in a dossier repository:
    pre-commit installs indbuilder from this repository's committed state into its own environment and
    the hook passes on the example."""
    pre_commit = tools(tmp_path_factory) / "bin" / "pre-commit"
    project = scratch_project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "INDBUILDER_DEBUG"}}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), INDBUILDER_STANDARDS=str(standards_source()),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    run_checked(["git", "init", "-q"], cwd=project, env=env)
    run_checked(["git", "add", "-A"], cwd=project, env=env)
    proc = run_checked([pre_commit, "try-repo", REPO, "indbuilder-check", "--all-files"], cwd=project, env=env)
    assert re.search(r"indbuilder check\.+Passed", proc.stdout), proc.stdout[-2000:]
