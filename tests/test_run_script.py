"""`make run`'s script: a taken port stops it before anything starts; one demo token at a time."""

import os
import socket
import subprocess
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[1]


def test_a_taken_port_is_reported_before_anything_else(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(os.environ)
        env.update(
            PORT=str(port),
            PATH=f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}",
            # Were the check missing, the script would go on against nothing real.
            REDIS_URL="redis://127.0.0.1:1/0",
            DATABASE_URL=f"sqlite:///{tmp_path}/never.db",
        )
        run = subprocess.run(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.splitlines()[0] == (
        f"Port {port} is in use: stop what runs there, or start on another port: PORT=5001 make run"
    )
    assert not (tmp_path / "never.db").exists()


def test_the_demo_token_replaces_the_previous_one(runner):
    user = make_user("demo@example.com")
    outputs = [
        runner.invoke(args=["tokens", "create", user.email, "--name", "make run", "--replace"])
        for _ in range(3)
    ]
    assert all(out.exit_code == 0 for out in outputs)
    assert "Revoked 1 earlier token named make run." in outputs[2].output
    live = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    assert [t.name for t in live] == ["make run"]
    plain = outputs[2].output.strip().splitlines()[-1]
    from app.services import accounts

    assert accounts.user_for_token(plain).id == user.id
    assert accounts.user_for_token(outputs[0].output.strip().splitlines()[-1]) is None
