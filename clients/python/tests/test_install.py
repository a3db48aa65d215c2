"""`pip install clients/python` into a fresh virtual environment, offline, and import it bare."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def test_installs_offline_into_a_fresh_venv_and_imports_with_no_third_party_package() -> None:
    with tempfile.TemporaryDirectory() as directory:
        venv = Path(directory) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin/python"
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "--no-index", "--quiet", str(PACKAGE)],
            capture_output=True, text=True, cwd=directory,
        )
        assert install.returncode == 0, install.stdout + install.stderr
        probe = subprocess.run(
            [str(python), "-c", (
                "import importlib.util, keyward, keyward.asgi, keyward.wsgi\n"
                "assert importlib.util.find_spec('fastapi') is None and importlib.util.find_spec('flask') is None\n"
                "import keyward.cache, keyward.stream, keyward.capture\n"
                "from pathlib import Path; assert (Path(keyward.__file__).parent / 'py.typed').exists()\n"
                "print(keyward.Guard.__name__, keyward.KeywardClient.__name__)"
            )],
            capture_output=True, text=True, cwd=directory,
        )
        assert probe.returncode == 0, probe.stderr
        assert probe.stdout.strip() == "Guard KeywardClient"
