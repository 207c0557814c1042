"""Tables the demo generator draws from: counties, name parts, named firms and per-industry line profiles.

Everything here is synthetic shaping data for the demo registry; none of it is a real statistic.
"""
from collections import namedtuple

# Relative share of firms per county; the three big industrial counties carry most of the registry.
COUNTY_WEIGHTS = {"城区": 7, "泽州县": 23, "高平市": 20, "阳城县": 18, "陵川县": 8, "沁水县": 12, "开发区": 12}
# Credit-code digits for units whose own code is not six digits (开发区 is "1405KF").
FALLBACK_ADMIN_CODE = "140500"

TOWNS = {
    "城区": ["东街街道", "西街街道", "南街街道", "北街街道", "钟家庄街道", "西上庄街道", "北石店镇"],
    "泽州县": ["巴公镇", "北义城镇", "高都镇", "金村镇", "南村镇", "大东沟镇", "周村镇", "下村镇", "大阳镇", "川底镇"],
    "高平市": ["米山镇", "三甲镇", "寺庄镇", "马村镇", "河西镇", "北诗镇", "陈区镇", "原村乡", "永录乡"],
    "阳城县": ["凤城镇", "北留镇", "润城镇", "町店镇", "芹池镇", "八甲口镇", "东冶镇", "白桑乡"],
    "陵川县": ["崇文镇", "礼义镇", "附城镇", "平城镇", "杨村镇", "潞城镇"],
    "沁水县": ["龙港镇", "中村镇", "郑庄镇", "端氏镇", "嘉峰镇", "郑村镇", "胡底乡"],
    "开发区": ["金村园区", "北石店园区", "高新技术产业园区", "装备制造产业园"],
}
ADDRESS_PREFIX = {name: "晋城市" + name for name in COUNTY_WEIGHTS} | {"开发区": "晋城经济技术开发区"}
ROADS = ["工业路", "兴业路", "创业大道", "园区路", "建设路", "迎宾路", "环城路", "凤台街", "泽州路", "太行路", "白水街", "红星街"]
NAME_PREFIXES = {
    "城区": ["晋城市", "山西"], "泽州县": ["泽州县", "晋城市", "山西"], "高平市": ["高平市", "晋城市", "山西"],
    "阳城县": ["阳城县", "晋城市", "山西"], "陵川县": ["陵川县", "晋城市", "山西"], "沁水县": ["沁水县", "晋城市", "山西"],
    "开发区": ["晋城市", "山西"],
}
TRADE_WORDS = (
    "鑫泰 宏达 华晋 泽润 沁河 丹河 凤城 鸿福 金鼎 瑞丰 恒盛 兴源 晋丰 德隆 永胜 汇通 中晟 嘉禾 润泽 昌盛 "
    "盛达 天泰 宏昌 旭升 晨阳 乾元 森茂 博远 聚鑫 恒源 富邦 万通 祥和 兆丰 康达 华邦 亿丰 金阳 通泰 凯达 "
    "瑞通 海鑫 晋泰 宏源 中鑫 长泰 福源 泰昌 丰泽 锦华 隆基 星源 益民 众诚 浩宇 鼎盛 荣达 新宇 东方 北方 "
    "太岳 析城 王莽 珏山 蟒河 龙港 端氏 长平 米山 丹朱 白马 天坛 凤鸣 九洲 同力 开元 宝丰 金桥 润达 顺鑫"
).split()
CONTACT_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁宋谢韩唐冯牛原靳常"
CONTACT_TITLES = ["经理", "主任", "科长", "厂长", "部长"]

# The 工序 of coke ovens: floor rows keyed by this process (延长结焦时间) apply to them, and they carry a normal
# coking time.
COKE_OVEN = "焦炉"
# Line template: {n} in the name is replaced by the line's number among lines of the same template.
LineT = namedtuple("LineT", "name stage facilities cap unit quick so2 nox pm vocs indicators stop feed limit_style")


def T(name, stage, facilities, cap, unit, so2=(0, 0), nox=(0, 0), pm=(0, 0), vocs=(0, 0), indicators="用电量",
      stop="相关涉气工序停止作业", feed="日产量", quick=True, limit_style="feed"):
    """One line template; emissions are (low, high) t/yr ranges."""
    return LineT(name, stage, facilities, cap, unit, quick, so2, nox, pm, vocs, indicators, stop, feed, limit_style)


