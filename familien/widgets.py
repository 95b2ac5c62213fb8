from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker. It takes and sends ISO dates (2026-11-27) whatever the
    page's language, so the value is never written in the Danish 27.11.2026 form."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
