#!/usr/bin/env python3
"""Writes tests/data/triage_labelled.jsonl: a labelled set of realistic Chinese
reports for triage, with the context each one arrived in. Seeded, so the file
is reproducible: python3 tests/data/make_triage_set.py

Each line: {"id", "label", "good_faith", "context": {...}, "report": <report.submit body>}
label: verifiable | vague | suspected_malicious | not_ours | repeat
good_faith: the report was made honestly (some of these later prove mistaken:
错告); none of them may be suggested as suspected_malicious.
All people are fictional; reporters' contacts are obviously fake."""
import json
import os
import random

rnd = random.Random(20261123)
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
REGIONS = ["chengguan", "dongcheng", "xicheng", "nanhu", "beishan", "city"]
PLACES = {"chengguan": "城关区", "dongcheng": "东城区", "xicheng": "西城区", "nanhu": "南湖县", "beishan": "北山县", "city": "市"}
UNITS = [("{r}住建局", "科长", "section"), ("{r}水利局", "副局长", "division"), ("{r}{t}镇人民政府", "镇长", "section"),
         ("{r}{t}镇人民政府", "副镇长", "section"), ("{r}{t}村民委员会", "村主任", "village"), ("{r}{t}村党支部", "书记", "village"),
         ("{r}教育局", "股长", "staff"), ("{r}卫健局", "副局长", "division"), ("{r}市场监管局", "所长", "section"),
         ("{r}自然资源局", "科长", "section"), ("{r}交通局", "科员", "staff"), ("{r}民政局", "科长", "section"),
         ("{r}财政局", "副科长", "staff"), ("{r}城管执法局", "中队长", "staff"), ("{r}人民医院", "院长", "division")]
TOWNS = ["青石", "柳河", "桃源", "新桥", "双龙", "白沙", "清水", "红旗", "长岭", "马鞍"]
CATS = ["corruption", "eight-rules", "abuse-of-power", "dereliction", "conduct", "appointments"]
CN_NUM = {1: "一", 2: "两", 3: "三", 5: "五", 8: "八", 10: "十", 12: "十二", 15: "十五", 20: "二十", 30: "三十"}

def name():
    return rnd.choice(SURNAMES) + rnd.choice(["某", "某某"])

def accused(level=None, region=None):
    unit, post, lv = rnd.choice(UNITS)
    region = region or rnd.choice(REGIONS)
    return {"name": name(), "unit": unit.format(r=PLACES[region], t=rnd.choice(TOWNS)), "post": post,
            "level": level or lv, "region": region}

def when():
    m = rnd.randint(1, 10)
    return rnd.choice([f"2026年{m}月", f"2026年{m}月{rnd.randint(1, 28)}日", f"{m}月{rnd.randint(1, 28)}日上午",
                       f"今年{m}月中旬", f"{m}月{rnd.randint(1, 28)}号晚上", "今年春节前", f"2026年{m}月的一天下午"])

def place(a):
    return rnd.choice(["办公室", "单位会议室", "某饭店包间", "某农家乐", "其家中", "工地现场", "某茶楼", "单位停车场", "某宾馆"])

def amount():
    v = rnd.choice([2000, 5000, 8000, 10000, 20000, 30000, 50000, 80000, 120000, 150000, 200000])
    if v % 10000 == 0 and rnd.random() < 0.5:
        n = v // 10000
        return v, (CN_NUM.get(n, str(n)) if rnd.random() < 0.5 else str(n)) + "万元"
    if rnd.random() < 0.3 and v in (2000, 5000, 8000):
        return v, {2000: "两千元", 5000: "五千块", 8000: "八千元"}[v]
    return v, f"{v}元"

