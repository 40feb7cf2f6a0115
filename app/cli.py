"""The `flask` commands."""

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from app.models import Plan
from app.services import accounts, quota

PLAN_CHOICE = click.Choice([p.value for p in Plan])

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")
usage_cli = AppGroup("usage", help="Show page usage.")


def get_user_or_fail(email: str):
    """The user with this email, or a clear CLI error."""
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--plan", type=PLAN_CHOICE, default="starter", show_default=True)
@click.option("--admin", is_flag=True, help="Give the user access to the operator pages.")
def users_create(email, password, plan, admin):
    """Create a user."""
    try:
        user = accounts.create_user(email, password, plan=plan, is_admin=admin)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} on the {plan} plan{' (admin)' if admin else ''}.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="API token", show_default=True)
@click.option(
    "--replace", is_flag=True, help="Revoke the user's live tokens of the same name first."
)
def tokens_create(email, name, replace):
    """Print a new API token for the user (shown only once; alone on the last line)."""
    user = get_user_or_fail(email)
    if replace:
        revoked = accounts.revoke_tokens_named(user, name)
        if revoked:
            click.echo(
                f"Revoked {revoked} earlier token{'s' if revoked != 1 else ''} named {name}."
            )
    _row, plain = accounts.issue_token(user, name)
    db.session.commit()
    click.echo(f"API token for {user.email} ({name}); it is shown only once:")
    click.echo(plain)


@click.command("set-plan")
@click.argument("email")
@click.argument("plan", type=PLAN_CHOICE)
def set_plan(email, plan):
    """Set a plan by hand (active), for local use without Stripe."""
    user = get_user_or_fail(email)
    accounts.set_plan(user, plan)
    db.session.commit()
    click.echo(f"{user.email} is now on the {plan} plan (active).")


@usage_cli.command("show")
@click.argument("email")
def usage_show(email):
    """Plan, limit, pages used and left this period."""
    user = get_user_or_fail(email)
    s = quota.summary(user)
    db.session.commit()
    click.echo(f"user:       {user.email}")
    click.echo(f"plan:       {s['plan']} ({s['status']})")
    click.echo(f"period:     {s['period_start']} to {s['period_end']}")
    click.echo(f"pages used: {s['pages_used']} of {s['pages_limit']}")
    click.echo(f"pages left: {s['pages_left']}")


def register(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    from engine.cli import extract_command
    from jobs.cli import batches_cli, schedule_cli

    for command in (
        users_cli,
        tokens_cli,
        usage_cli,
        set_plan,
        batches_cli,
        schedule_cli,
        extract_command,
    ):
        app.cli.add_command(command)
