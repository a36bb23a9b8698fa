"""uv's own requirement line, with every hash uv.lock keeps for it, for
``pip install --require-hashes``: how ./pratikriya and the Dockerfile get the one tool that
installs everything else from the lock. Standard library only (it runs before any install).

    python3 ops/bootstrap.py uv.lock > uv-requirements.txt
"""

from __future__ import annotations

import sys
import tomllib


def uv_requirement(lock_text: str) -> str:
    """``uv==<version> --hash=sha256:... ...`` from the text of uv.lock."""
    lock = tomllib.loads(lock_text)
    uv = next(package for package in lock["package"] if package["name"] == "uv")
    files = [*uv.get("wheels", []), *([uv["sdist"]] if "sdist" in uv else [])]
    return f"uv=={uv['version']} " + " ".join(f"--hash={f['hash']}" for f in files)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as lock_file:
        print(uv_requirement(lock_file.read()))
