"""The organizers' dashboard (web/dashboard/) in a real browser: headless
Chromium loads it from nginx against the running stack; the top entries
it shows must be the API's (also the provinces by participation rate,
then score), and after more submits the page must update
by itself. A screenshot is kept in tests/artifacts/dashboard.png."""
import json
import os
import random

from boards_helpers import World, crowd
from cdp import Browser

__order__ = 75

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOT = os.path.join(ROOT, "tests", "artifacts", "dashboard.png")

# Each table as the page shows it: [[data-id, cell texts...], ...]
READ_TABLES = """(() => {
  const t = id => Array.from(document.querySelectorAll('#' + id + ' tbody tr'))
      .filter(tr => tr.dataset.id)
      .map(tr => [tr.dataset.id].concat(Array.from(tr.cells).map(td => td.textContent)));
  return JSON.stringify({people: t('people'), units: t('units-score'), rate: t('units-rate'),
      regions: t('regions'), regions_rate: t('regions-rate'), refreshes: +(document.body.dataset.refreshes || 0),
      state: document.getElementById('state').textContent,
      counts: ['registrations', 'units', 'participants', 'attempts'].map(
          k => document.getElementById('c-' + k).textContent),
      title: document.getElementById('contest-name').textContent,
      login: !document.getElementById('login').hidden});
})()"""


def read(browser):
    return json.loads(browser.eval(READ_TABLES))


def fmt(n):
    return "{:,}".format(n)


def expected(w, stack, token):
    ppl = w.ok("individual", limit=10)
    units = w.ok("units", limit=10, order="score")
    rate = w.ok("units", limit=10, order="participation")
    regions = w.ok("regions", level="province")
    regions_rate = w.ok("regions", level="province", order="participation")
    stats = stack.get("admin/stats?contest_id=%d" % w.id, token=token).json
    return {
        "people": [[str(e["user_id"]), str(e["rank"]), e["name"], e["unit_name"], fmt(e["score"])]
                   for e in ppl["entries"]],
        "units": [[str(e["unit_id"]), str(e["rank"]), e["name"], fmt(e["score"]), fmt(e["participants"])]
                  for e in units["entries"]],
        "rate": [[str(e["unit_id"]), str(e["rank"]), e["name"], "%.1f%%" % (e["participation_rate"] * 100),
                  "%d/%d" % (e["staff_participants"], e["headcount"])] for e in rate["entries"]],
        "regions": [[e["region_code"], str(e["rank"]), e["name"], fmt(e["score"]), fmt(e["participants"])]
                    for e in regions["entries"][:10]],
        "regions_rate": [[e["region_code"], str(e["rank"]), e["name"], "%.1f%%" % (e["participation_rate"] * 100),
                          fmt(e["score"])] for e in regions_rate["entries"][:10]],
        "counts": [fmt(stats["totals"][k]) for k in ("registrations", "units", "participants", "attempts")],
    }


def shown(page):
    return {k: page[k] for k in ("people", "units", "rate", "regions", "regions_rate", "counts")}


def test_dashboard_shows_the_boards_and_follows_new_submits(stack):
    from quiz_helpers import organizer_token
    rng = random.Random(2024)
    w = World(stack)
    regions = ["140403", "140105", "320102", "110101"]
    units = [w.unit(n, regions[i % 4], headcount=rng.randrange(3, 12)) for i, n in enumerate(
        ["长治市水务局", "太原市水利局", "南京市水务局", "北京市水务局", "潞州区水利站", "小店区供水公司"])]
    people = [w.person(rng.choice(units), rng.choice(regions), rng.choice("张李王赵钱孙周吴郑") + "某" * (i % 2 + 1),
                       kind="five_into" if i % 9 == 0 else "staff") for i in range(24)]
    crowd(w, people, 100, rng, top=90)       # below the newcomer's 100 and 95
    w.settle()
    w.assert_boards_match_model()            # the API the page reads, judged on its own
    token = organizer_token(stack)
    b = Browser(width=1920, height=1080)   # a projector
    try:
        b.goto("%s/dashboard/?contest_id=%d&refresh=1#token=%s" % (stack.base, w.id, token))
        b.wait_for("+(document.body.dataset.refreshes || 0) >= 1", what="the first refresh")
        page = read(b)
        want = expected(w, stack, token)
        assert shown(page) == want, (shown(page), want)
        assert len(page["people"]) == 10 and page["state"] == "实时" and not page["login"], page
        # the provinces by participation: the rate first (as a percentage), then the score
        provinces = [(float(r[3].rstrip("%")), int(r[4].replace(",", ""))) for r in page["regions_rate"]]
        assert len(provinces) >= 3 and provinces == sorted(provinces, reverse=True), page["regions_rate"]
        assert sorted(r[0] for r in page["regions_rate"]) == sorted(r[0] for r in page["regions"])
        assert page["title"].startswith("榜单测试"), page["title"]
        # the token left the address bar
        assert "token=" not in b.eval("location.href")

        # more answers: a newcomer tops the board, the counts move
        unit = w.unit("新来的单位", "140404", headcount=2)
        star = w.person(unit, "140404", "欧阳娜娜")
        w.submit(star, 100, 2 * 86400)          # after the crowd, within the sessions' 7 days
        w.submit(w.person(unit, "140404", "李四"), 95, 2 * 86400 + 1)
        w.settle()
        w.assert_boards_match_model()
        b.wait_for("document.querySelector('#people tbody tr') && "
                   "document.querySelector('#people tbody tr').dataset.id === '%d'" % star,
                   what="the newcomer on the page")
        # The counts are cached for 3 s (handlers/stats.c): refreshes that
        # began after the newcomer showed, for longer than that.
        seen = read(b)["refreshes"]
        b.wait_for("+document.body.dataset.refreshes > %d" % (seen + 4), what="four more refreshes")
        page = read(b)
        want = expected(w, stack, token)
        assert shown(page) == want, (shown(page), want)
        assert page["people"][0][2:] == ["欧阳**", "新来的单位", "100"], page["people"][0]
        assert [u[0] for u in page["rate"]][0] == str(unit)       # 2 of 2 staff answered: 100%
        # the boards did not change during those refreshes: each was asked
        # for with its ETag and answered 304 with no body
        unchanged = int(b.eval("String(+(document.body.dataset.boardsUnchanged || 0))"))
        assert unchanged >= 5, unchanged
        b.screenshot(SHOT)
        assert os.path.getsize(SHOT) > 10000

        # without a token: the boards, and the login form instead of the counts
        b.eval("sessionStorage.clear()")
        b.goto("%s/dashboard/?contest_id=%d&refresh=1" % (stack.base, w.id))
        b.wait_for("+(document.body.dataset.refreshes || 0) >= 1", what="a refresh without a token")
        page = read(b)
        assert page["login"] and page["counts"] == ["—"] * 4, page
        assert page["people"] == want["people"]
    finally:
        b.close()
