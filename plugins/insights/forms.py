from __future__ import annotations

from django import forms
from wagtail.models import Site

from hearthside.shortcuts import site_label

from .period import DEFAULT_DAYS, MAX_DAYS, PRESETS, Period, PeriodError

CUSTOM = "custom"


class PeriodForm(forms.Form):
    """The dashboard's choice of site and period, read from the query string."""

    site = forms.ModelChoiceField(queryset=Site.objects.order_by("hostname"), required=False, empty_label=None)
    period = forms.ChoiceField(
        choices=[*((str(days), label) for days, label in PRESETS.items()), (CUSTOM, "Between two dates")],
        required=False,
    )
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, default_site: Site):
        super().__init__(data)
        # One query for the list; the field's queryset still checks a chosen site.
        self.sites = list(Site.objects.order_by("hostname"))
        self.fields["site"].choices = [(site.pk, site_label(site)) for site in self.sites]
        self.fields["site"].initial = default_site.pk
        self.default_site = default_site
        if len(self.sites) < 2:
            self.fields["site"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                raise forms.ValidationError("Give both dates of the period, or pick one of the others.")
            try:
                cleaned["range"] = Period.between(start, end)
            except PeriodError as error:
                raise forms.ValidationError(str(error)) from error
        else:
            cleaned["range"] = Period.last(int(cleaned.get("period") or DEFAULT_DAYS))
        return cleaned

    @property
    def chosen_site(self) -> Site:
        return (self.cleaned_data.get("site") if self.is_bound and self.is_valid() else None) or self.default_site

    @property
    def chosen_period(self) -> Period:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["range"]
        return Period.last(DEFAULT_DAYS)


__all__ = ["PeriodForm", "MAX_DAYS"]
