"""The shapes of what wish pages post. Shape only: rules are in services and access."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.wishes.models import Wish


class WishPostForm(forms.Form):
    title = forms.CharField(label=_("心愿"), max_length=60)
    kind = forms.ChoiceField(label=_("类型"), choices=Wish.Kind.choices)
    description = forms.CharField(label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    campaign = forms.ModelChoiceField(label=_("活动"), queryset=None, required=False)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ClaimForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("代表单位认领"), queryset=None, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        from linli.registry.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])


class ProofForm(forms.Form):
    photo = forms.FileField(label=_("圆梦照片"))  # checked and cleaned by services (core.images)


class ResidentParam(forms.Form):
    resident = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
