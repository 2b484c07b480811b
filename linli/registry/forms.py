from django import forms
from django.utils.translation import gettext_lazy as _

from linli.registry.models import Gender, Registration, Relationship


class ResidentForm(forms.Form):
    """Shape only: the rules (ID check digit, phone, consistency) are in services.clean_resident_fields."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    relationship = forms.ChoiceField(label=_("与户主关系"), choices=Relationship.choices)
    registration = forms.ChoiceField(label=_("户籍状态"), choices=Registration.choices)
    care_tags = forms.MultipleChoiceField(label=_("关怀标签"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, tag_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_tags"].choices = list(tag_choices)


class ImportForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
