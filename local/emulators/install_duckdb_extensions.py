"""Install the DuckDB extensions shipped as PyPI wheels into the emulator virtualenv's own home.

Run with the emulator virtualenv's interpreter (it imports only duckdb): bqemulator runs with
HOME=<venv>/home, so its ``INSTALL spatial`` finds the extension already installed and never
downloads anything. Usage: ``<venv>/bin/python install_duckdb_extensions.py <venv>``.
"""

from __future__ import annotations

import site
import sys
from pathlib import Path

import duckdb


def main(venv: Path) -> int:
    target = venv / "home" / ".duckdb" / "extensions"
    target.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for root in site.getsitepackages():
        files += sorted(Path(root).glob("duckdb_extension_*/extensions/v*/*.duckdb_extension"))
    if not files:
        print("no duckdb-extension-* wheels installed in this environment", file=sys.stderr)
        return 1
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"SET extension_directory = '{target}'")
    for file in files:
        con.execute(f"FORCE INSTALL '{file}'")
        con.execute(f"LOAD '{file.stem}'")
        print(f"installed {file.stem} from {file.parent.parent.parent.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).absolute()))
