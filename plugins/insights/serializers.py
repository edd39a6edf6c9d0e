from rest_framework import serializers


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="A count, a fraction (percent) or seconds.")
    unit = serializers.ChoiceField(choices=["count", "percent", "seconds"])
    display = serializers.CharField(help_text="The value as the dashboard shows it.")
    note = serializers.CharField(allow_blank=True)


class ChartSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=["timeseries", "bars", "table"])
    description = serializers.CharField(allow_blank=True)
    cumulative = serializers.BooleanField(help_text="Timeseries only: the values are running totals.")
    percent = serializers.BooleanField(help_text="Bars only: the dashboard shows each row's share.")
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text='One list per row: ISO dates, numbers, text, null, or {"text", "url"} links.',
    )
    csv_url = serializers.CharField(help_text="The admin's CSV download of this chart.")


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    figures = FigureSerializer(many=True)
    charts = ChartSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    weekly = serializers.BooleanField(help_text="Timeseries rows are weeks, not days.")


class DashboardSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    period = PeriodSerializer()
    sections = SectionSerializer(many=True)


class InsightsErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    field = serializers.CharField(allow_null=True)
