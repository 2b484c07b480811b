"""The shapes of what council pages post. Shape only: rules are in services and access."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.councils.models import RULE_LABELS, Council, Meeting, Member
from linli.councils.selectors import vote_compounds
from linli.councils.voting import Choice


class TopicProposeForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("我的意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class OptionForm(forms.Form):
    title = forms.CharField(label=_("方案"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=1000, required=False)


class VoteOpenForm(forms.Form):
    rule = forms.ChoiceField(label=_("表决规则"), choices=list(RULE_LABELS.items()))
    option = forms.ModelChoiceField(label=_("方案"), queryset=None, required=False)
    meeting = forms.ModelChoiceField(label=_("会议"), queryset=None, required=False)
    # Owners' votes (业主共同决定) are of one compound's owners; a community's council picks it.
    compound = forms.ModelChoiceField(label=_("业主表决的小区"), queryset=None, required=False)
    secret = forms.BooleanField(label=_("无记名"), required=False)

    def __init__(self, *args, topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = topic.options.all()
        self.fields["meeting"].queryset = topic.council.meetings.all()
        self.fields["compound"].queryset = vote_compounds(topic.council)


class ResolutionForm(forms.Form):
    vote = forms.ModelChoiceField(label=_("依据的表决"), queryset=None, empty_label=None)
    decision = forms.CharField(label=_("决议"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    responsible = forms.CharField(label=_("责任方"), max_length=200)
    due_on = forms.DateField(label=_("完成期限"))
    notice_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=30, initial=7)

    def __init__(self, *args, topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vote"].queryset = topic.votes.filter(status="closed").order_by("-closed_at")


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("进展"), max_length=1000)
    done = forms.BooleanField(label=_("已全部完成"), required=False)


CHOICE_LABELS = {"for": _("赞成"), "against": _("反对"), "abstain": _("弃权")}


class BallotForm(forms.Form):
    """One's own ballot, or — for staff — a paper ballot for a member present or a dwelling."""

    choice = forms.ChoiceField(label=_("表决意见"), choices=[(c.value, CHOICE_LABELS[c.value]) for c in Choice])
    member = forms.ModelChoiceField(label=_("代录纸质票：到会成员"), queryset=None, required=False)
    dwelling = forms.CharField(label=_("代录纸质票：房屋地址"), max_length=200, required=False)

    def __init__(self, *args, vote, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = vote.topic.council.members.filter(
            pk__in=vote.meeting.attendance.values("member_id") if vote.meeting_id else []
        )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Meeting.Kind.choices, initial=Meeting.Kind.MATTER)
    title = forms.CharField(label=_("会议"), max_length=100)
    scheduled_at = forms.DateTimeField(label=_("时间"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
    location = forms.CharField(label=_("地点"), max_length=100, required=False)
    topics = forms.ModelMultipleChoiceField(label=_("议程"), queryset=None, required=False)

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = council.topics.all()


class AttendanceForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6}))
    present = forms.ModelMultipleChoiceField(label=_("到会成员"), queryset=None, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = meeting.council.members.all()


class SignInForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=12, required=False)


class RaiseForm(forms.Form):
    building = forms.CharField(max_length=64)
    category = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    title = forms.CharField(label=_("议题"), max_length=100, required=False)


class CouncilForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Council.Kind.choices)
    compound = forms.ModelChoiceField(label=_("小区（邻里议事会填写）"), queryset=None, required=False)
    support_threshold = forms.IntegerField(label=_("附议多少人进入议题"), min_value=1, max_value=10000, initial=10)

    def __init__(self, *args, communities, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["compound"].queryset = compounds


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("身份"), choices=Member.Role.choices)
    username = forms.CharField(label=_("平台账号（可空：无手机的成员由工作人员签到）"), max_length=150, required=False)


class CouncilRuleForm(forms.Form):
    comment_days = forms.IntegerField(
        label=_("会前公示征求意见不少于（天）"),
        min_value=1,
        max_value=60,
        help_text=_("议题公示后，居民至少有这么多天提出意见，才能进入协商讨论。"),
    )
    deliberate_days = forms.IntegerField(label=_("协商讨论不少于（天）"), min_value=0, max_value=60, help_text=_("0 表示不设下限。"))
