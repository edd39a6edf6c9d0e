"""``manage.py plugins``: list, activate and deactivate plugins per site from
the shell, with the same rules, hooks and audit log as the admin screen."""
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from hearthside.extending.activation import (
    PluginActivationError,
    activate,
    active_plugin_labels,
    deactivate,
)
from hearthside.extending.plugins import installed_plugins


class Command(BaseCommand):
    help = "List installed plugins, or activate/deactivate one on a site."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "activate", "deactivate"])
        parser.add_argument("plugin", nargs="?", help="The plugin's label, as `list` shows it.")
        parser.add_argument(
            "--site", help="The site's hostname (default: the default site).", default=None
        )

    def handle(self, *args, action, plugin, site, **options):
        site = self._site(site)
        if action == "list":
            self._list(site)
            return
        if not plugin:
            raise CommandError(f"Name the plugin to {action}, e.g. `manage.py plugins {action} <label>`.")
        change = activate if action == "activate" else deactivate
        try:
            config = change(site, plugin)
        except PluginActivationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"“{config.meta.name}” is now {action}d on {site.hostname}.")

    def _site(self, hostname):
        if hostname is None:
            site = Site.objects.filter(is_default_site=True).first()
            if site is None:
                raise CommandError("There is no default site; pass --site <hostname>.")
            return site
        sites = list(Site.objects.filter(hostname=hostname))
        if len(sites) != 1:
            known = ", ".join(Site.objects.values_list("hostname", flat=True)) or "none"
            problem = "No site has" if not sites else "More than one site has"
            raise CommandError(f"{problem} the hostname “{hostname}”. Sites: {known}.")
        return sites[0]

    def _list(self, site):
        active = active_plugin_labels(site)
        plugins = installed_plugins()
        if not plugins:
            self.stdout.write("No plugins are installed.")
        for plugin in plugins:
            state = "active" if plugin.label in active else "inactive"
            requires = f"  requires: {', '.join(plugin.meta.requires)}" if plugin.meta.requires else ""
            self.stdout.write(f"{plugin.label:<20} {state:<9} {plugin.meta.version:<8} {plugin.meta.name}{requires}")
