"""口径: what every dashboard figure counts, in one place. The dashboard's "口径" page and
docs/DASHBOARD.md show these texts; ``selectors.appeal_figures`` computes exactly them (each
entry names its numerator and denominator as the selector's keys)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    definition: str


APPEAL_FIGURES = [
    Figure("total", _("诉求总数"), _("统计期内提交的诉求，含不予受理和已并单的。按提交时间（北京时间）归入统计期。")),
    Figure("valid", _("有效诉求"), _("诉求总数减去不予受理和已并入其他诉求的。以下各率只统计有效诉求。")),
    Figure(
        "response",
        _("响应率"),
        _("在签收期限内首次签收的诉求 ÷ 已派单且签收已见分晓的诉求（已签收，或签收期限已过仍未签收）。期限按派单时的工作日计算。"),
    ),
    Figure(
        "on_time",
        _("按时办结率"),
        _("在办结期限内办结的诉求 ÷ 办结已见分晓的诉求（已办结，或办结期限已过仍未办结）。重新办理的以最后一次办结为准。"),
    ),
    Figure("solved", _("解决率"), _("已办结或已关闭且从未重新办理的诉求 ÷ 有效诉求。重新办理后再办结的不计入分子。")),
    Figure(
        "satisfied",
        _("满意率"),
        _("已办结或已关闭、评价为4星或5星的诉求 ÷ 其中已评价的。未评价的不计入分母，单独列出“未评价”数；重新评价的以最后一次为准。"),
    ),
    Figure("unrated", _("未评价"), _("已办结或已关闭、居民尚未评价的有效诉求数（不计入满意率）。")),
    Figure("revisited", _("回访率"), _("已回访的诉求 ÷ 已办结或已关闭的诉求。")),
    Figure(
        "levels",
        _("各层级办结占比"),
        _("已办结或已关闭的诉求中，在楼栋、网格、社区、职能部门层级办结的各占多少（按办结时所在层级）。"),
    ),
    Figure("overdue", _("超期未办结"), _("尚未办结（不含不予受理、已并单）且办结期限已过的诉求，按查看时刻计算。")),
    Figure("sign_overdue", _("超期未签收"), _("已派单、尚未签收且签收期限已过的诉求，按查看时刻计算。")),
    Figure("supervised", _("督办"), _("统计期内提交、被街道或社区督办过的有效诉求数。")),
    Figure("sign_days", _("平均签收用时"), _("从提交到首次签收经过的工作日数的平均值（当天签收为0）。")),
    Figure("resolve_days", _("平均办结用时"), _("从提交到（最后一次）办结经过的工作日数的平均值。")),
]

# The other domains, on a community's dashboard (counted live: small tables).
WORK_FIGURES = [
    Figure("topics", _("议题"), _("统计期内向本社区各议事会提出的议题数。")),
    Figure(
        "monthly_meetings",
        _("一月一议落实率"),
        _("各议事会在统计期内已过去的月份中召开过会议的“议事会·月”数 ÷ 议事会数 × 月份数。"),
    ),
    Figure("resolutions_on_time", _("决议按期完成率"), _("完成期限在统计期内（且已到）的采纳决议中，在期限当天或之前完成的占比。")),
    Figure("wishes_posted", _("上墙心愿"), _("统计期内发布并通过审核的微心愿数（不含未通过、已撤回）。")),
    Figure("wishes_fulfilled", _("圆梦率"), _("其中已由心愿人确认圆梦的占比。")),
    Figure(
        "patrol_compliance",
        _("巡查达标率"),
        _("网格员在统计期内（截至昨天）规则适用的每一天，在本网格小区内巡查时长达到社区规定（默认60分钟）的“人·天”数 ÷ 网格员数 × 天数。"),
    ),
    Figure("visits_overdue", _("走访超期户数"), _("按关怀标签的走访频次，此刻已超过应走访日期仍未走访的家庭户数。")),
]
