"""Forms of the accounts pages."""

from django import forms


class AuditFilterForm(forms.Form):
    """The audit log filter: one action, one actor (username)."""

    action = forms.ChoiceField(required=False)
    actor = forms.CharField(required=False, max_length=150, widget=forms.TextInput(attrs={"placeholder": "username"}))

    def __init__(self, *args, actions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All actions")] + [(name, name) for name in actions]