# Industry profile: weight = firms per 1,500; lines = (min, max) lines per firm; categories = weights; small =
# share of small firms; guarantee = what a 保障类 firm's capped-load text adds; reasons = its 保障类 reasons
# (rows of seed/data/category_reasons.csv). Measures are not here: they follow the floors (seed/demo_measures.py).
Profile = namedtuple("Profile", "weight suffixes lines categories small templates guarantee reasons county")
KEY = {"GRADED": 94, "NON_COMPLIANT": 5, "GUARANTEED": 1}
NONKEY = {"GENERAL": 95, "NON_COMPLIANT": 3, "GUARANTEED": 2}
HEAVY = {"泽州县": 4, "高平市": 4, "阳城县": 3, "沁水县": 2, "陵川县": 1}
CITY_HEAT = {"城区": 5, "泽州县": 2, "高平市": 2, "阳城县": 2, "陵川县": 1, "沁水县": 1, "开发区": 2}
VOC_STOP = "停止喷涂、调漆等涉VOCs工序，治理设施保持运行"


def P(weight, suffixes, lines, templates, categories=KEY, small=0.05, guarantee="仅完成保障任务",
      reasons=("保障城市正常运转",), county=None):
    return Profile(weight, suffixes, lines, categories, small, templates, guarantee, reasons, county)


SINTER = T("{n}#烧结机", "烧结", "烧结机、电除尘器、湿法脱硫、SCR脱硝", (120, 260), "万吨/年", (150, 400), (300, 700),
           (120, 260), indicators="用电量、烧结矿产量", stop="烧结机停机，停止配料、点火")
BLAST = T("{n}#高炉", "高炉", "高炉、出铁场除尘、热风炉", (80, 150), "万吨/年", (20, 60), (40, 110), (80, 180),
          indicators="用电量、铁水产量、风量", stop="休风焖炉", quick=False, feed="日铁水产量")
