"""/analytics (charts and tables) and /analytics.csv (the same numbers)."""

import csv
import io

from flask import Response, render_template
from flask_login import current_user, login_required

from app.analytics import bp
from app.analytics.charts import Series, bar_chart, line_chart, stacked_rows
from app.services import analytics, quota

DAYS = 30


def charts_for(figures: analytics.UserAnalytics) -> dict:
    """The page's SVG charts."""
    labels = [d.day.strftime("%m-%d") for d in figures.days]
    tips = [d.day.isoformat() for d in figures.days]
    period_labels = [d.strftime("%m-%d") for d, _n in figures.period.cumulative]

    def breakdown(title, groups):
        return stacked_rows(
            title,
            [
                (
                    g.key.replace("_", " "),
                    [
                        ("completed", g.completed, "chart-ok"),
                        ("failed", g.failed, "chart-bad"),
                        ("other", g.documents - g.completed - g.failed, "chart-other"),
                    ],
                )
                for g in groups
            ],
        )

    return {
        "activity": bar_chart(
            "Batches and documents created per day",
            labels,
            [
                Series("batches", [d.batches for d in figures.days], "chart-a"),
                Series("documents", [d.documents for d in figures.days], "chart-b"),
            ],
            tooltips=tips,
        ),
        "pages": bar_chart(
            "Pages processed per day",
            labels,
            [Series("pages", [d.pages for d in figures.days], "chart-a")],
            tooltips=tips,
        ),
        "period": line_chart(
            "Pages processed this billing period against the plan's quota",
            period_labels,
            [n for _d, n in figures.period.cumulative],
            limit=figures.period.pages_limit,
            limit_label="quota",
        ),
        "by_type": breakdown("Documents by type", figures.by_type),
        "by_strategy": breakdown("Documents by prompt strategy", figures.by_strategy),
    }


@bp.route("/analytics")
@login_required
def index():
    """The user's figures for the last 30 days, drawn as charts."""
    figures = analytics.user_analytics(current_user, days=DAYS)
    return render_template(
        "analytics/index.html",
        f=figures,
        charts=charts_for(figures),
        used=quota.breakdown(current_user),
    )


@bp.route("/analytics.csv")
@login_required
def csv_download():
    """The figures of /analytics as CSV rows: section, key, metric, value."""
    figures = analytics.user_analytics(current_user, days=DAYS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "metric", "value"])
    writer.writerows(analytics.csv_rows(figures))
    filename = f"ingestio-analytics-{figures.end.isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
