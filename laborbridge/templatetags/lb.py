"""Template helpers for charts and masked values."""

from django import template

register = template.Library()


@register.filter
def series_max(series) -> int:
    return max((point["value"] for point in series), default=0)


@register.simple_tag
def percent_of(value, peak) -> str:
    if not peak:
        return "0"
    return f"{max(1.0, 100.0 * float(value) / float(peak)) if value else 0:.1f}"
