"""A form's fields as a browser would post them, read from its HTML: for
tests that change one field of an admin screen and keep the rest."""
from __future__ import annotations

# Inputs a browser posts nothing for (or nothing a test can fill in).
NOT_POSTED = ("submit", "button", "range", "file")


def posted_fields(form) -> dict:
    """``{name: value}`` of a BeautifulSoup ``form``: checked boxes only,
    the selected option, textareas' text; no CSRF token and no formset
    templates (``__prefix__``)."""
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name, kind = field.get("name"), field.get("type")
        if not name or "__prefix__" in name or name == "csrfmiddlewaretoken" or kind in NOT_POSTED:
            continue
        if kind in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.name == "textarea":
            data[name] = field.get_text().lstrip("\n")
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen.get("value", "") if chosen else ""
        else:
            data[name] = field.get("value") or ""
    return data
