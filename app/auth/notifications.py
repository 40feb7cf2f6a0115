"""The account page's notifications: webhook endpoints and the e-mail when a batch finishes."""

from flask import flash, g, redirect, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, widgets
from wtforms.validators import Length

from app.auth import bp
from app.auth.routes import account_page
from app.errors import ApiError
from app.extensions import db
from app.models import NotificationSetting
from app.notifications import endpoints, outbox

DELIVERIES_ON_PAGE = 10


class WebhookForm(FlaskForm):
    url = StringField("Endpoint URL", validators=[Length(max=endpoints.MAX_URL_CHARS)])
    description = StringField(
        "Description", validators=[Length(max=endpoints.MAX_DESCRIPTION_CHARS)]
    )
    events = SelectMultipleField(
        "Events",
        choices=[(e, e) for e in outbox.EVENT_TYPES],
        default=list(outbox.EVENT_TYPES),
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validate_choice=False,
    )


class MailForm(FlaskForm):
    batch_email = BooleanField("E-mail me when a batch finishes")


class ButtonForm(FlaskForm):
    """Only the CSRF token, for buttons that post."""


def panel() -> dict:
    """What the notifications part of the account page shows."""
    setting = db.session.get(NotificationSetting, current_user.id)
    rows = endpoints.of_user(current_user)
    return {
        "webhooks": [(e, endpoints.deliveries(e, DELIVERIES_ON_PAGE)) for e in rows],
        "form": g.pop("webhook_form", None) or WebhookForm(formdata=None),
        "mail_form": MailForm(formdata=None, batch_email=bool(setting and setting.batch_email)),
        "button_form": ButtonForm(),
        "mail_configured": outbox.mail_configured(),
        "new_secret": g.pop("new_webhook_secret", None),
        "event_types": outbox.EVENT_TYPES,
    }


@bp.app_context_processor
def notifications_context() -> dict:
    return {"notifications_panel": panel}


@bp.route("/account/webhooks", methods=["POST"])
@login_required
def create_webhook():
    """Add a webhook endpoint and show its secret once."""
    form = WebhookForm()
    if not form.validate_on_submit():
        flash("The URL or the description is too long.", "error")
        return redirect(url_for("auth.account", _anchor="webhooks"))
    try:
        _endpoint, secret = endpoints.create(
            current_user, form.url.data, form.events.data or None, form.description.data
        )
    except ApiError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        g.webhook_form = form
        return account_page(), 400
    db.session.commit()
    g.new_webhook_secret = secret
    return account_page()


@bp.route("/account/webhooks/<uuid:webhook_id>/delete", methods=["POST"])
@login_required
def delete_webhook(webhook_id):
    """Remove one of the user's endpoints."""
    if ButtonForm().validate_on_submit():
        db.session.delete(endpoints.owned(current_user, webhook_id))
        db.session.commit()
        flash("The webhook endpoint was deleted.", "success")
    return redirect(url_for("auth.account", _anchor="webhooks"))


@bp.route("/account/webhooks/<uuid:webhook_id>/test", methods=["POST"])
@login_required
def test_webhook(webhook_id):
    """Send a ping to one of the user's endpoints."""
    endpoint = endpoints.owned(current_user, webhook_id)
    if ButtonForm().validate_on_submit():
        if endpoint.enabled:
            endpoints.send_ping(endpoint)
            db.session.commit()
            flash("A ping event is on its way; its delivery appears below.", "success")
        else:
            flash("A disabled endpoint receives nothing.", "error")
    return redirect(url_for("auth.account", _anchor="webhooks"))


@bp.route("/account/notifications/email", methods=["POST"])
@login_required
def save_mail_setting():
    """Turn the e-mail on a finished batch on or off."""
    form = MailForm()
    if form.validate_on_submit():
        setting = outbox.remember_site_url(current_user.id)
        setting.batch_email = bool(form.batch_email.data)
        db.session.commit()
        flash(
            "You will get an e-mail when a batch finishes."
            if setting.batch_email
            else "No more e-mails when a batch finishes.",
            "success",
        )
    return redirect(url_for("auth.account", _anchor="email"))
