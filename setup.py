"""Packaging hook: ship the repository's templates/ectd/ as the package's default templates.

The templates live at the repository root (where writers edit them, beside content/); a wheel
needs them inside the package, at indbuilder/templates/ectd/.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent


class BuildPyWithTemplates(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # editable installs read templates/ectd from the checkout
            return
        target = Path(self.build_lib) / "indbuilder" / "templates" / "ectd"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / "templates" / "ectd", target)


setup(cmdclass={"build_py": BuildPyWithTemplates})
