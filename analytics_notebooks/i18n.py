"""The reports' words in English and Chinese: titles, axis labels, table headers."""

from __future__ import annotations

LANGUAGES = ("en", "zh")

WORDS: dict[str, tuple[str, str]] = {
    # report titles and common words
    "visitor_report": ("Visitor report", "游客报告"),
    "preservation_report": ("Preservation report", "文物保护报告"),
    "heritage_impact": ("Heritage-impact check", "文物影响评估"),
    "window": ("{first} to {last} ({days} days, {tz})", "{first} 至 {last}（{days} 天，{tz}）"),
    "date": ("Date", "日期"), "hour": ("Hour", "时段"), "hour_of_day": ("Hour of day", "小时"),
    "zone": ("Zone", "区域"), "kind": ("Kind", "类型"), "capacity": ("Capacity", "容量"),
    "visits": ("Visits", "参观人次"), "cave": ("Cave", "洞窟"), "none": ("none", "无"),
    "share": ("Share", "比例"), "hours": ("Hours", "小时数"), "count": ("Count", "次数"),
    "no_data": ("No data in this window.", "该时段内没有数据。"),
    # visitor report
    "visits_title": ("Visits per day and hour", "每日与每小时参观人次"),
    "visits_lead": ("{total:,} visits over {days} days; the busiest day had {peak:,} "
                    "({ratio}).", "{days} 天共 {total:,} 人次；最多的一天 {peak:,} 人次（{ratio}）。"),
    "visits_lead_sample": ("{stored:,} visits stored over {days} days, about {total:,} in all "
                           "(the stored visits over the {share:.1%} share); the busiest day had "
                           "about {peak:,} ({ratio}).",
                           "{days} 天共记录 {stored:,} 人次，估计全部约 {total:,} 人次（记录人次"
                           "除以 {share:.1%} 的比例）；最多的一天约 {peak:,} 人次（{ratio}）。"),
    "estimated_visits": ("Visits (estimated)", "参观人次（估计）"),
    "stored_visits": ("Visits stored", "已记录人次"),
    "daily_capacity": ("Daily capacity", "日最大承载量"),
    "emergency_capacity": ("Emergency daily capacity", "应急日承载量"),
    "of_capacity": ("% of daily capacity", "占日承载量 %"),
    "arrivals_by_hour": ("Arrivals by day and hour (local time)", "各日各小时到达人次（当地时间）"),
    "arrivals": ("Arrivals", "到达人次"),
    "occupancy_title": ("Occupancy by zone and hour", "各区域逐小时在场人数"),
    "occupancy_lead": ("Highest number of visitors present in each zone and hour, as a share "
                       "of its capacity (divert at {divert:.0%}, stop at {stop:.0%}).",
                       "各区域每小时最高在场人数占其容量的比例（{divert:.0%} 分流，{stop:.0%} 停止进入）。"),
    "occupancy_pct": ("Peak occupancy, % of capacity", "最高在场人数占容量 %"),
    "occupancy_profile": ("Highest occupancy by hour of day over the window",
                          "按一天中小时统计的最高在场人数"),
    "peaks_title": ("Peak instantaneous occupancy", "瞬时最高在场人数"),
    "peak": ("Peak", "最高"), "peak_at": ("At", "时间"), "pct_capacity": ("% of capacity", "占容量 %"),
    "level": ("Level", "等级"), "level_normal": ("normal", "正常"),
    "level_divert": ("divert", "分流"), "level_stop": ("stop", "停止进入"),
    "dwell_title": ("Time spent in each zone", "各区域停留时间"),
    "dwell_lead": ("Time visitors spent in a zone itself (not in the zones inside it), from "
                   "their exits.", "游客在区域本身（不含其内部区域）的停留时间，依据离开记录计算。"),
    "dwell_min": ("Minutes in zone", "停留分钟"), "exits": ("Exits", "离开人次"),
    "mean_min": ("Mean (min)", "平均（分钟）"), "p25_min": ("25th pct (min)", "25% 分位（分钟）"),
    "median_min": ("Median (min)", "中位数（分钟）"), "p75_min": ("75th pct (min)", "75% 分位（分钟）"),
    "p90_min": ("90th pct (min)", "90% 分位（分钟）"),
    "flows_title": ("Flows between zones", "区域间游客流动"),
    "flows_lead": ("Moves from the zone in each row to the zone in each column.",
                   "从每行区域移动到每列区域的人次。"),
    "from": ("From", "来自"), "to": ("To", "去往"), "outside": ("(outside)", "（区外）"),
    "moves": ("Moves", "移动人次"),
    "kiosk_title": ("Kiosk use and experience completion", "展项终端使用与体验完成情况"),
    "kiosk": ("Kiosk", "终端"), "experience": ("Experience", "体验"),
    "sessions": ("Sessions", "场次"), "ended": ("Ended", "已结束"),
    "completion": ("Mean completion", "平均完成度"), "completed": ("Completed (≥ 90%)", "完成（≥90%）"),
    "minutes": ("Mean minutes", "平均分钟"),
    "substitutes_title": ("Demand absorbed by virtual substitutes", "数字替代体验承接的参观需求"),
    "substitutes_lead": ("Sessions of each closed cave's virtual substitute, while it was "
                         "closed and at other times.", "各洞窟关闭期间及其他时间其数字替代体验的场次。"),
    "closures": ("Closures", "关闭次数"), "hours_closed": ("Hours closed", "关闭小时数"),
    "during_closure": ("Sessions while closed", "关闭期间场次"),
    "at_other_times": ("Sessions at other times", "其他时间场次"),
    "completion_during": ("Completion while closed", "关闭期间完成度"),
    # preservation report
    "climate_title": ("Cave microclimate", "洞窟微环境"),
    "climate_lead": ("CO2, relative humidity and temperature in each cave with sensors; dashed "
                     "lines are the cave's limits, shaded spans its closures.",
                     "各监测洞窟的二氧化碳、相对湿度和温度；虚线为洞窟限值，阴影为关闭时段。"),
    "co2_ppm": ("CO2 (ppm)", "二氧化碳（ppm）"), "relative_humidity": ("RH (%)", "相对湿度（%）"),
    "temperature_c": ("Temperature (°C)", "温度（°C）"), "visitors": ("Visitors", "在场人数"),
    "time_local": ("Local time", "当地时间"), "limit": ("Limit", "限值"),
    "closed": ("Closed", "关闭"), "metric": ("Measure", "指标"), "side": ("Side", "方向"),
    "side_max": ("above", "高于"), "side_min": ("below", "低于"),
    "exceed_title": ("Hours outside the limits", "超出限值的小时数"),
    "all_within": ("Every cave stayed within all its limits.", "各洞窟所有指标均未超出限值。"),
    "closures_title": ("Closures", "关闭记录"), "closed_at": ("Closed at", "关闭时间"),
    "reopened_at": ("Reopened at", "重新开放时间"), "duration_h": ("Hours", "时长（小时）"),
    "reason": ("Reason", "原因"), "still_closed": ("still closed", "仍关闭"),
    "balance_title": ("Visitor load and CO2: capacity from the mass balance",
                      "游客负荷与二氧化碳：基于质量平衡的容量建议"),
    "balance_lead": ("Fitted per cave from dC/dt = G·N/V − λ·(C − C_out) with the stored "
                     "visitor load; intervals are 95 %. The recommended capacity keeps CO2 (and "
                     "humidity, where its fit holds) under the cave's limits when groups of "
                     "that size follow one another as they did in the window: each stays the "
                     "typical visit, then the cave stands empty as long as it did.",
                     "按 dC/dt = G·N/V − λ·(C − C_out) 用存储的游客负荷逐窟拟合，区间为 95% 置信区间。"
                     "建议容量指：各批游客按本时段的方式依次参观（每批停留典型时长，之后洞窟按实际比例空置）时，二氧化碳（及可拟合时的湿度）不超过洞窟限值的最多人数。"),
    "rise": ("CO2 rise per visitor (ppm/min)", "每位游客二氧化碳上升（ppm/分钟）"),
    "exchange": ("Air exchange (per h)", "换气率（每小时）"),
    "outside_co2": ("Rest level (ppm)", "静息水平（ppm）"), "pairs": ("Intervals", "区间数"),
    "visit_min": ("Typical visit (min)", "典型参观（分钟）"),
    "gap_min": ("Empty between visits (min)", "两批之间空置（分钟）"),
    "current_capacity": ("Current capacity", "现行容量"),
    "recommended": ("Recommended capacity", "建议容量"), "ci95": ("95% interval", "95% 区间"),
    "limiting": ("Limited by", "受限于"), "steady": ("If never empty", "持续有人时"),
    "not_fitted": ("not identifiable: {reason}", "无法拟合：{reason}"),
    "ipi_title": ("Preservation Index (IPI)", "保存指数（IPI）"),
    "ipi_lead": ("Years to significant decay of a chemically unstable object (cellulose "
                 "acetate) at the cave's climate: the time-weighted PI over the window and the "
                 "lowest hourly PI (Reilly, Nishimura and Zinn 1995).",
                 "在洞窟环境下化学不稳定物（醋酸纤维素）达到显著劣化所需年数：时段内的时间加权保存指数与最低小时保存指数"
                 "（Reilly、Nishimura、Zinn 1995）。"),
    "twpi": ("TWPI (years)", "时间加权保存指数（年）"), "min_pi": ("Lowest PI (years)", "最低保存指数（年）"),
    "mean_t": ("Mean temperature (°C)", "平均温度（°C）"), "mean_rh": ("Mean RH (%)", "平均相对湿度（%）"),
    # heritage impact
    "impact_map": ("The proposed work and the zones around it", "拟建工程及周边区域"),
    "touched_title": ("Zones the work touches", "工程涉及的区域"),
    "overlap_m2": ("Overlap (m²)", "重叠面积（m²）"), "within": ("Wholly inside", "完全位于其内"),
    "distance_m": ("Distance (m)", "距离（m）"), "yes": ("yes", "是"), "no": ("no", "否"),
    "nearby_title": ("Zones within {m:,.0f} m", "{m:,.0f} 米内的区域"),
    "rules_title": ("Rules that apply", "适用规定"), "rule": ("Rule", "规定"),
    "zones": ("Zones", "区域"), "approval": ("Approval needed", "需审批"),
    "height_title": ("Height", "高度"), "height_m": ("Height (m)", "高度（m）"),
    "limit_m": ("Limit (m)", "限高（m）"), "verdict": ("Verdict", "结论"),
    "within_limit": ("within the limit", "未超限"), "over_limit": ("over the limit", "超过限高"),
    "no_limit": ("no limit set", "未设限高"), "not_given": ("not given", "未提供"),
    "work_summary": ("The work covers {area:,.0f} m² (buffer {buffer:g} m); it touches {n} "
                     "zone(s); distance to the protection range: {dist}.",
                     "工程占地 {area:,.0f} 平方米（缓冲 {buffer:g} 米），"
                     "涉及 {n} 个区域；距保护范围：{dist}。"),
    "approval_needed": ("The work needs the heritage authority's approval.", "该工程需经文物主管部门批准。"),
    "no_approval": ("No rule of the site requires approval for this work.", "本工程不触及需审批的规定。"),
    "load_title": ("Visitors in the affected zones", "受影响区域的游客"),
    "entries": ("Entries", "进入人次"),
    # provenance
    "provenance_title": ("Provenance", "数据来源"), "parameter": ("Parameter", "参数"),
    "value": ("Value", "值"), "table": ("Table", "数据表"), "rows": ("Rows read", "读取行数"),
    "item": ("Item", "项目"), "data_window": ("Data window (UTC)", "数据时段（UTC）"),
    "code_version": ("Code version", "代码版本"), "generated": ("Generated (UTC)", "生成时间（UTC）"),
    "database": ("Database", "数据库"), "package": ("Package", "软件包"), "version": ("Version", "版本"),
    "demo_sample": ("This is a generated demo history that stored the positions of {share:.1%} "
                    "of its visitors: visits, occupancy and kiosk use count that share. The "
                    "cave air felt the whole crowd, so the preservation report scales the "
                    "stored load up by that share; a sampled load is noisy, which biases its "
                    "fits low (a history written with --scale 1 has none of this).",
                    "本数据为生成的演示历史，只记录了 {share:.1%} 游客的位置："
                    "参观人次、在场人数与终端使用均为该比例。洞窟空气受全部游客影响，"
                    "因此文物保护报告按该比例放大存储的游客负荷；抽样负荷噪声较大，拟合结果偏低"
                    "（以 --scale 1 生成的历史无此问题）。"),
    "font_missing": ("No Chinese (CJK) font was found on this system (for example WenQuanYi "
                     "Micro Hei: apt install fonts-wqy-microhei); the figures' Chinese text "
                     "shows as empty boxes.",
                     "本系统未找到中文字体（例如文泉驿微米黑：apt install fonts-wqy-microhei），"
                     "图中中文将显示为方框。"),
}

