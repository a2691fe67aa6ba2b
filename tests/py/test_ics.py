"""`cq clarify ics` read by an independent parser (Debian's python3-icalendar):
dates, times and time zone round-trip, cancelled briefings are marked
cancelled, and a re-export after a reschedule keeps the UID (a calendar
program updates the event instead of adding a second one)."""
import datetime
import json
import os
import sys
import tempfile
import time

import icalendar

from harness import Cluster, Results

REPORT = {
    "channel": "letter",
    "received_at": "2026-11-16T09:30:00+08:00",
    "reporter": {"anonymous": False, "name": "日历测试举报人", "phone": "13700005678"},
    "accused": [
        {"name": "钱某", "unit": "东城区住建局", "post": "科长", "level": "section", "region": "dongcheng"},
        {"name": "孙某", "unit": "东城区住建局", "post": "副科长", "level": "section", "region": "dongcheng"},
    ],
    "category": "abuse-of-power",
    "summary": "反映钱某、孙某在项目审批中索要好处费",
    "details": "2026年5月在局办公室索要好处费2万元，有录音为证。",
}


def expand(days):
    out = set()
    for d in days:
        if ".." in d:
            a, b = (datetime.date.fromisoformat(x) for x in d.split(".."))
            while a <= b:
                out.add(a)
                a += datetime.timedelta(days=1)
        else:
            out.add(datetime.date.fromisoformat(d))
    return out


def recent_working_day(conf):
    holidays = expand(conf["calendar"].get("holidays", []))
    workdays = expand(conf["calendar"].get("workdays", []))
    d = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    while (d.weekday() >= 5 and d not in workdays) or d in holidays:
        d -= datetime.timedelta(days=1)
    return d


def main():
    bin_dir = sys.argv[1]
    t = Results()
    c = Cluster(bin_dir, ["intake", "triage", "clarify"])
    try:
        for user, role in (("clerk1", "clerk"), ("officer1", "officer"), ("clar1", "clarifier")):
            c.cq("user", "add", user, "--role", role)
        c.start()
        path = os.path.join(c.dir, "report.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(REPORT, f, ensure_ascii=False)
        case_no = json.loads(c.cq("--as", "clerk1", "submit", "--file", path, "--json").stdout)["case_no"]
        for _ in range(200):
            if c.cq("triage", "show", case_no, check=False).returncode == 0:
                break
            time.sleep(0.05)
        c.cq("--as", "officer1", "triage", "decide", case_no, "--disposal", "preliminary_verification")
        c.cq("--as", "officer1", "conclude", case_no, "--as", "untrue", "--summary", "经核查不属实")
        cases = []
        for _ in range(200):
            cases = json.loads(c.cq("--as", "clar1", "clarify", "list", "--json").stdout)["items"]
            if len(cases) == 2:
                break
            time.sleep(0.05)
        t.check(len(cases) == 2, "a clarification case for each official")
        a, b = cases[0]["number"], cases[1]["number"]
        day = recent_working_day(c.conf)
        for n in (a, b):
            c.cq("--as", "clar1", "clarify", "consent", n, "--granted")

        def schedule(n, start, end, venue, presenter):
            c.cq("--as", "clar1", "clarify", "schedule", n, "--type", "meeting", "--scope", "unit",
                 "--date", day.isoformat(), "--start", start, "--end", end, "--venue", venue,
                 "--host", "东城区纪委监委", "--presenter", presenter, "--attendees", "30")

        schedule(a, "09:00", "10:30", "住建局三楼会议室, 东侧; 大厅", "李主任")
        schedule(b, "14:00", "15:00", "住建局二楼会议室", "周主任")
        c.cq("--as", "clar1", "clarify", "cancel", b, "--reason", "本人出差")

        def export(name):
            out = os.path.join(c.dir, name)
            c.cq("--as", "clar1", "clarify", "ics", "--out", out)
            with open(out, "rb") as f:
                raw = f.read()
            return raw, icalendar.Calendar.from_ical(raw)

        raw1, cal1 = export("first.ics")
        t.check(b"\r\n" in raw1 and raw1.count(b"\n") == raw1.count(b"\r\n"), "lines end in CRLF")
        t.check(all(len(line) <= 75 for line in raw1.split(b"\r\n")), "no line over 75 octets")
        events = {str(e["UID"]): e for e in cal1.walk("VEVENT")}
        t.check(len(events) == 2, "two briefings exported")
        tzs = [str(z["TZID"]) for z in cal1.walk("VTIMEZONE")]
        t.check(tzs == ["Asia/Shanghai"], "the time zone is declared")
        by_status = {str(e["STATUS"]): e for e in events.values()}
        t.check(set(by_status) == {"CONFIRMED", "CANCELLED"}, "one confirmed, one cancelled")
        ok = by_status.get("CONFIRMED")
        if ok is not None:
            start, end = ok["DTSTART"].dt, ok["DTEND"].dt
            t.check(start.replace(tzinfo=None) == datetime.datetime.combine(day, datetime.time(9, 0)), "start round-trips")
            t.check(end.replace(tzinfo=None) == datetime.datetime.combine(day, datetime.time(10, 30)), "end round-trips")
            t.check(start.utcoffset() == datetime.timedelta(hours=8), "start is at +08:00")
            t.check(ok["DTSTART"].params.get("TZID") == "Asia/Shanghai", "start names its time zone")
            t.check(str(ok["LOCATION"]) == "住建局三楼会议室, 东侧; 大厅", "commas and semicolons survive escaping")
            t.check(a in str(ok["SUMMARY"]), "the summary names the case")
        gone = by_status.get("CANCELLED")
        t.check(gone is not None and int(gone["SEQUENCE"]) >= 1, "a cancellation bumps the sequence")

        # Re-export after moving the briefing: same UID, higher SEQUENCE, new time.
        uid_a = str(ok["UID"]) if ok is not None else ""
        c.cq("--as", "clar1", "clarify", "reschedule", a, "--start", "10:00", "--end", "11:00", "--reason", "会议冲突")
        _, cal2 = export("second.ics")
        again = {str(e["UID"]): e for e in cal2.walk("VEVENT")}
        t.check(set(again) == set(events), "re-export keeps the same UIDs: no duplicates")
        moved = again.get(uid_a)
        if moved is not None:
            t.check(int(moved["SEQUENCE"]) == int(ok["SEQUENCE"]) + 1, "the reschedule bumps the sequence")
            t.check(moved["DTSTART"].dt.replace(tzinfo=None) == datetime.datetime.combine(day, datetime.time(10, 0)),
                    "the new time is exported")
        # A week with no briefing exports an empty but valid calendar.
        raw3 = c.cq("--as", "clar1", "clarify", "ics", "--week", "2026-W01").stdout.encode()
        t.check(len(icalendar.Calendar.from_ical(raw3).walk("VEVENT")) == 0, "an empty week is an empty calendar")
    finally:
        c.close()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