PROFILES = {
    "steel_long": P(0, ["钢铁有限公司"], (4, 6), [SINTER, BLAST,
        T("{n}#转炉", "炼钢", "转炉、一次二次除尘", (100, 150), "万吨/年", (2, 8), (5, 15), (40, 90),
          indicators="用电量、钢产量", stop="转炉停止兑铁冶炼", feed="日钢产量"),
        T("{n}#轧钢线", "轧钢", "加热炉（煤气）、轧机", (80, 150), "万吨/年", (5, 20), (30, 80), (5, 15),
          indicators="用气量、用电量", stop="加热炉停火，轧机停机", feed="日轧材量")], county=HEAVY),
    "steel_short": P(2, ["特钢有限公司", "钢铁有限公司"], (1, 2), [
        T("{n}#电弧炉", "炼钢", "电弧炉、布袋除尘器", (30, 80), "万吨/年", (1, 5), (8, 25), (15, 40), indicators="用电量",
          stop="电弧炉停止送电冶炼", feed="日钢产量"),
        T("{n}#轧钢线", "轧钢", "加热炉（天然气）、轧机", (30, 80), "万吨/年", (0, 2), (10, 30), (2, 6), indicators="用气量")]),
    "ferroalloy": P(6, ["铁合金有限公司", "硅业有限公司"], (1, 3), [
        T("{n}#矿热炉", "冶炼", "矿热炉、布袋除尘器", (2, 5), "万吨/年", (5, 20), (10, 40), (15, 50),
          indicators="用电量", stop="矿热炉停电焖炉")], county=HEAVY),
    "coking": P(8, ["焦化有限公司", "煤焦有限公司", "焦化股份有限公司"], (2, 5), [
        T("{n}#焦炉", COKE_OVEN, "焦炉、装煤推焦地面站、脱硫脱硝", (40, 100), "万吨/年", (40, 150), (200, 500), (50, 150),
          (20, 80), indicators="装煤量、推焦炉数、用电量", stop="焖炉保温，停止装煤推焦", quick=False,
          feed="日装煤量"),
        T("化产回收车间", "化产回收", "脱硫、硫铵、粗苯装置及VOCs收集处理", (40, 100), "万吨/年", vocs=(10, 40),
          indicators="煤气处理量", stop="粗苯、硫铵工段停止生产"),
        T("备煤筛焦车间", "备煤", "粉碎机、筛焦楼、布袋除尘器", (40, 100), "万吨/年", pm=(8, 30), indicators="用电量",
          stop="停止备煤、筛焦作业")], county={"高平市": 4, "沁水县": 3, "阳城县": 2, "泽州县": 2}),
    "lime_kiln": P(14, ["钙业有限公司", "石灰有限公司"], (1, 3), [
        T("{n}#石灰窑", "煅烧", "双膛石灰窑、布袋除尘器", (10, 30), "万吨/年", (3, 15), (15, 50), (8, 25), quick=False,
          indicators="用电量、投料量", stop="停止投料，保持窑温", feed="日投料量")], county=HEAVY),
    "casting": P(70, ["铸造有限公司", "铸业有限公司", "精密铸造有限公司", "机械铸造有限公司"], (1, 3), [
        T("{n}#中频炉熔炼线", "熔化", "中频感应电炉、布袋除尘器", (0.5, 5), "万吨/年", pm=(1, 8), indicators="用电量",
          stop="中频炉停止熔炼", feed="日铸件产量"),
        T("造型浇注线", "造型浇注", "射芯机、浇注线、落砂除尘", (0.5, 5), "万吨/年", pm=(1, 5), vocs=(0.3, 2)),
        T("铸件涂装线", "涂装", "喷漆房、活性炭吸附", (0.5, 5), "万吨/年", vocs=(0.5, 4), stop=VOC_STOP)],
        categories={"GRADED": 92, "NON_COMPLIANT": 5, "GUARANTEED": 3}, small=0.15),
    "casting_pig_iron": P(10, ["冶铸有限公司", "铸造生铁有限公司", "冶炼有限公司"], (2, 5), [BLAST, SINTER,
        T("{n}#球团竖炉", "球团", "竖炉、脱硫设施", (30, 60), "万吨/年", (30, 90), (40, 120), (20, 60),
          indicators="用电量、用气量", stop="竖炉停止布料焙烧")], county=HEAVY),
    "carbon": P(6, ["炭素有限公司", "碳素制品有限公司"], (1, 3), [
        T("{n}#焙烧炉", "焙烧", "环式焙烧炉、电捕焦油器、脱硫设施", (2, 6), "万吨/年", (15, 50), (8, 25), (8, 25), (5, 20),
          indicators="用气量、用电量", stop="保温停火，停止装炉", quick=False)]),
    "cement_clinker": P(0, ["水泥有限公司"], (2, 3), [
        T("{n}#熟料生产线", "熟料烧成", "新型干法回转窑、窑尾袋除尘、SNCR脱硝", (2500, 5000), "吨/日", (30, 120), (300, 800),
          (30, 80), indicators="用电量、投料量", stop="窑头、窑尾停止投料", feed="日投料量"),
        T("{n}#水泥粉磨线", "水泥粉磨", "辊压机、球磨机、袋除尘器", (60, 120), "万吨/年", pm=(5, 20), indicators="用电量",
          stop="水泥磨停机", feed="日水泥产量")]),
    "cement_grinding": P(10, ["水泥有限公司", "水泥粉磨有限公司"], (1, 2), [
        T("{n}#水泥粉磨线", "水泥粉磨", "辊压机、球磨机、袋除尘器", (40, 120), "万吨/年", pm=(3, 15), indicators="用电量",
          stop="水泥磨停机，停止散装发运", feed="日水泥产量")]),
    "brick_fired": P(55, ["新型建材有限公司", "页岩砖有限公司", "煤矸石烧结砖有限公司", "砖业有限公司"], (1, 2), [
        T("{n}#隧道窑", "焙烧", "隧道窑、双碱法脱硫、袋除尘器", (3000, 8000), "万块标砖/年", (10, 40), (8, 30), (5, 20),
          indicators="用电量、进车数", stop="停止进车，保温", feed="日产量", quick=False)],
        small=0.15, county={"阳城县": 4, "泽州县": 3, "高平市": 3, "陵川县": 2, "沁水县": 2}),
    "brick_nonfired": P(25, ["新型墙材有限公司", "砌块有限公司", "建材有限公司"], (1, 2), [
        T("{n}#砌块生产线", "成型养护", "搅拌机、成型机、袋除尘器", (5, 30), "万立方米/年", pm=(0.5, 4),
          indicators="用电量", stop="搅拌、成型工序停产")], small=0.3),
    "ceramics": P(45, ["建筑陶瓷有限公司", "陶瓷有限公司", "瓷业有限公司"], (1, 3), [
        T("{n}#辊道窑", "烧成", "辊道窑、脱硫除尘设施", (300, 1200), "万平方米/年", (5, 30), (20, 60), (5, 20),
          indicators="用气量、用电量", stop="辊道窑停止进砖，保温"),
        T("喷雾干燥塔", "制粉", "喷雾干燥塔、热风炉、脱硫除尘", (300, 1200), "万平方米/年", (5, 20), (5, 20), (10, 30),
          indicators="用气量", stop="喷雾干燥塔停机")], county={"阳城县": 8, "泽州县": 1, "高平市": 1}),
    "refractory": P(45, ["耐火材料有限公司", "耐材有限公司", "高温材料有限公司"], (1, 3), [
        T("{n}#隧道窑", "烧成", "高温隧道窑、脱硫除尘设施", (1, 5), "万吨/年", (5, 20), (10, 30), (5, 15),
          indicators="用气量、用电量", stop="停止进车，保温", quick=False),
        T("破碎成型车间", "破碎成型", "颚式破碎机、压砖机、袋除尘器", (1, 5), "万吨/年", pm=(2, 6), stop="破碎、成型工序停产")],
        small=0.1, county=HEAVY),
    "glass": P(2, ["玻璃制品有限公司"], (1, 2), [
        T("{n}#玻璃熔窑", "熔化", "马蹄焰窑炉、脱硫脱硝除尘", (2, 10), "万吨/年", (20, 80), (60, 200), (8, 25),
          indicators="用气量、出料量", stop="保温，停止投料", quick=False, feed="日出料量")]),
    "glass_fibre": P(2, ["玻璃纤维有限公司"], (1, 1), [
        T("{n}#池窑拉丝线", "熔制拉丝", "池窑、脱硫除尘设施", (2, 6), "万吨/年", (5, 20), (20, 60), (5, 15),
          indicators="用气量", stop="保温，停止投料", quick=False)]),
    "mineral_wool": P(2, ["保温材料有限公司", "岩棉有限公司"], (1, 1), [
        T("{n}#岩棉生产线", "熔制成纤", "冲天炉、袋除尘器", (1, 4), "万吨/年", (5, 20), (3, 10), (5, 15),
          indicators="用电量", stop="冲天炉停止加料")]),
    "waterproof": P(5, ["防水材料有限公司", "防水科技有限公司"], (1, 2), [
        T("{n}#改性沥青卷材生产线", "浸涂", "沥青罐、浸涂线、电捕焦油+RTO", (500, 2000), "万平方米/年", pm=(0.5, 2),
          vocs=(2, 10), indicators="用电量、用气量", stop="浸涂工序停产，沥青罐保温")]),
    "nitrogen_fertiliser": P(6, ["化肥有限公司", "化工有限公司"], (2, 4), [
        T("{n}#造气系统", "造气", "固定床气化炉、吹风气余热回收", (10, 30), "万吨/年", (20, 60), (30, 80), (15, 40),
          (5, 15), indicators="用电量、用煤量", stop="造气炉停炉", feed="日合成氨产量"),
        T("尿素造粒塔", "造粒", "造粒塔、洗涤除尘", (20, 50), "万吨/年", pm=(20, 60), indicators="用电量",
          stop="造粒塔停止喷淋造粒")], county={"泽州县": 2, "高平市": 2, "阳城县": 2, "沁水县": 1}),
    "carbon_black": P(2, ["炭黑有限公司"], (1, 2), [
        T("{n}#炭黑生产线", "反应", "反应炉、尾气燃烧炉、袋滤器", (2, 6), "万吨/年", (30, 90), (20, 60), (8, 25),
          indicators="用气量、原料油用量", stop="反应炉停止进油")]),
    "pharma": P(6, ["制药有限公司", "药业有限公司"], (1, 3), [
        T("原料药合成车间", "合成", "反应釜、冷凝回收+RTO", (100, 800), "吨/年", vocs=(3, 25), indicators="用电量、蒸汽用量",
          stop="合成工序停止投料"),
        T("制剂车间", "制剂", "制粒、包衣设备", (100, 800), "吨/年", pm=(0.1, 1), vocs=(0.5, 3)),
        T("{n}#燃气锅炉", "供热", "低氮燃气锅炉", (4, 15), "蒸吨/小时", (0, 0.5), (1, 6), (0.1, 0.5), indicators="用气量",
          stop="锅炉停运", limit_style="load")], categories={"GRADED": 60, "GUARANTEED": 40},
        guarantee="仅生产保供药品", reasons=("保障民生", "国家战略性产业")),
    "pesticide": P(2, ["农化有限公司"], (1, 2), [
        T("合成车间", "合成", "反应釜、RTO", (500, 3000), "吨/年", vocs=(3, 15), stop="合成工序停止投料")]),
    "paint": P(4, ["涂料有限公司"], (1, 2), [
        T("{n}#涂料生产线", "分散调配", "分散机、研磨机、活性炭吸附", (0.5, 3), "万吨/年", vocs=(1, 8), stop="停止投料分散")]),
    "ink": P(2, ["油墨有限公司"], (1, 1), [
        T("{n}#油墨生产线", "研磨调配", "三辊机、活性炭吸附", (500, 3000), "吨/年", vocs=(0.5, 4), stop="停止研磨调配")]),
    "cellulose_ether": P(1, ["纤维素有限公司"], (1, 2), [
        T("{n}#纤维素醚生产线", "醚化", "醚化釜、溶剂回收", (0.3, 1), "万吨/年", vocs=(10, 40), stop="醚化工序停止投料")]),
    "packaging_printing": P(23, ["印务有限公司", "包装制品有限公司", "彩印有限公司", "纸制品有限公司"], (1, 3), [
        T("{n}#凹版印刷线", "印刷", "凹版印刷机、RTO/活性炭吸附", (200, 2000), "万平方米/年", vocs=(1, 12),
          indicators="用电量", stop="印刷机停机，停止调墨"),
        T("复合生产线", "复合", "干式复合机、活性炭吸附", (200, 2000), "万平方米/年", vocs=(0.5, 6), stop="复合机停机"),
        T("{n}#胶印机组", "印刷", "胶印机、低VOCs油墨", (200, 2000), "万印张/年", vocs=(0.2, 2), stop="胶印机停机")],
        small=0.3),
    "wood_panels": P(8, ["木业有限公司", "人造板有限公司"], (1, 2), [
        T("{n}#刨花板生产线", "热压", "干燥机、热压机、湿电除尘", (5, 20), "万立方米/年", (1, 5), (5, 15), (5, 20), (5, 15),
          indicators="用电量", stop="干燥、热压工序停产")], small=0.2),
    "synthetic_leather": P(1, ["合成革有限公司"], (1, 1), [
        T("{n}#干法生产线", "涂覆", "涂台、烘箱、DMF回收", (100, 800), "万米/年", vocs=(10, 40), stop="涂覆工序停产")]),
    "rubber": P(6, ["橡胶制品有限公司", "橡塑有限公司"], (1, 2), [
        T("炼胶车间", "炼胶", "密炼机、袋除尘+活性炭", (0.2, 2), "万吨/年", pm=(0.5, 3), vocs=(0.5, 3), stop="密炼机停机"),
        T("硫化车间", "硫化", "平板硫化机、活性炭吸附", (0.2, 2), "万吨/年", vocs=(0.5, 3), stop="硫化工序停产")], small=0.3),
    "footwear": P(2, ["鞋业有限公司"], (1, 1), [
        T("{n}#成型线", "成型", "刷胶、烘干线", (50, 300), "万双/年", vocs=(0.5, 3), stop="刷胶工序停产")], small=0.5),
    "furniture": P(35, ["家具有限公司", "家居有限公司", "木业有限公司"], (1, 2), [
        T("{n}#喷涂线", "涂装", "水帘喷漆房、活性炭吸附", (1, 10), "万件/年", vocs=(0.5, 6), stop=VOC_STOP),
        T("木工车间", "机加工", "开料、砂光设备，袋除尘器", (1, 10), "万件/年", pm=(0.3, 2), stop="开料、砂光工序停产")],
        small=0.4),
    "vehicle_assembly": P(2, ["专用汽车有限公司"], (2, 3), [
        T("涂装车间", "涂装", "电泳线、喷漆房、RTO", (0.5, 3), "万辆/年", (0, 1), (1, 4), (1, 3), (20, 80), indicators="用电量、用气量",
          stop=VOC_STOP), T("焊装车间", "焊装", "焊接机器人、焊烟净化", (0.5, 3), "万辆/年", pm=(0.5, 2))]),
    "machinery_assembly": P(10, ["重工机械有限公司", "工程机械有限公司", "煤机装备有限公司"], (1, 3), [
        T("涂装车间", "涂装", "喷漆房、烘干室、活性炭吸附脱附", (500, 5000), "台/年", vocs=(3, 20), stop=VOC_STOP),
        T("结构件焊接车间", "焊接", "焊接工位、焊烟净化器", (500, 5000), "台/年", pm=(0.5, 3))],
        categories={"GRADED": 85, "GUARANTEED": 10, "NON_COMPLIANT": 5}, reasons=("国家战略性产业",)),
    "nonferrous_rolling": P(4, ["铝业有限公司", "铝型材有限公司"], (1, 2), [
        T("{n}#熔铸线", "熔铸", "熔铝炉（天然气）、袋除尘器", (1, 5), "万吨/年", (0, 1), (3, 10), (1, 5), indicators="用气量",
          stop="熔铝炉停止加料")]),
    "secondary_metals": P(3, ["再生资源有限公司", "再生金属有限公司"], (1, 2), [
        T("{n}#熔炼炉", "熔化", "反射炉、脱硫除尘", (1, 3), "万吨/年", (2, 10), (2, 8), (2, 8), indicators="用气量",
          stop="熔炼炉停止加料")]),
    "industrial_coating": P(330, ["机械制造有限公司", "钢结构工程有限公司", "矿山机械有限公司", "汽车配件有限公司",
                                  "机电设备有限公司", "金属制品有限公司", "液压支架有限公司", "防腐工程有限公司"], (1, 3), [
        T("{n}#喷涂线", "喷涂", "喷漆房、活性炭吸附脱附+催化燃烧", (1, 30), "万平方米/年", vocs=(0.3, 8),
          indicators="用电量", stop=VOC_STOP, feed="日涂装面积"),
        T("喷砂抛丸线", "表面处理", "抛丸机、滤筒除尘器", (1, 30), "万平方米/年", pm=(0.2, 2), stop="抛丸、喷砂工序停产"),
        T("{n}#烘干固化线", "烘干", "燃气烘干室、活性炭吸附", (1, 30), "万平方米/年", (0, 0.2), (0.1, 1), (0, 0.2), (0.3, 3),
          indicators="用气量", stop="烘干室停止进件")], small=0.3),
    # Non-key industries below: no guide floor, so they take the general ladder or their category's measure.
    "thermal_power": P(6, ["煤层气发电有限公司", "综合利用发电有限公司"], (1, 2), [
        T("{n}#发电机组", "发电", "燃气内燃发电机组", (10, 60), "MW", (0, 1), (20, 80), (0.5, 3), indicators="发电量、用气量",
          stop="机组停运", limit_style="load")], categories={"GUARANTEED": 60, "GENERAL": 40},
        guarantee="服从电网调度", reasons=("保障民生", "保障城市正常运转")),
    # Coal-fired district heating is not 民生 (that is for residential heating boilers): 保障类, 以热定产.
    "heating": P(25, ["热力有限公司", "供热有限公司", "清洁能源供热有限公司"], (1, 3), [
        T("{n}#供热锅炉", "供热", "循环流化床锅炉、超低排放改造", (29, 116), "MW", (8, 40), (15, 70), (2, 10),
          indicators="供热量、用煤量", stop="停运", quick=False, limit_style="load")],
        categories={"GUARANTEED": 90, "GENERAL": 10}, guarantee="保障居民供暖", reasons=("保障民生",),
        county=CITY_HEAT),
    "residential_heating": P(20, ["供暖有限公司", "热力服务有限公司", "物业服务有限公司"], (1, 2), [
        T("{n}#供暖锅炉", "供暖", "燃气热水锅炉（低氮燃烧）", (2.8, 14), "MW", (0, 0.3), (0.5, 4), (0.05, 0.5),
          indicators="供热量、用气量", stop="锅炉停运", quick=False, limit_style="load")],
        categories={"LIVELIHOOD": 100}, small=0.2, county=CITY_HEAT),
    "coal_mining": P(95, ["煤业有限公司", "煤矿有限公司", "矿业有限公司"], (1, 3), [
        T("洗煤厂", "洗选", "重介浅槽分选、煤泥水处理", (90, 300), "万吨/年", pm=(3, 15), indicators="用电量、入洗量",
          stop="洗煤厂停止入洗"),
        T("储煤场及装车站", "储运", "全封闭储煤棚、喷淋抑尘", (90, 300), "万吨/年", pm=(2, 10), indicators="装车量",
          stop="停止储煤场倒运及汽运装车"),
        T("{n}#瓦斯锅炉", "供热", "燃瓦斯锅炉", (4, 20), "蒸吨/小时", (0, 0.5), (1, 6), (0.1, 0.8), indicators="用气量",
          stop="锅炉停运", limit_style="load")],
        categories={"GENERAL": 88, "GUARANTEED": 10, "NON_COMPLIANT": 2},
        guarantee="按能源保供任务组织生产，停止露天倒运", reasons=("保障城市正常运转", "国家战略性产业"),
        county={"泽州县": 3, "高平市": 3, "沁水县": 3, "阳城县": 2, "陵川县": 1}),
    "coal_chemical": P(22, ["煤化工有限公司", "能源化工有限公司", "精细化工有限公司"], (2, 4), [
        T("{n}#气化炉系统", "气化", "固定床间歇式气化炉、吹风气回收", (10, 30), "万吨/年", (20, 80), (20, 60), (10, 40), (5, 30),
          indicators="用煤量、气化氧耗", stop="气化炉停炉", feed="日用煤量"),
        T("甲醇合成装置", "合成", "合成塔、精馏塔、火炬", (10, 30), "万吨/年", vocs=(5, 20), indicators="用电量",
          stop="合成装置停车"),
        T("{n}#燃煤锅炉", "供热", "燃煤锅炉、石灰石-石膏脱硫、SCR", (35, 130), "蒸吨/小时", (10, 40), (20, 50), (3, 10),
          indicators="用煤量", stop="停运", quick=False, limit_style="load")],
        categories=NONKEY,
        county={"泽州县": 4, "高平市": 2, "阳城县": 2, "沁水县": 1}),
    "plastics": P(33, ["塑业有限公司", "塑料制品有限公司", "管业有限公司"], (1, 2), [
        T("{n}#注塑生产线", "注塑", "注塑机、活性炭吸附", (500, 5000), "吨/年", vocs=(0.2, 2), stop="注塑机停机"),
        T("{n}#造粒生产线", "造粒", "挤出机、活性炭吸附", (500, 5000), "吨/年", vocs=(0.3, 3), stop="挤出造粒停产")],
        categories=NONKEY, small=0.4),
    "boiler": P(190, ["食品有限公司", "酒业有限公司", "饮品有限公司", "纸业有限公司", "生物科技有限公司", "纺织有限公司",
                      "农牧科技有限公司"], (1, 3), [
        T("{n}#燃气锅炉", "供热", "低氮燃气锅炉", (2, 20), "蒸吨/小时", (0, 0.5), (0.5, 6), (0.1, 0.8), indicators="用气量",
          stop="锅炉停运", limit_style="load"),
        T("{n}#生物质锅炉", "供热", "生物质成型燃料锅炉、布袋除尘", (2, 10), "蒸吨/小时", (0.5, 3), (2, 8), (0.5, 3),
          indicators="燃料用量", stop="锅炉停运", limit_style="load")],
        categories={"GENERAL": 95, "NON_COMPLIANT": 5}, small=0.1),
    "life_service": P(110, ["洗涤服务有限公司", "酒店管理有限公司", "餐饮管理有限公司", "汽车维修服务有限公司",
                            "洗浴服务有限公司", "物业管理有限公司"], (1, 2), [
        T("{n}#燃气锅炉", "供热", "燃气锅炉", (1, 6), "蒸吨/小时", (0, 0.2), (0.2, 2), (0.05, 0.3), indicators="用气量",
          stop="锅炉停运", limit_style="load"),
        T("餐饮油烟净化设施", "餐饮", "油烟净化器", (100, 800), "餐位", pm=(0.05, 0.5), vocs=(0.05, 0.5), indicators="用气量",
          limit_style="plain")], categories={"LIVELIHOOD": 100}, small=0.5,
        county=CITY_HEAT | {"城区": 6}),
    "other": P(180, ["建材有限公司", "商品混凝土有限公司", "公路材料有限公司", "石料加工有限公司", "新材料科技有限公司"], (1, 3), [
        T("{n}#搅拌站", "搅拌", "封闭式搅拌楼、袋除尘器", (30, 120), "万立方米/年", pm=(0.5, 4), stop="搅拌站停产",
          indicators="用电量"),
        T("{n}#破碎筛分线", "破碎", "颚破、圆锥破、封闭式筛分车间", (20, 100), "万吨/年", pm=(1, 8), stop="破碎筛分停产"),
        T("沥青拌合楼", "拌合", "沥青拌合楼、导热油炉（天然气）", (10, 40), "万吨/年", (0, 0.5), (1, 4), (1, 4), (1, 5),
          indicators="用气量", stop="沥青拌合停产")], categories=NONKEY, small=0.3),
}

