"""``manage.py check`` reports every broken plugin and theme with a clear message.

IDs: hearthside.E00x plugins, hearthside.E01x/W01x themes and slots.
"""
from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template

from hearthside.extending.plugins import PluginConfig, plugin_configs
from hearthside.extending.slots import all_slots
from hearthside.themes.current import catalogue, using_theme

# Templates every theme chain must be able to render.
REQUIRED_TEMPLATES = (
    "base.html",
    "pages/home_page.html",
    "pages/section_index_page.html",
    "pages/article_page.html",
    "pages/offer_page.html",
    "pages/standard_page.html",
    "search.html",
    "404.html",
    "500.html",
)


@register("hearthside")
def check_plugins(app_configs=None, **kwargs):
    from django.apps import apps

    return plugin_problems(
        plugin_configs(), settings.HEARTHSIDE_PLUGIN_DISCOVERY, apps.get_app_configs()
    )


def plugin_problems(plugin_configs, discovery, all_app_configs) -> list:
    """Problems with the given plugin AppConfigs, discovery and installed apps."""
    errors = []
    for source, message in discovery.problems:
        errors.append(Error(f"Plugin {source} {message}.", id="hearthside.E001", obj=source))
    for name in discovery.unknown_exclusions:
        errors.append(
            Warning(
                f"HEARTHSIDE_PLUGINS_EXCLUDE names {name!r}, which is not an installed plugin.",
                hint="Use a plugin's folder name under plugins/ or its entry-point name.",
                id="hearthside.W001",
            )
        )
    for dotted in discovery.app_paths:
        config = next((c for c in all_app_configs if c.name == dotted), None)
        if config is not None and not isinstance(config, PluginConfig):
            errors.append(
                Error(
                    f"{dotted} is installed as a plugin, but its AppConfig "
                    f"{type(config).__name__} does not subclass hearthside.extending.plugins.PluginConfig.",
                    id="hearthside.E002",
                    obj=dotted,
                )
            )

    plugins = {p.label: p for p in plugin_configs}
    for label, plugin in plugins.items():
        if plugin.meta is None:
            errors.append(
                Error(f"Plugin {label!r} has no PluginMeta (set `meta` on its AppConfig).",
                      id="hearthside.E003", obj=label)
            )
            continue
        for problem in plugin.meta.problems():
            errors.append(Error(f"Plugin {label!r}: {problem}.", id="hearthside.E003", obj=label))
        for required in plugin.meta.requires if not isinstance(plugin.meta.requires, str) else ():
            if required not in plugins:
                errors.append(
                    Error(
                        f"Plugin {label!r} requires {required!r}, which is not installed.",
                        hint="Install that plugin, or remove it from meta.requires.",
                        id="hearthside.E004",
                        obj=label,
                    )
                )
    errors += _requirement_cycles(plugins)
    return errors


def _requirement_cycles(plugins: dict[str, PluginConfig]) -> list[Error]:
    errors, reported = [], set()
    for start in plugins:
        stack = [(start, [start])]
        while stack:
            current, path = stack.pop()
            meta = plugins[current].meta
            for required in (meta.requires if meta and not isinstance(meta.requires, str) else ()):
                if required == start:
                    cycle = frozenset(path)
                    if cycle not in reported:
                        reported.add(cycle)
                        errors.append(
                            Error(
                                f"Plugins require each other in a loop: {' → '.join(path + [start])}.",
                                id="hearthside.E005",
                            )
                        )
                elif required in plugins and required not in path:
                    stack.append((required, path + [required]))
    return errors


@register("hearthside")
def check_themes(app_configs=None, **kwargs):
    errors = []
    themes = catalogue()
    for folder, message in themes.problems:
        errors.append(Error(f"Theme {folder!r} {message}.", id="hearthside.E010", obj=folder))
    default = settings.HEARTHSIDE_DEFAULT_THEME
    if default not in themes.themes:
        errors.append(
            Error(
                f"The default theme {default!r} is missing or broken.",
                hint="HEARTHSIDE_DEFAULT_THEME must name a working theme under themes/.",
                id="hearthside.E012",
            )
        )
        return errors

    known_slots = {slot.name for slot in all_slots()}
    rendered = set()
    for theme in themes.themes.values():
        for slot_name in theme.slots:
            if slot_name not in known_slots:
                errors.append(
                    Error(
                        f"Theme {theme.name!r} says it renders the slot {slot_name!r}, which does not exist.",
                        hint=f"Known slots: {', '.join(sorted(known_slots))}.",
                        id="hearthside.E011",
                        obj=theme.name,
                    )
                )
        rendered |= set(theme.slots)
        with using_theme(theme.name):
            for template_name in REQUIRED_TEMPLATES:
                try:
                    get_template(template_name)
                except TemplateDoesNotExist:
                    errors.append(
                        Error(
                            f"Theme {theme.name!r} has no template {template_name!r}, "
                            "and neither do its parents or the default theme.",
                            id="hearthside.E013",
                            obj=theme.name,
                        )
                    )
                except TemplateSyntaxError as error:
                    errors.append(
                        Error(
                            f"Theme {theme.name!r}: template {template_name!r} does not compile: {error}",
                            id="hearthside.E014",
                            obj=theme.name,
                        )
                    )

    for slot in all_slots():
        if slot.name in rendered:
            continue
        for contribution in slot.contributions:
            errors.append(
                Warning(
                    f"{contribution.plugin or 'The core'} contributes {contribution.name} to the slot "
                    f"{slot.name!r}, which no installed theme renders, so it will never be seen.",
                    hint="Add the slot to a theme (and its manifest), or contribute to another slot.",
                    id="hearthside.W011",
                    obj=slot.name,
                )
            )
    return errors


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """With several web processes, a per-process cache would keep serving pages
    that another process purged."""
    from django.conf import settings as django_settings

    backend = django_settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache") and django_settings.HEARTHSIDE_PAGE_CACHE_SECONDS:
        return [
            Warning(
                "The page cache is in each process's own memory, so a purge in one web "
                "process leaves the others serving stale pages.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/1.",
                id="hearthside.W020",
            )
        ]
    return []


@register("hearthside")
def check_rate_limits(app_configs=None, **kwargs):
    from hearthside.ratelimit import configured_rules

    try:
        configured_rules()
    except (ValueError, TypeError) as error:
        return [
            Error(
                f"HEARTHSIDE_RATE_LIMITS is malformed: {error}",
                hint="Each rule is (name, path pattern, [methods], rate), e.g. ('searches', r'^/search/$', ['GET'], '60/m').",
                id="hearthside.E020",
            )
        ]
    return []


@register("hearthside")
def check_held_tasks(app_configs=None, **kwargs):
    """hearthside.tasks.RQBackend keeps what Redis cannot take in the
    ``held`` backend; without it, an outage would raise after all."""
    from hearthside.tasks import HELD

    holding = [alias for alias, options in settings.TASKS.items()
               if options.get("BACKEND") == "hearthside.tasks.RQBackend"]
    held_backend = settings.TASKS.get(HELD, {}).get("BACKEND")
    if holding and held_backend != "django_tasks_db.DatabaseBackend":
        return [
            Error(
                f"TASKS {holding[0]!r} holds tasks in the {HELD!r} backend while Redis is down, "
                f"but TASKS[{HELD!r}] is {held_backend or 'missing'}.",
                hint=f'Add TASKS["{HELD}"] = {{"BACKEND": "django_tasks_db.DatabaseBackend"}}.',
                id="hearthside.E030",
            )
        ]
    return []
