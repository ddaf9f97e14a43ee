"""Form fields for the item-version admin that staff can use: levels as checkboxes, process steps
as one text row per step (blank rows to add more), instead of the raw JSON of the model fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .serialize import LEVELS

LEVEL_LABELS = {"province": _("省级"), "city": _("市级"), "county": _("县区级"), "town": _("乡镇街道级"),
                "village": _("村社区级")}
LEVEL_CHOICES = [(code, LEVEL_LABELS[code]) for code in LEVELS]


class LevelsField(forms.MultipleChoiceField):
    """行使层级 as checkboxes; the value stays the model's list of codes, in the catalogue's order."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", LEVEL_CHOICES)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        chosen = set(super().clean(value))
        return [code for code in LEVELS if code in chosen]


class StepRowsWidget(forms.Widget):
    """One text input per step, numbered, plus `spare` blank rows; all inputs share the field's name."""

    template_name = "admin/catalog/step_rows.html"
    spare = 3

    def format_value(self, value):
        if isinstance(value, str):  # the model's JSON text when the form is unbound
            import json

            try:
                value = json.loads(value)
            except ValueError:
                value = [value]
        return [str(v) for v in (value or [])]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = context["widget"]["value"] or []
        context["widget"]["rows"] = [*rows, *[""] * self.spare]
        return context

    def value_from_datadict(self, data, files, name):
        return [v.strip() for v in data.getlist(name) if v and v.strip()] if hasattr(data, "getlist") else data.get(name)


class StepsField(forms.Field):
    """办理流程: a list of non-empty step texts, in order."""

    widget = StepRowsWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(v).strip() for v in value if str(v).strip()]

    def validate(self, value):
        super().validate(value)
        for step in value:
            if len(step) > 200:
                raise forms.ValidationError(_("每个步骤不超过 200 字"))

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)
