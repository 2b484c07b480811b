from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (a plain FileField refuses a list: "no file was submitted")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """Shape only; rules are in services.appeal_submit. Without an account, the phone and its
    one-time code are part of the same form: write first, confirm at submit."""

    place = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    description = forms.CharField(label=_("遇到了什么问题？"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    category = forms.ChoiceField(label=_("分类"), required=False)
    contact_phone = forms.CharField(label=_("联系电话（仅办理人员可见）"), max_length=20, required=False)
    reporter_name = forms.CharField(label=_("反映人姓名（代报时填写）"), max_length=50, required=False)
    channel = forms.ChoiceField(label=_("来源"), required=False)
    # Services check and clean every image (type, size, pixels; no metadata kept).
    photos = MultipleFileField(label=_("照片（可选，最多6张，可拍照或从相册选）"), required=False)
    phone = forms.CharField(
        label=_("手机号（接收办理进度）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, categories=(), channels=(), needs_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_code = needs_code
        self.fields["category"].choices = [("", _("由系统建议")), *[(c.pk, c.name) for c in categories]]
        if channels:
            self.fields["channel"].choices = list(channels)
        else:  # residents report for themselves: no channel to pick, and none accepted
            del self.fields["channel"]
        if needs_code:
            self.fields["phone"].required = True
            self.fields["code"].required = True
            del self.fields["contact_phone"]
        else:
            del self.fields["phone"], self.fields["code"]


class AddInfoForm(forms.Form):
    text = forms.CharField(label=_("补充说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleFileField(label=_("补充照片"), required=False)


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
