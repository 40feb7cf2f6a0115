"""The shape of the code: no import cycles among app/ and jobs/ modules, lazy imports included,
and comments that cite only documents inside the repository."""

import re
import subprocess
import sys
from pathlib import Path

from scripts import import_cycles

ROOT = Path(__file__).resolve().parent.parent


def test_no_module_of_app_or_jobs_imports_itself_back():
    edges = import_cycles.graph()
    assert len(edges) > 100, "the scan found the project's modules"
    assert import_cycles.cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle_when_there_is_one():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles.cycles(edges) == [["a", "b", "c"]]
    assert import_cycles.cycles({"a": {"b"}, "b": set()}) == []


def test_the_script_exits_cleanly_and_prints_its_figures():
    done = subprocess.run(
        [sys.executable, "scripts/import_cycles.py"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout
    assert re.search(r"\d+ modules, \d+ imports, 0 cycles", done.stdout)


def test_code_and_docs_cite_no_document_outside_the_repository():
    cited = []
    for folder in ("app", "jobs", "templates", "docs", "scripts", "migrations"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".md", ".js", ".sh"}:
                text = path.read_text(encoding="utf-8", errors="replace")
                cited += [f"{path.relative_to(ROOT)}" for _ in re.findall(r"SPEC\b|§", text)]
    for name in ("config.py", "wsgi.py", "README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        cited += [name for _ in re.findall(r"SPEC\b|§", text)]
    assert cited == []


def test_every_owner_named_in_the_architecture_page_exists():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = re.findall(r"`((?:services|jobs)/[\w/]+\.py)` `(\w+)`", text)
    assert len(named) >= 8
    missing = []
    for path, name in named:
        file = ROOT / ("app/" + path if path.startswith("services/") else path)
        if not re.search(rf"^\s*def {name}\(", file.read_text(encoding="utf-8"), re.M):
            missing.append(f"{path} {name}")
    assert missing == []


def test_no_module_of_app_or_jobs_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for folder in ("app", "jobs")
        for path in (ROOT / folder).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


def test_services_and_models_never_read_the_request():
    readers = []
    pattern = re.compile(
        r"from flask import [^\n]*\b(request|g|session|has_request_context)\b"
        r"|from flask_login import [^\n]*\bcurrent_user\b"
    )
    for folder in ("app/services", "app/models"):
        for path in (ROOT / folder).rglob("*.py"):
            if pattern.search(path.read_text(encoding="utf-8")):
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_services_choose_error_codes_and_never_http_statuses():
    from app.errors import HTTP_STATUS
    from app.models.enums import ErrorCode

    chosen = []
    for path in (ROOT / "app" / "services").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        chosen += re.findall(r"(?:Error|ApiError)\(\s*\d{3}\b", text)
    assert chosen == []
    # Every code a request can be refused with has its status in one table.
    documented = set(
        re.findall(r"^\| `([a-z_]+)` \| \d{3}", (ROOT / "docs/errors.md").read_text(), re.M)
    )
    assert documented <= {str(code) for code in HTTP_STATUS}
    assert all(isinstance(code, ErrorCode) for code in HTTP_STATUS)