# Real firms named in the 2020 plan (data synthetic) and four plausibly named clinker firms (the plan's
# "4家水泥熟料生产企业" in 泽州县, 高平市, 阳城县 and 陵川县). (name, county, industry, category, grade, lines)
NAMED = [
    ("晋城福盛钢铁有限公司", "泽州县", "steel_long", "GRADED", "B-", 6),
    ("山西兴高能源股份有限公司", "高平市", "coking", "GRADED", "B", 4),
    ("山西明源集团沁泽焦化有限公司", "沁水县", "coking", "GRADED", "C", 3),
    ("山西兰花焦化有限责任公司", "高平市", "coking", "GRADED", "A", 4),
    ("阳城国际发电有限责任公司", "阳城县", "thermal_power", "GUARANTEED", None, 6),
    ("大唐阳城发电有限责任公司", "阳城县", "thermal_power", "GUARANTEED", None, 4),
    ("国投晋城热电有限公司", "城区", "thermal_power", "GUARANTEED", None, 2),
    ("山西晋城晋普山煤矿", "泽州县", "coal_mining", "GENERAL", None, 3),
    ("晋城蓝焰煤业股份有限公司成庄矿", "泽州县", "coal_mining", "GUARANTEED", None, 3),
    ("山西兰花集团东峰煤矿有限公司", "高平市", "coal_mining", "GENERAL", None, 2),
    ("晋城市泽州丹河水泥有限公司", "泽州县", "cement_clinker", "GRADED", "B", 3),
    ("高平市长平水泥有限公司", "高平市", "cement_clinker", "GRADED", "B-", 2),
    ("阳城县析城水泥有限公司", "阳城县", "cement_clinker", "GRADED", "C", 3),
    ("陵川县太行山水泥有限公司", "陵川县", "cement_clinker", "GRADED", "A", 2),
]
# The enterprise login is linked to this firm (graded B clinker in 泽州县).
ENTERPRISE_LOGIN_FIRM = "晋城市泽州丹河水泥有限公司"
# Large coal-fired units for the named power plants (the generic thermal_power profile is gas engines).
COAL_UNIT = T("{n}#发电机组", "发电", "亚临界燃煤机组、石灰石-石膏脱硫、SCR脱硝、湿电除尘", (300, 600), "MW",
              (150, 450), (250, 700), (30, 90), indicators="发电量、用煤量", stop="停运", quick=False, limit_style="load")

