from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReportForm(forms.Form):
    """Shape only; rules are in services.appeal_submit."""

    place = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    description = forms.CharField(label=_("遇到了什么问题？"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    category = forms.ChoiceField(label=_("分类"), required=False)
    contact_phone = forms.CharField(label=_("联系电话（仅办理人员可见）"), max_length=20, required=False)
    reporter_name = forms.CharField(label=_("反映人姓名（代报时填写）"), max_length=50, required=False)
    channel = forms.ChoiceField(label=_("来源"), required=False)
    # Read with request.FILES.getlist: services check and clean every image.
    photos = forms.FileField(
        label=_("照片（可选，最多6张）"), required=False, widget=MultipleImageInput(attrs={"accept": "image/*", "multiple": True})
    )

    def __init__(self, *args, categories=(), channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("由系统建议")), *[(c.pk, c.name) for c in categories]]
        if channels:
            self.fields["channel"].choices = list(channels)
        else:  # residents report for themselves: no channel to pick, and none accepted
            del self.fields["channel"]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("评价"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)], widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CategoryForm(forms.ModelForm):
    """Shape only; rules in services.category_save."""

    class Meta:
        from linli.appeals.models import Category

        model = Category
        fields = ["name", "code", "parent", "default_level", "default_handler", "sign_days", "complete_days", "keywords", "is_active"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, parents=(), handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["default_handler"].queryset = handlers