WHAT = {
    "corruption": ["收受{who}现金{amt}", "向{who}索要好处费{amt}", "利用职务便利为{who}谋利，收受购物卡{amt}", "截留补偿款{amt}"],
    "eight-rules": ["接受{who}宴请，席间饮用高档白酒，花费{amt}", "公车私用，用单位车辆接送家人，油费{amt}由单位报销", "违规收受{who}礼金{amt}"],
    "abuse-of-power": ["违规为{who}审批项目，收取“协调费”{amt}", "干预招标，要求评委照顾{who}，事后收受{amt}"],
    "dereliction": ["未经采购程序直接发包维修工程，花费{amt}", "对{who}的违法建设长期不查处，造成损失约{amt}"],
    "conduct": ["在{where}推搡办事群众，态度粗暴", "工作日在{where}打牌赌博，输赢约{amt}"],
    "appointments": ["在干部选拔中为{who}打招呼，收受{amt}", "违规提拔其亲属{who}"],
}
WHO = ["某建筑公司老板", "某开发商", "施工队负责人", "管理服务对象", "某供应商", "其亲属", "某企业负责人"]
WITNESS = ["知情人为单位会计", "当时在场的还有两名同事", "村民代表可以作证", "同席人员可以证明", "司机亲眼看到"]
EVIDENCE = ["有转账记录为证", "附照片三张", "有录音", "附合同复印件", "有聊天记录截图", "有发票复印件"]

def specific_report(a, cat, with_amount=True, with_witness=None, with_evidence=None):
    v, amt = amount()
    t, where = when(), place(a)
    what = rnd.choice(WHAT[cat]).format(who=rnd.choice(WHO), amt=amt if with_amount else "若干", where=where)
    parts = [f"{t}，{a['name']}在{where}{what}。"]
    spec = {}
    if with_witness if with_witness is not None else rnd.random() < 0.5:
        w = rnd.choice(WITNESS)
        parts.append(w + "。")
    if with_evidence if with_evidence is not None else rnd.random() < 0.5:
        parts.append(rnd.choice(EVIDENCE) + "。")
    if rnd.random() < 0.4:
        spec["when"] = t
    if with_amount and rnd.random() < 0.4:
        spec["amount_yuan"] = v
    summary = f"反映{a['name']}{what[:14]}"
    return summary, "".join(parts), spec

def reporter(real):
    if not real:
        return {"anonymous": True}
    return {"anonymous": False, "name": "示例举报人" + str(rnd.randint(1, 999)), "phone": "1380000" + str(rnd.randint(1000, 9999))}

def body(a, cat, summary, details, spec, real, channel=None):
    b = {"channel": channel or rnd.choice(["letter", "visit", "phone", "online"]),
         "received_at": f"2026-{rnd.randint(9, 11):02d}-{rnd.randint(1, 20):02d}T{rnd.randint(8, 17):02d}:{rnd.choice(['00', '15', '30', '45'])}",
         "reporter": reporter(real), "accused": [a], "category": cat, "summary": summary[:60], "details": details}
    if spec:
        b["specifics"] = spec
    return b

CLEAN = {"known_false_accuser": False, "notice_period": False, "known_dispute": False, "same_text_copies": 1,
         "repeats_concluded_untrue": False, "merged": False}

def ctx(**kw):
    c = dict(CLEAN)
    c.update(kw)
    return c

items = []
def add(label, report, context=None, good_faith=False, note=""):
    items.append({"id": f"T{len(items) + 1:03d}", "label": label, "good_faith": good_faith,
                  "context": context or dict(CLEAN), "note": note, "report": report})

# Verifiable: specific, checkable leads. Some made in good faith and later
# found mistaken; some during a notice period (reporting a candidate then is legitimate).
for i in range(50):
    a = accused()
    cat = rnd.choice(CATS[:4])
    s, d, sp = specific_report(a, cat, with_amount=rnd.random() < 0.8)
    gf = i < 15
    c = ctx(notice_period=(i % 5 == 0), known_dispute=(i % 11 == 3))
    add("verifiable", body(a, cat, s, d, sp, real=rnd.random() < 0.6), c, good_faith=gf,
        note="specific and checkable" + ("; honest, later found mistaken" if gf else ""))

# Vague: hearsay, no time/place/amount, or an unidentified accused.
VAGUE = ["听说{n}经常收受别人的好处，大家都知道，请组织查一查。", "据说{u}有领导违规吃喝，具体情况不详。",
         "好像{n}在提拔干部的时候有问题，可能收了钱，希望调查。", "有人说{n}生活作风有问题，群众意见很大。",
         "{u}的领导作风不好，群众反映强烈，请上级关注。", "估计{n}的财产来源有问题，他家条件似乎突然变好了。",
         "听别人讲{n}搞了不少钱，具体我也说不清楚。", "传言{u}在项目上有猫腻，请纪委查一查。"]
