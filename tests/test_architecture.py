"""The shape of the code: no import cycles among app/, jobs/ and engine/ modules, lazy imports
included; an engine that needs nothing of the app; no package too big for the house; and comments
that cite only documents inside the repository."""

import ast
import re
import subprocess
import sys
from pathlib import Path

from scripts import floors, import_cycles

ROOT = Path(__file__).resolve().parent.parent
# Service code: what the views and the jobs share, in app/services and the rooms moved out of it.
SERVICE_FOLDERS = (
    "app/services",
    "app/notifications",
    "app/storage",
    "app/exports",
    "app/intake",
)


def test_no_module_of_app_jobs_or_engine_imports_itself_back():
    edges = import_cycles.graph()
    assert len(edges) > 100, "the scan found the project's modules"
    assert {"engine", "engine.base", "engine.fields.money", "jobs.documents"} <= set(edges)
    assert not any(name.startswith("engine.tests") for name in edges)
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
    for folder in ("app", "jobs", "engine", "templates", "docs", "scripts", "migrations"):
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


def test_no_python_module_of_the_repository_is_over_600_lines():
    """Code, tests, test data generators, benchmarks and scripts alike."""
    modules = [
        path
        for path in ROOT.rglob("*.py")
        if not any(
            part.startswith(".") or part in ("node_modules", "instance")
            for part in path.relative_to(ROOT).parts
        )
    ]
    assert len(modules) > 200
    long = {
        str(path.relative_to(ROOT)): n
        for path in modules
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


def _imported_names(path: Path) -> set[str]:
    """Every absolute module a file imports, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_engine_imports_nothing_of_the_app_the_jobs_or_flask():
    """engine/ (its tests included) runs without the web app: no app, jobs or Flask imports."""
    files = sorted((ROOT / "engine").rglob("*.py"))
    assert len(files) > 30
    forbidden = {}
    for path in files:
        bad = sorted(
            name
            for name in _imported_names(path)
            if name.split(".")[0] in {"app", "jobs"} or name.split(".")[0].startswith("flask")
        )
        if bad:
            forbidden[str(path.relative_to(ROOT))] = bad
    assert forbidden == {}


def test_the_import_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from app.models import User\n    import flask_sqlalchemy\n")
    assert _imported_names(module) == {"app.models", "flask_sqlalchemy"}


def test_there_is_one_error_code_enum_and_the_app_re_exports_it():
    from app.models import ErrorCode as from_models
    from app.models.enums import ErrorCode as from_enums
    from engine import ErrorCode as from_engine
    from engine.errors import ErrorCode

    assert from_models is from_enums is from_engine is ErrorCode
    defined = [
        str(path.relative_to(ROOT))
        for folder in ("app", "jobs", "engine")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"^class ErrorCode\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert defined == ["engine/errors.py"]


def test_no_package_but_the_three_rooms_holds_more_than_a_third_of_the_house():
    found = floors.packages()
    assert {"app", "jobs", "engine", "app/services", "engine/fields"} <= set(found)
    assert not any(name.startswith("engine/tests") for name in found)
    assert floors.total(found) > 10_000
    assert floors.too_big(found) == {}
    assert floors.too_big({"app": 10, "jobs": 10, "engine": 10, "app/services": 11}) == {
        "app/services": 11 / 30
    }


def test_the_floors_script_prints_the_rooms():
    done = subprocess.run(
        [sys.executable, "scripts/floors.py"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout
    for room in ("app/  (web)", "jobs/  (workers)", "engine/  (extraction engine)"):
        assert room in done.stdout


def test_services_and_models_never_read_the_request():
    readers = []
    pattern = re.compile(
        r"from flask import [^\n]*\b(request|g|session|has_request_context)\b"
        r"|from flask_login import [^\n]*\bcurrent_user\b"
    )
    for folder in (*SERVICE_FOLDERS, "app/models", "engine"):
        for path in (ROOT / folder).rglob("*.py"):
            if pattern.search(path.read_text(encoding="utf-8")):
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_services_choose_error_codes_and_never_http_statuses():
    from app.errors import HTTP_STATUS
    from app.models.enums import ErrorCode

    chosen = []
    for path in (
        p for folder in (*SERVICE_FOLDERS, "engine") for p in (ROOT / folder).rglob("*.py")
    ):
        text = path.read_text(encoding="utf-8")
        chosen += re.findall(r"(?:Error|ApiError)\(\s*\d{3}\b", text)
    assert chosen == []
    # Every code a request can be refused with has its status in one table.
    documented = set(
        re.findall(r"^\| `([a-z_]+)` \| \d{3}", (ROOT / "docs/errors.md").read_text(), re.M)
    )
    assert documented <= {str(code) for code in HTTP_STATUS}
    assert all(isinstance(code, ErrorCode) for code in HTTP_STATUS)


# Who may change the status of a document or of a question row (docs/architecture.md, "Who
# decides each transition"): its lifecycle module, and for documents the intake that creates them.
STATUS_OWNERS = {
    "document": ("app/services/lifecycle.py", "app/intake/"),
    "question": ("app/services/questions/lifecycle.py",),
}
ROW_KINDS = {
    "Document": "document",
    "DocumentStatus": "document",
    "QuestionItem": "question",
    "QuestionStatus": "question",
}


def _root(node: ast.AST) -> str | None:
    """The name an expression starts from: `D` of `D.FAILED.value`, `Document` of `Document.c`."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _statement(node: ast.AST) -> tuple[str, ast.AST] | None:
    """The `update(table)` or `insert(table)` a `.values()` chain is built on: (verb, table)."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else _root(node.func)
            if name in ("update", "insert") and node.args:
                return name, node.args[0]
            node = node.func
        else:
            node = node.value
    return None


def _status_writes(path: Path) -> list[tuple[str, int]]:
    """Where a module changes the status of a document or a question row: (kind, line) of each
    UPDATE of their table that sets `status` (or values it unpacks from elsewhere) or is guarded
    by it (`WHERE status IN ...`), each `.values(status=...)` given a DocumentStatus or
    QuestionStatus, and each `.transition()` to one. Creating a row with its first status is no
    change."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    kinds = dict(ROW_KINDS)  # and the module's own names for them: DOCS, D, Q
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            renamed = [a for a in node.names if a.asname and a.name in ROW_KINDS]
            kinds.update({a.asname: ROW_KINDS[a.name] for a in renamed})
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            pairs = [(target, value)]
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                pairs = list(zip(target.elts, value.elts, strict=False))
            for name, expr in pairs:
                if isinstance(name, ast.Name) and _root(expr) in kinds:
                    kinds[name.id] = kinds[_root(expr)]
    writes = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "transition" and node.args and _root(node.args[0]) in kinds:
            writes.append((kinds[_root(node.args[0])], node.lineno))
        if node.func.attr == "where":  # a guarded UPDATE: WHERE status IN <sources>
            verb, table = _statement(node.func.value) or ("", None)
            guard = [
                n
                for arg in node.args
                for n in ast.walk(arg)
                if isinstance(n, ast.Attribute) and n.attr == "status" and _root(n) in kinds
            ]
            if verb == "update" and _root(table) in kinds and guard:
                writes.append((kinds[_root(table)], node.lineno))
        if node.func.attr != "values":
            continue
        given = {k.arg: k.value for k in node.keywords}
        for arg in node.args:
            if isinstance(arg, ast.Dict):
                given.update(
                    {
                        k.value if isinstance(k, ast.Constant) else None: v
                        for k, v in zip(arg.keys, arg.values, strict=True)
                    }
                )
        verb, table = _statement(node.func.value) or ("", None)
        if verb == "insert":
            continue
        if _root(table) in kinds and ("status" in given or None in given):
            writes.append((kinds[_root(table)], node.lineno))
        elif "status" in given and _root(given["status"]) in kinds:
            writes.append((kinds[_root(given["status"])], node.lineno))
    return sorted(set(writes), key=lambda write: write[1])


def test_documents_and_question_rows_change_status_only_in_their_lifecycle_modules():
    outside, owners_seen = [], set()
    for folder in ("app", "jobs", "scripts", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            name = str(path.relative_to(ROOT))
            for kind, line in _status_writes(path):
                if name.startswith(STATUS_OWNERS[kind]):
                    owners_seen.add((kind, name))
                else:
                    outside.append(f"{name}:{line} ({kind})")
    assert outside == []
    assert {
        ("document", "app/services/lifecycle.py"),
        ("question", "app/services/questions/lifecycle.py"),
    } <= owners_seen


def test_the_status_check_sees_updates_transitions_and_unpacked_values(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from app.models import BatchStatus, Document, DocumentStatus as D, QuestionStatus\n"
        "DOCS = Document.__table__\n"
        "B, Q = BatchStatus, QuestionStatus\n"
        "def f(new, item, batch):\n"
        "    values = {'status': new, 'updated_at': None}\n"
        "    sa.update(QuestionItem).where(QuestionItem.id == 1).values(**values)\n"
        "    sa.update(DOCS).values({'status': new})\n"
        "    guarded(run).values(status=D.FAILED.value)\n"
        "    item.transition(Q.CANCELLED)\n"
        "    sa.update(QuestionItem).values(usage_id=None, reserved_pages=0)\n"
        "    sa.update(QuestionBatch).values(status=B.PROCESSING)\n"
        "    batch.transition(BatchStatus.QUEUED)\n"
        "    sa.insert(QuestionItem).values(status=Q.QUEUED)\n"
        "    return sa.update(QuestionItem).where(QuestionItem.status.in_(sources))\n"
    )
    assert _status_writes(module) == [
        ("question", 6),
        ("document", 7),
        ("document", 8),
        ("question", 9),
        ("question", 14),
    ]
