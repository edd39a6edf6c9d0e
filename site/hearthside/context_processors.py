from hearthside.themes.current import current_theme_name


def theme(request):
    """``theme_static``: the static prefix of the active theme, e.g. themes/hearth."""
    return {"theme_name": current_theme_name(), "theme_static": f"themes/{current_theme_name()}"}
