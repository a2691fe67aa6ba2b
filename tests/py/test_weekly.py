"""`cq weekly` in its machine and printable forms: the CSV parses with
Python's csv module (an independent RFC 4180 reader) and says what the JSON
says; the HTML page renders in headless Chromium (DOM and a PNG screenshot)."""
import csv
import io
import json
import os
import subprocess
import sys
import time

from harness import ROOT, Cluster, Results

TIMES = ["2026-11-03T10:00:00+08:00", "2026-11-10T10:00:00+08:00", "2026-11-17T10:00:00+08:00",
         "2026-11-18T16:00:00+08:00"]


def report(i):
    return {
        "channel": ["letter", "visit", "phone", "online"][i % 4],
        "received_at": TIMES[i % len(TIMES)],
        "reporter": {"anonymous": i % 2 == 0, **({} if i % 2 == 0 else {"name": "周报测试%d" % i, "phone": "1370000%04d" % i})},
        "accused": [{"name": "干部%d" % i, "unit": "东城区住建局", "post": "科长", "level": "section",
                     "region": ["dongcheng", "nanhu"][i % 2]}],
        "category": "abuse-of-power",
        "summary": "反映干部%d在项目审批中索要好处费" % i,
        "details": "2026年5月第%d次在局办公室索要好处费2万元，有录音为证。" % i,
    }


def main():
    bin_dir = sys.argv[1]
    t = Results()
    c = Cluster(bin_dir, ["intake", "triage", "stats"])
    try:
        c.cq("user", "add", "clerk1", "--role", "clerk")
        c.cq("user", "add", "sup1", "--role", "supervisor")
        c.start()
        for i in range(8):
            path = os.path.join(c.dir, "r%d.json" % i)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(report(i), f, ensure_ascii=False)
            c.cq("--as", "clerk1", "submit", "--file", path)
        data = {}
        for _ in range(200):
            data = json.loads(c.cq("--as", "sup1", "weekly", "--week", "2026-W47", "--format", "json").stdout)
            if next(r["value"] for r in data["rows"] if r["metric"] == "received") == 4:
                break
            time.sleep(0.05)
        rows = {r["metric"]: r for r in data["rows"]}
        t.check(rows["received"]["value"] == 4 and rows["received"]["previous"] == 2, "the JSON has the week's counts")

        raw = subprocess.run([os.path.join(bin_dir, "cq"), "--config", c.config, "--as", "sup1", "weekly", "--week",
                              "2026-W47", "--format", "csv"], capture_output=True).stdout
        t.check(raw.count(b"\n") == raw.count(b"\r\n") > 1, "CSV lines end in CRLF (RFC 4180)")
        text = raw.decode("utf-8")
        parsed = list(csv.DictReader(io.StringIO(text, newline="")))
        t.check(len(parsed) == len(data["rows"]), "one CSV row per metric")
        same = all(int(p["value"]) == rows[p["metric"]]["value"] and int(p["previous"]) == rows[p["metric"]]["previous"]
                   and int(p["change"]) == rows[p["metric"]]["change"] and p["label_zh"] == rows[p["metric"]]["zh"]
                   and (p["year_to_date"] == "" if rows[p["metric"]]["ytd"] is None
                        else int(p["year_to_date"]) == rows[p["metric"]]["ytd"]) for p in parsed)
        t.check(same, "the CSV says what the JSON says")

        series = json.loads(c.cq("--as", "sup1", "weekly", "--week", "2026-W47", "--weeks", "3", "--json").stdout)
        text = c.cq("--as", "sup1", "weekly", "--week", "2026-W47", "--weeks", "3", "--format", "csv").stdout
        grid = list(csv.reader(io.StringIO(text, newline="")))
        t.check(grid[0][4:] == ["2026-W45", "2026-W46", "2026-W47"], "the series CSV has a column per week")
        received = next(r for r in grid if r[1] == "received")
        t.check([int(v) for v in received[4:]] == series["series"]["received"] == [2, 2, 4], "the series values")

        table = c.cq("--as", "sup1", "weekly", "--week", "2026-W47").stdout
        t.check("收到信访举报" in table and "year to date" in table, "the terminal table")
        md = c.cq("--as", "sup1", "weekly", "--week", "2026-W47", "--format", "md").stdout
        t.check(md.startswith("## ") and "|---|---:|" in md, "the Markdown table")
        bad = c.cq("--as", "sup1", "weekly", "--week", "2026-W99", check=False)
        t.check(bad.returncode == 1 and "body.week" in bad.stderr, "a bad week is refused, saying where")

        page = os.path.join(c.dir, "weekly.html")
        c.cq("--as", "sup1", "weekly", "--week", "2026-W47", "--format", "html", "--out", page)
        html = open(page, encoding="utf-8").read()
        t.check(html.count("<svg") == 4 and "<script" not in html and "http" not in html.replace("http://www.w3.org", ""),
                "self-contained: four inline SVG charts, no script, nothing fetched")
        profile = os.path.join(c.dir, "chromium")
        dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile,
                              "--dump-dom", "file://" + page], capture_output=True, text=True, timeout=120)
        t.check(dom.returncode == 0 and "2026-W47" in dom.stdout and dom.stdout.count("<rect") >= 48,
                "Chromium loads the page and builds its charts")
        png = os.path.join(c.dir, "weekly.png")
        shot = subprocess.run([os.path.join(ROOT, "tools", "render-html"), page, png], capture_output=True, text=True,
                              timeout=120)
        ok = shot.returncode == 0 and os.path.exists(png)
        head = open(png, "rb").read(8) if ok else b""
        t.check(ok and head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(png) > 20000, "a PNG screenshot of the report")
    finally:
        c.close()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
