"""Demo knowledge base (知识库, R12): published articles on toll-station, ETC and tunnel
equipment (internal and for customers), one waiting for review, and a draft written from the
resolved demo case 昌吉收费站UPS电池告警, which the UPS article is recorded as having solved.
Everything goes through the knowledge services, so search finds it all."""

from __future__ import annotations

from typing import Any

from aftersales.accounts.models import User
from aftersales.assets.models import Product
from aftersales.cases.models import Case
from aftersales.emergencies.models import FaultClass
from aftersales.knowledge import services

# (title, products, fault class, visibility, problem, symptoms, cause, solution)
ARTICLES: list[tuple[str, list[str], str | None, str, str, str, str, str]] = [
    ("RSU 天线断电导致 ETC 车道无法交易", ["RSU-5800"], "lane-down", "customers",
     "ETC 车道车辆无法完成交易，车道改为人工收费。",
     "RSU-5800（及老型号 RSU-5000）天线指示灯全灭，车道软件提示“RSU 无响应”。",
     "天线电源适配器损坏或供电线路松动，天线断电。",
     "1. 检查天线电源适配器输出（DC 12V）；2. 紧固供电端子；3. 适配器损坏时更换备件；"
     "4. 重启 RSU 控制器，确认心跳恢复后做一次交易测试。"),
    ("RSU 天线交易成功率低（OBU 读取失败）", ["RSU-5800"], None, "internal",
     "车辆通过时 OBU 读取失败率明显升高。",
     "交易日志中“读 OBU 超时”增多，成功率低于 98%。",
     "天线俯仰角偏移、功率设置过低或附近有同频干扰。",
     "校准天线角度（覆盖区中心距线圈 4–6 米），核对发射功率，排查同频干扰源；调整后连续观察 100 笔交易。"),
    ("车道控制机黑屏、开机无显示", ["LANE-2000"], "lane-down", "customers",
     "车道控制机开机后显示器黑屏，收费员无法操作。",
     "主机风扇转动但显示器无信号；有时伴随蜂鸣。",
     "显示器电源或视频线接触不良，少数为内存条氧化。",
     "先检查显示器电源和 VGA/HDMI 线；无效时断电后重新插拔内存条并清洁金手指；仍无显示则更换主板。"),
    ("车道控制机频繁死机、卡顿", ["LANE-2000"], None, "internal",
     "车道控制机运行中卡死，需要重启才能恢复。",
     "收费软件界面卡住，键盘无响应，一天多次。",
     "机箱内积灰导致 CPU 过热，或硬盘坏道。",
     "清理机箱灰尘、更换导热硅脂；用厂家工具检测硬盘，存在坏道时更换 SSD 并恢复系统镜像。"),
    ("收费车道 IC 卡读卡器卡卡、读卡失败", ["LANE-2000"], None, "customers",
     "人工车道读卡器读卡失败，通行卡卡在读卡器里。",
     "提示“读卡失败，请重试”，通行卡插入后取不出。",
     "读卡器卡槽积尘、弹片变形。",
     "断电后用专用清洁卡清理卡槽，矫正或更换弹片；每月例行清洁一次。"),
    ("隧道摄像机黑屏、视频丢失", ["CAM-HD3000"], "camera-offline", "customers",
     "隧道监控画面黑屏，监控中心看不到现场图像。",
     "平台显示“视频丢失”，摄像机网络可 ping 通或不通。",
     "摄像机供电模块老化，或光纤收发器断电。",
     "检查摄像机供电（AC 24V）与光纤收发器指示灯；更换供电模块后在平台重新拉流确认。"),
    ("隧道摄像机图像模糊、夜间发白", ["CAM-HD3000"], None, "internal",
     "隧道内摄像机图像模糊，夜间画面发白。",
     "画面整体发雾，车牌无法辨认。",
     "防护罩被油烟粉尘污染，红外灯反光。",
     "清洁防护罩玻璃，调整红外补光角度和曝光参数；将清洁纳入季度巡检。"),
    ("OTN 光传输设备 LOS 告警、视频回传中断", ["OTN-960"], "comms-loss", "internal",
     "分中心视频回传中断，OTN 网管出现 LOS 告警。",
     "板卡 LOS 灯常亮，对端收不到光。",
     "光纤被挖断或跳线松动、弯折过度。",
     "用光功率计逐段测试，重新插拔或更换跳线；主干光缆中断时切换保护路由并通知线路维护单位。"),
    ("UPS 电池老化导致断电保护失效", ["UPS-20K"], "power-failure", "customers",
     "市电断电时 UPS 无法支撑，收费站设备同时掉电。",
     "UPS 面板电池告警，放电测试时间明显缩短。",
     "蓄电池使用超过 4 年，内阻增大、容量下降。",
     "逐节测试电池内阻和电压，更换老化电池组（同批次整组更换），完成后做一次满载放电测试。"),
    ("收费站整站断电后的恢复步骤", ["UPS-20K", "LANE-2000", "RSU-5800"], "power-failure", "customers",
     "收费站外部供电中断后设备恢复顺序不当，导致车道长时间无法开通。",
     "来电后车道控制机、RSU 启动异常，部分车道无法交易。",
     "设备同时上电冲击，或启动顺序不正确。",
     "按顺序恢复：UPS → 网络交换机 → 服务器 → 车道控制机 → RSU 与外设；每一步确认正常后再进行下一步，"
     "最后逐车道做交易测试。"),
]
IN_REVIEW = ("情报板部分像素不亮", [], "sign-fault", "internal", "可变情报板显示缺字。", "部分 LED 模组不亮。",
             "模组老化或排线松动。", "更换 LED 模组并紧固排线，完成后全屏自检。")
RESOLVED_CASE_TITLE = "昌吉收费站UPS电池告警"


def _create(author: User, spec: tuple[str, list[str], str | None, str, str, str, str, str],
            products: dict[str, Any], fault_classes: set[str]) -> Any:
    title, models, fault, visibility, problem, symptoms, cause, solution = spec
    return services.article_create(
        actor=author, title=title, problem=problem, symptoms=symptoms, cause=cause, solution=solution,
        product_ids=[products[m] for m in models if m in products],
        fault_class=fault if fault in fault_classes else None, visibility=visibility,
    )


def load_knowledge(*, staff: dict[str, User]) -> None:
    """~10 published articles, one in review, and a draft from the resolved UPS case."""
    author, reviewer = staff["engineer"], staff["expert"]
    products = dict(Product.objects.values_list("model", "pk"))
    fault_classes = set(FaultClass.objects.values_list("code", flat=True))
    published = {}
    for spec in ARTICLES:
        article = _create(author, spec, products, fault_classes)
        services.article_transition(actor=author, article_id=article.pk, action="submit")
        published[spec[0]] = services.article_transition(actor=reviewer, article_id=article.pk, action="publish")
    waiting = _create(staff["agent"], IN_REVIEW, products, fault_classes)
    services.article_transition(actor=staff["agent"], article_id=waiting.pk, action="submit")
    case = Case.objects.filter(title=RESOLVED_CASE_TITLE, resolved_at__isnull=False).first()
    if case is not None:
        services.article_draft_from_case(actor=staff["agent"], case_id=case.pk)
        services.case_record_solution(actor=staff["agent"], case_id=case.pk,
                                      article_id=published["UPS 电池老化导致断电保护失效"].pk)
