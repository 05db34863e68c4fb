"""Forms of the equity pages: a history file to import, a source to pull history from."""

from django import forms

from apps.equity.serializers import MAX_UPLOAD_BYTES
from apps.sources.models import Source


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: timestamp, source, equity, realized, unrealized (UTF-8, header row first).",
    )
    commit_good_rows = forms.BooleanField(
        required=False, label="Import the good rows even if some are bad (the bad ones are listed, not imported)"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is over {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text: save it as “CSV UTF-8”.")


class PullForm(forms.Form):
    source = forms.ModelChoiceField(queryset=Source.objects.none(), to_field_name="name", empty_label=None)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
