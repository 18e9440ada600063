"""The HTML report templates compiled to Python modules (conformance/reports/precompiled.py says why): run after
editing a template under conformance/reports/templates/ or changing jinja2's locked version, and commit the result
(tests/unit/test_report_templates.py fails until then). `python tools/report_templates.py`"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's package, run as a script

from conformance.reports.precompiled import COMPILED, compiled_modules  # noqa: E402


def main() -> None:
    modules = compiled_modules()
    COMPILED.mkdir(exist_ok=True)
    for stale in sorted(set(path.name for path in COMPILED.glob("tmpl_*.py")) - set(modules)):
        (COMPILED / stale).unlink()
        print(f"removed {stale}")
    for name, text in sorted(modules.items()):
        path = COMPILED / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {name}")
    print(f"{len(modules)} templates compiled in {COMPILED}")


if __name__ == "__main__":
    main()
