"""The shapes of what notice pages post. Shape only: rules are in services and access."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.notices.models import GroupSource, Priority

MAX_ID = 2**63 - 1


def _id(**kw):
    return forms.IntegerField(min_value=1, max_value=MAX_ID, **kw)


class NoticeForm(forms.Form):
    """``target`` names one node: ``place:<id>``, ``grid:<id>`` or ``group:<id>`` — the choices
    are the nodes this person may publish to (``access.publish_*``)."""

    target = forms.ChoiceField(label=_("发送范围"))
    title = forms.CharField(label=_("标题"), max_length=60)
    body = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices, initial=Priority.NORMAL)
    sms = forms.BooleanField(label=_("同时发短信（紧急通知总会发短信）"), required=False)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, targets=(), **kw):
        super().__init__(*args, **kw)
        self.fields["target"].choices = targets


class NewParams(forms.Form):
    target = forms.RegexField(regex=r"^(place|grid|group):\d{1,18}$", required=False)


class UnreadParams(forms.Form):
    unit = _id(required=False)
    page = _id(required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("留言"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=200)


class IdListField(forms.Field):
    """Residents chosen in the picker: each a ``members`` value (a checked box)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        ids = []
        for part in value or []:
            part = str(part).strip()
            if not part.isdigit() or not 0 < int(part) <= MAX_ID:
                raise forms.ValidationError(_("成员编号应为数字。"))
            ids.append(int(part))
        if len(ids) > 500:
            raise forms.ValidationError(_("一次最多500人。"))
        return list(dict.fromkeys(ids))


class GroupForm(forms.Form):
    name = forms.CharField(label=_("群组名称"), max_length=60)
    source = forms.ChoiceField(label=_("成员来源"), choices=GroupSource.choices)
    council = _id(label=_("议事会"), required=False)
    team = _id(label=_("志愿服务队"), required=False)
    tag = _id(label=_("关怀标签"), required=False)
    members = IdListField(label=_("成员"), required=False)


class PeopleParams(forms.Form):
    """The member picker: ``q`` finds, ``pick`` adds one."""

    q = forms.CharField(required=False, max_length=30)
    pick = _id(required=False)
