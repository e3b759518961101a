"""The dashboard's organizer part in headless Chromium: the per-day chart
of registrations and participants (SVG drawn by the page) equals the
stats' series, the region table equals the stats' breakdown, and an
export button shows the job's progress and then downloads the file.
Screenshots: tests/artifacts/dashboard-reports*.png."""
import json
import os
import random

from reports_helpers import SqlWorld as World, sql_crowd as crowd, START
from cdp import Browser
from reports_helpers import organizer, read_xlsx
from test_reports_exports import freeze

__order__ = 76

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ART = os.path.join(ROOT, "tests", "artifacts")

READ = """(() => JSON.stringify({
  ops: !document.getElementById('ops').hidden,
  reg: Array.from(document.querySelectorAll('#chart circle.pt-reg')).map(c => [c.dataset.date, +c.dataset.value]),
  part: Array.from(document.querySelectorAll('#chart circle.pt-part')).map(c => [c.dataset.date, +c.dataset.value]),
  lines: document.querySelectorAll('#chart polyline').length,
  regions: Array.from(document.querySelectorAll('#region-stats tbody tr')).map(
      tr => [tr.dataset.id].concat(Array.from(tr.cells).map(td => td.textContent))),
  job: Object.assign({}, document.getElementById('job').dataset),
  jobText: document.getElementById('job-state').textContent,
  bar: document.getElementById('job-bar').style.width}))()"""


def chart_days(series, starts_at, ends_at):
    """The days the chart draws (as dashboard.js): the contest's days and
    the 30 before, within the series, days without a row as 0."""
    import datetime
    if not series:
        return []
    day = lambda s: datetime.date.fromisoformat(s[:10])
    by = {d["date"]: d for d in series}
    first = max(day(series[0]["date"]), day(starts_at) - datetime.timedelta(days=30))
    last = min(day(series[-1]["date"]), day(ends_at))
    if last < first:
        last = day(series[-1]["date"])
        first = max(day(series[0]["date"]), last - datetime.timedelta(days=89))
    out = []
    while first <= last:
        k = first.isoformat()
        out.append(by.get(k, {"date": k, "registrations": 0, "participants": 0}))
        first += datetime.timedelta(days=1)
    return out


def read(b):
    return json.loads(b.eval(READ))


def test_dashboard_chart_and_export_progress(stack):
    rng = random.Random(11)
    w = World(stack)
    units = [w.unit("看板导出单位%d" % i, r, headcount=8) for i, r in enumerate(["140105", "320102", "110101"])]
    people = [w.person(rng.choice(units), "140105", "张某") for _ in range(30)]
    # registrations over six days, answers over five
    for i, uid in enumerate(people):
        stack.sql("UPDATE profiles SET created_at = %d WHERE user_id = %d" % (START - 86400 * (i % 6), uid))
    crowd(w, people, 80, rng, horizon=5 * 86400)
    w.settle()
    tok, _ = organizer(stack)
    stats = stack.get("admin/stats?contest_id=%d" % w.id, token=tok).json
    b = Browser(width=1920, height=1300)
    try:
        b.goto("%s/dashboard/?contest_id=%d&refresh=2#token=%s" % (stack.base, w.id, tok))
        b.wait_for("document.querySelectorAll('#chart circle').length > 0", what="the chart")
        page = read(b)
        assert page["ops"] and page["lines"] == 2, page
        drawn = chart_days(stats["series"], stats["contest_starts_at"], stats["contest_ends_at"])
        assert page["reg"] == [[d["date"], d["registrations"]] for d in drawn], (page["reg"], stats["series"])
        assert page["part"] == [[d["date"], d["participants"]] for d in drawn]
        mine = {d["date"]: d for d in stats["series"]}
        for date, v in page["part"]:        # the contest's participants all fall in the drawn days
            assert v == mine.get(date, {"participants": 0})["participants"]
        assert sum(v for _, v in page["part"]) == stats["totals"]["participants"]
        assert len(page["reg"]) >= 6
        fmt = "{:,}".format
        assert page["regions"] == [[r["region_code"], r["name"], fmt(r["registrations"]), fmt(r["units"]),
                                    fmt(r["participants"])] for r in stats["regions"][:12]], page["regions"]

        # the job the button will ask for, held "running" at 40 % on another host
        body = {"kind": "participants", "format": "xlsx", "contest_id": w.id}
        for _ in range(20):
            r = stack.post("admin/exports", body, token=tok)
            if freeze(stack, r.json["job_id"]):
                break
        else:
            raise AssertionError("could not hold a job")
        jid = r.json["job_id"]
        stack.sql("UPDATE export_jobs SET progress = 0.4 WHERE id = %d" % jid)
        b.eval("document.getElementById('export-participants').click()")
        b.wait_for("document.getElementById('job').dataset.progress === '40'", what="the progress shown")
        page = read(b)
        assert page["job"]["jobId"] == str(jid) and page["job"]["state"] == "running", page["job"]
        assert page["bar"] == "40%" and "生成中" in page["jobText"], page
        assert b.eval("document.getElementById('export-units').disabled") is True
        b.screenshot(os.path.join(ART, "dashboard-reports-progress.png"))
        # let it go: the runner takes it, the page downloads the file
        stack.sql("UPDATE export_jobs SET state = 'queued', runner = NULL WHERE id = %d" % jid)
        b.wait_for("document.getElementById('job').dataset.bytes > 0", timeout=60, what="the download")
        page = read(b)
        assert page["job"]["state"] == "done" and page["bar"] == "100%", page
        assert "running" in page["job"]["seen"].split(","), page["job"]
        f = stack.get("/api/v1/admin/jobs/%d/file" % jid, token=tok)
        assert int(page["job"]["bytes"]) == len(f.body), (page["job"], len(f.body))
        rows = read_xlsx(f.body)["参赛人员"]["rows"]
        assert len(rows) - 1 == stats["totals"]["participants"] and "共 %d 行" % (len(rows) - 1) in page["jobText"]
        b.wait_for("getComputedStyle(document.getElementById('job-bar')).width === "
                   "getComputedStyle(document.getElementById('job-bar').parentNode).width", what="the full bar")
        b.screenshot(os.path.join(ART, "dashboard-reports.png"))
        assert os.path.getsize(os.path.join(ART, "dashboard-reports.png")) > 10000
    finally:
        b.close()