KINDS: dict[str, tuple[str, str]] = {
    "protection_range": ("protection range", "保护范围"),
    "construction_control": ("construction-control zone", "建设控制地带"),
    "visitor_area": ("visitor area", "游览区"), "cave": ("cave", "洞窟"), "niche": ("niche", "龛"),
    "hall": ("hall", "展厅"), "pit": ("pit", "坑"), "plaza": ("plaza", "广场"),
    "height": ("height limit", "限高"), "work": ("proposed work", "拟建工程"),
}

METRIC_KEYS = {"co2_ppm": "co2_ppm", "relative_humidity": "relative_humidity",
               "temperature_c": "temperature_c"}

#: The heritage rule of each zone kind (geo.impact.RULES), in Chinese.
RULES_ZH = {
    "protection_range": "未经文物主管部门批准，保护范围内不得进行建设工程或者爆破、钻探、挖掘等作业。",
    "construction_control": "建设控制地带内的建设工程不得破坏文物保护单位的历史风貌；"
                            "须符合本遗址的高度与形式限制，设计方案须经文物主管部门同意。",
    "visitor_area": "游览区内的工程遵守保护范围规定及本遗址的游客管理规划。",
    "cave": "仅允许由经批准的专业人员对洞窟本体实施保护工程。",
    "niche": "仅允许由经批准的专业人员对龛本体实施保护工程。",
    "hall": "仅允许经批准的保护或展示工程。", "pit": "仅允许经批准的考古或保护工程。",
    "plaza": "仅允许经批准的临时构筑物。",
}


def check_language(language: str) -> str:
    """The language, if it is one the reports speak; else a ValueError naming them."""
    if language not in LANGUAGES:
        raise ValueError(f"'language' should be one of {', '.join(LANGUAGES)}, got {language!r}")
    return language


class Words:
    """Look up the reports' words in one language: ``w("visits")``, ``w.kind("cave")``."""

    def __init__(self, language: str) -> None:
        self.language = check_language(language)
        self._n = LANGUAGES.index(language)

    def __call__(self, key: str, **fields: object) -> str:
        text = WORDS[key][self._n]
        return text.format(**fields) if fields else text

    def kind(self, kind: str) -> str:
        pair = KINDS.get(kind)
        return pair[self._n] if pair else kind

    def rule(self, kind: str, english: str) -> str:
        return RULES_ZH.get(kind, english) if self.language == "zh" else english

    def level(self, level: str) -> str:
        return self(f"level_{level}") if level else ""
