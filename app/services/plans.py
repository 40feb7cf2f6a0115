"""Plans and their limits, in one place."""

from dataclasses import dataclass

from flask import current_app

from app.models import Plan, Subscription, User


@dataclass(frozen=True)
class PlanLimits:
    """What a plan allows."""

    plan: Plan
    batch_upload: bool
    files_per_batch: int
    pages_per_month: int
    creations_per_hour: int
    question_rows: int
    price_id: str


def limits_for(plan: str) -> PlanLimits:
    """The configured limits of a plan."""
    conf = current_app.config["PLANS"][Plan(plan).value]
    return PlanLimits(
        plan=Plan(plan),
        batch_upload=bool(conf["batch_upload"]),
        files_per_batch=int(conf["files_per_batch"]),
        pages_per_month=int(conf["pages_per_month"]),
        creations_per_hour=int(conf["creations_per_hour"]),
        question_rows=int(conf.get("question_rows", 0)),
        price_id=conf.get("price_id", ""),
    )


def subscription_of(user: User) -> Subscription:
    """The user's subscription row (every user has one, starter by default)."""
    sub = user.subscription
    if sub is None:
        from app.extensions import db

        sub = Subscription(user=user, plan=Plan.STARTER, status="active")
        db.session.add(sub)
        db.session.flush()
    return sub


def effective_plan(user: User) -> Plan:
    """The plan that counts now: paid plans only while active or trialing."""
    return subscription_of(user).effective_plan


def user_limits(user: User) -> PlanLimits:
    """The limits that apply to the user now."""
    return limits_for(effective_plan(user))


def plan_for_price(price_id: str) -> Plan | None:
    """The plan sold under a Stripe price id."""
    for name, conf in current_app.config["PLANS"].items():
        if price_id and conf.get("price_id") == price_id:
            return Plan(name)
    return None