# First generic firms take these (industry, category, grade, lines or None), so every category and grade, and the
# firms the planted defects need (clinker C with two clinker lines, coking B-, 保障类 heating), appear for small n.
ANCHORS = [(*a, None) for a in [
    ("industrial_coating", "GRADED", "A"), ("industrial_coating", "GRADED", "B"), ("packaging_printing", "GRADED", "C"),
    ("packaging_printing", "GRADED", "D"), ("coking", "GRADED", "B-"), ("cement_grinding", "GRADED", "LEADING"),
    ("brick_nonfired", "GRADED", "NON_LEADING"), ("pharma", "GUARANTEED", "B"), ("other", "GENERAL", None),
    ("life_service", "LIVELIHOOD", None), ("casting", "NON_COMPLIANT", None), ("boiler", "NON_COMPLIANT", None),
]] + [("cement_clinker", "GRADED", "C", 3), ("heating", "GUARANTEED", None, None),
      ("residential_heating", "LIVELIHOOD", None, None)]
# Grade weights by scheme for graded firms; B- only survives where the industry allows it.
GRADE_WEIGHTS = {
    "ABCD": {"A": 4, "B": 16, "B-": 8, "C": 45, "D": 27},
    "ABC": {"A": 6, "B": 28, "C": 66},
    "LEADING": {"LEADING": 20, "NON_LEADING": 80},
}
# Whole-society baseline = industrial baseline / share; the share of industry in whole-society emissions.
INDUSTRY_SHARE = {"so2": (0.6, 0.7), "nox": (0.55, 0.65), "pm": (0.55, 0.65), "vocs": (0.55, 0.7)}
# The demo's season, and how the non-industrial rest of each baseline splits over the other source types.
SEASON = ("2020–2021年秋冬季", (2020, 10, 1), (2021, 3, 31))
NON_INDUSTRIAL_SPLIT = {"dust": 0.45, "mobile": 0.35, "other": 0.2}
# Non-industrial reduction per level = that source type's baseline × this share (synthetic).
NON_INDUSTRIAL_CUTS = {"dust": {"yellow": 0.1, "orange": 0.2, "red": 0.3},
                       "mobile": {"yellow": 0.05, "orange": 0.1, "red": 0.15}, "other": {"yellow": 0.0, "orange": 0.0, "red": 0.05}}