for i in range(35):
    a = accused()
    if i % 6 == 0:
        a = {"name": "某领导", "region": a["region"]}
    t = rnd.choice(VAGUE).format(n=a["name"], u=a.get("unit", "某单位"))
    cat = rnd.choice(CATS)
    add("vague", body(a, cat, t[:30], t, {}, real=rnd.random() < 0.3), ctx(notice_period=(i % 7 == 0)),
        good_faith=i < 5, note="hearsay, nothing checkable")

# Suspected malicious: signs that the rules name, alone or together.
for i in range(30):
    a = accused()
    cat = rnd.choice(CATS[:4])
    kind = i % 6
    if kind == 0:  # the author already has a false-accusation finding
        s, d, sp = specific_report(a, cat)
        add("suspected_malicious", body(a, cat, s, d, sp, real=True), ctx(known_false_accuser=True), note="known false accuser")
    elif kind == 1:  # notice period and a dispute between author and accused
        s, d, sp = specific_report(a, cat, with_amount=False, with_witness=False, with_evidence=False)
        add("suspected_malicious", body(a, cat, s, d, sp, real=True), ctx(notice_period=True, known_dispute=True),
            note="timed against the notice period, with a dispute")
    elif kind == 2:  # abuse without facts
        t = rnd.choice(["{n}就是个大贪官，坏透了，必须撤职！！！", "{n}这个狗官，无耻败类，不得好死！", "{n}是{u}的土皇帝，人渣一个，大家都恨他，赶紧滚出干部队伍！！"]).format(n=a["name"], u=a["unit"])
        add("suspected_malicious", body(a, "other", t[:30], t, {}, real=False, channel="online"), ctx(), note="abuse without facts")
    elif kind == 3:  # repeats allegations concluded untrue, nothing new
        t = f"再次反映{a['name']}的问题，之前反映的事情没有处理，要求严肃查处。"
        add("suspected_malicious", body(a, cat, t[:30], t, {}, real=rnd.random() < 0.5), ctx(repeats_concluded_untrue=True),
            note="repeats what was concluded untrue")
    elif kind == 4:  # many identical anonymous letters to many offices, during a notice period
        s, d, sp = specific_report(a, cat, with_witness=False, with_evidence=False)
        add("suspected_malicious", body(a, cat, s, d, sp, real=False, channel="letter"),
            ctx(same_text_copies=rnd.randint(4, 9), notice_period=True), note="多头举报 during a notice period")
    else:  # dispute plus many copies
        s, d, sp = specific_report(a, cat, with_witness=False)
        add("suspected_malicious", body(a, cat, s, d, sp, real=True), ctx(known_dispute=True, same_text_copies=rnd.randint(3, 6)),
            note="dispute and 多头举报")

# Not ours: cadres above this office's jurisdiction (厅局级).
for i in range(20):
    a = accused(level="bureau", region="city")
    a["unit"] = rnd.choice(["省交通运输厅", "省某国有企业", "市委某部", "省水利厅"])
    a["post"] = rnd.choice(["副厅长", "总经理", "部长", "厅长"])
    cat = rnd.choice(CATS[:4])
    s, d, sp = specific_report(a, cat)
    add("not_ours", body(a, cat, s, d, sp, real=rnd.random() < 0.5), ctx(), note="厅局级: forward to the level above")

# Repeats: intake linked them to an earlier report.
for i in range(20):
    a = accused()
    cat = rnd.choice(CATS[:4])
    s, d, sp = specific_report(a, cat)
    add("repeat", body(a, cat, s, d, sp, real=rnd.random() < 0.5), ctx(merged=True), note="重复件")

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "triage_labelled.jsonl")
with open(out, "w", encoding="utf-8") as f:
    for it in items:
        f.write(json.dumps(it, ensure_ascii=False) + "\n")
print(len(items), "reports written to", out)
