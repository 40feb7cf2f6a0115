"""GET /batches/new: the 3-step upload wizard (Files, Prompts, Review), or the upgrade notice."""

from flask import current_app, render_template, url_for
from flask_login import current_user, login_required

from app.batches import bp
from app.intake import ALLOWED_EXTENSIONS, STRATEGY_SENTENCES
from app.services import plans, quota


@bp.get("/batches/new")
@login_required
def new():
    """The wizard for plans with batch upload; starter users see how to upgrade instead."""
    limits = plans.user_limits(current_user)
    if not limits.batch_upload:
        return render_template("batches/upgrade.html", limits=limits)
    usage = quota.summary(current_user)
    config = {
        "createUrl": url_for("api.create_batch"),
        "filesPerBatch": limits.files_per_batch,
        "maxFileBytes": current_app.config["MAX_FILE_BYTES"],
        "maxPromptChars": current_app.config["MAX_PROMPT_CHARS"],
        "pagesLeft": usage["pages_left"],
        "extensions": sorted(ALLOWED_EXTENSIONS),
        "plan": limits.plan.value,
    }
    return render_template(
        "batches/new.html",
        wizard_config=config,
        limits=limits,
        usage=usage,
        max_file_mb=current_app.config["MAX_FILE_BYTES"] // (1024 * 1024),
        max_prompt_chars=current_app.config["MAX_PROMPT_CHARS"],
        sentences={str(k): v for k, v in STRATEGY_SENTENCES.items()},
    )
