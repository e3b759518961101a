"""The web quiz page (web/quiz/) end to end in headless Chromium against
the test stack (issue 13): the page shows the sign-in code and polls; the
test plays the mini-program's part (the confirm call with the person's
token); the person, not yet registered, registers on the page (region,
unit search), opens the materials, answers a whole attempt of a staff
contest that keeps its key until the end, and the score the page shows is
the API's; the boards render; after the contest closes the review shows
each answer. Materials: a link and an organizer's uploaded PDF, served by
the site. The certificate: after the attempt the page gives the reason
there is none yet (the contest runs; later, no verified phone), and once
the person has one, a link that downloads the PDF the API gives.
Screenshots at phone and desktop widths go to tests/artifacts/
(web-quiz-*.png)."""
import json
import os
import re
import secrets
import tempfile
import time

from cdp import Browser
from console_helpers import pdf, upload_id
from quiz_helpers import answer_key, ensure_bank, organizer_token, q, wrong_answers
from units_helpers import register_unit, token as rare

__order__ = 76

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ART = os.path.join(ROOT, "tests", "artifacts")


def shot(b, name):
    path = os.path.join(ART, "web-quiz-%s.png" % name)
    b.screenshot(path)
    assert os.path.getsize(path) > 5000, path


def js(s):
    return json.dumps(s, ensure_ascii=False)


def make_contest(stack):
    now = int(time.time())
    slug = "web" + secrets.token_hex(5)
    stack.sql("INSERT INTO contests (slug, name, is_main, audience, review_policy, registration_deadline,"
              " starts_at, ends_at, paper, points_per_question, time_limit_s, attempts_per_day, score_rule,"
              " certificate_threshold, certificate_hours, certificate_days,"
              " created_at, updated_at) SELECT %s, '网页答题测试赛', 0, 'staff', 'after_end', %d, %d, %d, paper,"
              " 5, 1200, 2, 'best', 80, 2, 15, 0, 0 FROM contests WHERE slug = 'liuxiang'"
              % (q(slug), now + 3600, now - 3600, now + 7200))
    return int(stack.sql("SELECT id FROM contests WHERE slug = %s" % q(slug))[0][0])


def sign_in(stack, b, user_token):
    """Open the page, wait for its code, confirm as the mini-program would."""
    b.goto(stack.base + "/quiz/")
    sid = b.wait_for("document.getElementById('qr').dataset.session", what="the sign-in code")
    b.wait_for("document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0",
               what="the code's image")
    r = stack.post("me/web-sessions/%s/confirm" % sid, token=user_token)
    assert r.status == 204, r
    return sid


def press(b, key, vk, code=None):
    """One key pressed and released, as a keyboard sends it."""
    for t in ("keyDown", "keyUp"):
        params = dict(type=t, key=key, code=code or key, windowsVirtualKeyCode=vk)
        if t == "keyDown" and key == " ":
            params["text"] = " "
        b.call("Input.dispatchKeyEvent", **params)


def view(b):
    return b.eval("document.body.dataset.view")


def test_answer_a_whole_attempt_on_the_web_page(stack):
    stack.set_clock(offset_s=0)
    stack.redis("EVAL", "for _, k in ipairs(redis.call('KEYS', 'rl:web-sess:*')) do redis.call('DEL', k) end", "0")
    ensure_bank(stack)
    cid = make_contest(stack)
    word = rare()
    helper, _ = stack.login()
    unit = register_unit(stack, helper, cid, name="长治市%s水务局" % word)
    stack.sql("INSERT INTO materials (contest_id, title, kind, url, published_at, created_at) VALUES"
              " (%d, '网页测试学习资料', 'link', 'https://example.org/study.pdf', %d, 0),"
              " (%d, '尚未发布的资料', 'link', 'https://example.org/later.pdf', %d, 0)"
              % (cid, int(time.time()) - 60, cid, int(time.time()) + 86400))
    org = organizer_token(stack)
    study = pdf(b"web quiz study file")
    r = stack.post("admin/materials", {"title": "网页测试PDF资料", "upload_id": upload_id(stack, org, study),
                                       "published_at": "2024-01-01T08:00:00+08:00", "contest_id": cid}, token=org)
    assert r.status == 201, r
    file_id = r.json["material"]["id"]
    user_token, user = stack.login()
    assert user["registered"] is False

    # served with a policy that allows only the page's own files
    r = stack.get("/quiz/")
    assert r.status == 200 and "default-src 'self'" in (r.header("Content-Security-Policy") or ""), r.headers
    html = r.body.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html), "outside scripts, styles or fonts"
    for f in ("quiz.js", "quiz.css"):
        body = stack.get("/quiz/" + f).body.decode()
        assert "@import" not in body and "@font-face" not in body and "//fonts" not in body, f

    b = Browser(width=390, height=844)          # a phone
    try:
        shot_sid = None
        b.goto(stack.base + "/quiz/")
        shot_sid = b.wait_for("document.getElementById('qr').dataset.session", what="the sign-in code")
        b.wait_for("document.getElementById('qr').naturalWidth > 0", what="the code's image")
        assert view(b) == "signin"
        shot(b, "phone-signin")
        r = stack.post("me/web-sessions/%s/confirm" % shot_sid, token=user_token)
        assert r.status == 204, r

        # not registered yet: the page asks for the profile (same rules, unit search)
        b.wait_for("document.body.dataset.view === 'register'", what="the registration form")
        b.wait_for("document.querySelectorAll('#reg-province option').length > 10", what="the provinces")
        # every control of the form has a label a screen reader reads, and
        # the choices are native radio buttons and check boxes in fieldsets
        unlabelled = b.eval("Array.from(document.querySelectorAll('#reg-form input, #reg-form select'))"
                            ".filter(e => !(e.labels && e.labels.length)).map(e => e.id || e.name).join(',')")
        assert unlabelled == "", unlabelled
        assert b.eval("document.querySelectorAll('#reg-form fieldset > legend').length") >= 4
        assert b.eval("document.querySelectorAll('#reg-form input[type=radio][name=kind]').length") == 2
        b.eval("document.getElementById('reg-name').value = '网页测试'")
        for sel, code, nxt in (("reg-province", "140000", "reg-city"), ("reg-city", "140400", "reg-county"),
                               ("reg-county", "140404", None)):
            b.eval("(() => { const s = document.getElementById('%s'); s.value = '%s';"
                   " s.dispatchEvent(new Event('change')); return s.value; })()" % (sel, code))
            if nxt:
                b.wait_for("document.querySelectorAll('#%s option').length > 1" % nxt, what=nxt)
        b.eval("document.getElementById('unit-q').value = %s" % js(word))
        b.eval("document.getElementById('unit-search').click()")
        b.wait_for("!!document.querySelector('#unit-results input[value=\"%d\"]')" % unit["id"], what="the unit found")
        b.eval("document.querySelector('#unit-results input[value=\"%d\"]').click()" % unit["id"])
        # the privacy notice is shown and must be accepted (PIPL)
        b.wait_for("document.getElementById('privacy-text').textContent.includes('个人信息')",
                   what="the privacy notice")
        b.eval("document.getElementById('reg-consent').click()")
        shot(b, "phone-register")
        b.eval("document.querySelector('#reg-form button[type=submit]').click()")
        b.wait_for("!!document.querySelector('[data-contest=\"%d\"]')" % cid, what="the contest list")
        me = stack.get("me", token=user_token).json
        assert me["profile"]["unit_id"] == unit["id"] and me["profile"]["region_code"] == "140404", me
        card = b.eval("document.querySelector('[data-contest=\"%d\"]').textContent" % cid)
        assert "进行中" in card and "仅限水利系统干部职工" in card, card
        shot(b, "phone-home")

        # the materials published so far
        b.eval("document.querySelector('[data-contest=\"%d\"] [data-act=materials]').click()" % cid)
        b.wait_for("document.querySelectorAll('#materials a').length > 0", what="the materials")
        links = json.loads(b.eval("JSON.stringify(Array.from(document.querySelectorAll('#materials a'))"
                                  ".map(a => [a.textContent, a.href]))"))
        assert ["网页测试学习资料", "https://example.org/study.pdf"] in links, links
        assert ["网页测试PDF资料", stack.base + "/api/v1/materials/%d/file" % file_id] in links, links
        # the uploaded PDF opens from the page (same site, its policy allows it)
        got = json.loads(b.eval("fetch(document.querySelector('#materials li[data-kind=file] a').href)"
                                ".then(async r => JSON.stringify([r.status, r.headers.get('Content-Type'),"
                                " new TextDecoder().decode(await r.arrayBuffer())]))"))
        assert got == [200, "application/pdf", study.decode()], got
        shot(b, "phone-materials")
        assert "尚未发布的资料" not in json.dumps(links, ensure_ascii=False)
        b.eval("document.querySelector('#v-materials [data-go=home]').click()")
        b.wait_for("!!document.querySelector('[data-contest=\"%d\"] [data-act=start]')" % cid, what="home again")

        # answer the whole attempt on the page
        b.eval("document.querySelector('[data-contest=\"%d\"] [data-act=start]').click()" % cid)
        b.wait_for("document.querySelectorAll('#questions fieldset').length === 20", what="the paper")
        aid = int(stack.sql("SELECT id FROM attempts WHERE user_id = %d AND contest_id = %d"
                            % (user["id"], cid))[0][0])
        qs = json.loads(b.eval("JSON.stringify(Array.from(document.querySelectorAll('#questions fieldset'))"
                               ".map(f => +f.dataset.q))"))
        paper = json.loads(stack.sql("SELECT questions FROM attempts WHERE id = %d" % aid)[0][0])
        assert qs == [p["id"] for p in paper]
        # every question is a labelled group of native inputs
        assert b.eval("Array.from(document.querySelectorAll('#questions fieldset')).every(f =>"
                      " f.querySelector('legend') && f.querySelectorAll('label > input').length >= 2)")
        # the countdown and the messages are live regions; the visible clock
        # itself is hidden from screen readers, which hear the minutes
        assert b.eval("document.getElementById('countdown-say').getAttribute('aria-live')") == "polite"
        assert b.eval("document.getElementById('countdown').getAttribute('aria-hidden')") == "true"
        assert b.eval("document.getElementById('result').getAttribute('aria-live')") == "polite"
        # keyboard: the first answer is reachable and chosen with the keyboard alone
        assert b.eval("document.activeElement.id") == "h-quiz"
        press(b, "Tab", 9)
        assert b.eval("document.activeElement.name") == "q%d" % qs[0], b.eval("document.activeElement.outerHTML")
        press(b, " ", 32, code="Space")
        assert b.eval("document.querySelector('input[name=\"q%d\"]:checked') !== null" % qs[0])
        cd = b.eval("document.getElementById('countdown').textContent")
        assert re.fullmatch(r"(19|20):\d\d", cd), cd
        assert "分钟" in b.eval("document.getElementById('countdown-say').textContent")
        # the key from the texts shown: a start with the same person's
        # mini-program token returns the open attempt, as the page shows it
        again = stack.post("attempts", {"contest_id": cid}, token=user_token)
        assert again.status == 200 and again.json["attempt_id"] == aid, again
        key = answer_key(stack, again.json)
        answers = wrong_answers(key, 3)
        for a in answers:
            for letter in a["choice"]:
                b.eval("document.querySelector('input[name=\"q%d\"][value=\"%s\"]').click()"
                       % (a["question_id"], letter))
        shot(b, "phone-quiz")
        b.eval("document.getElementById('quiz-submit').click()")
        b.wait_for("!!document.getElementById('r-score')", what="the result")
        shown = int(b.eval("document.getElementById('r-score').textContent"))
        api = stack.get("attempts/%d" % aid, token=user_token).json
        assert api["score"] == shown == 85 and api["correct_count"] == 17, (shown, api)
        # the key is kept back until the end: the page says so and shows none
        assert b.eval("!!document.getElementById('r-later')")
        assert b.eval("document.querySelectorAll('#review li').length") == 0
        # no certificate while the contest runs: the page says when and how
        b.wait_for("!!document.getElementById('cert-reason')", what="the certificate's state")
        reason = b.eval("document.getElementById('cert-reason').textContent")
        assert "竞赛结束后" in reason and "80 分" in reason, reason
        assert not b.eval("!!document.getElementById('cert-link')")
        shot(b, "phone-result")

        # the boards
        b.eval("document.querySelector('#v-result [data-go=home]').click()")
        b.wait_for("!!document.querySelector('[data-contest=\"%d\"] [data-act=boards]')" % cid, what="home")
        b.eval("document.querySelector('[data-contest=\"%d\"] [data-act=boards]').click()" % cid)
        b.wait_for("document.querySelectorAll('#boards table').length === 3", what="the boards")
        b.wait_for("!!document.querySelector('#boards tbody td')", what="a board row")
        first = json.loads(b.eval("JSON.stringify(Array.from(document.querySelector('#boards tbody tr').cells)"
                                  ".map(c => c.textContent))"))
        assert first == ["1", "网***", unit["name"], "85"], first
        shot(b, "phone-boards")

        # signing out forgets the session on this page
        b.eval("document.getElementById('logout').click()")
        b.wait_for("document.body.dataset.view === 'signin'", what="the sign-in view again")
        assert b.eval("sessionStorage.getItem('quiz-token')") is None
    finally:
        b.close()

    d = Browser(width=1366, height=900)          # a desktop
    try:
        sign_in(stack, d, user_token)
        d.wait_for("!!document.querySelector('[data-review=\"%d\"]')" % aid, what="my attempt on the list")
        shot(d, "desktop-home")
        # the stored profile can be opened to change (the same form, filled in)
        d.eval("document.getElementById('edit-profile').click()")
        d.wait_for("document.body.dataset.view === 'register'", what="the profile form")
        assert d.eval("document.getElementById('reg-name').value") == "网页测试"
        assert d.eval("document.getElementById('h-register').textContent") == "修改报名信息"
        d.eval("document.querySelector('#nav [data-go=home]').click()")
        d.wait_for("!!document.querySelector('[data-review=\"%d\"]')" % aid, what="home again")
        # the contest closes: the review shows every answer and explanation
        stack.set_clock(offset_s=3 * 3600)
        d.eval("document.querySelector('[data-review=\"%d\"]').click()" % aid)
        d.wait_for("document.querySelectorAll('#review li[data-q]').length === 20", what="the review")
        right = d.eval("document.querySelectorAll('#review .right').length")
        wrong = d.eval("document.querySelectorAll('#review .wrong').length")
        assert (right, wrong) == (17, 3), (right, wrong)
        assert d.eval("document.querySelectorAll('#review .expl').length") >= 15
        # ended, score 85 of 80 needed, but no verified phone: the reason
        d.wait_for("!!document.getElementById('cert-reason')", what="the certificate's state")
        reason = d.eval("document.getElementById('cert-reason').textContent")
        assert "手机号" in reason and not d.eval("!!document.getElementById('cert-link')"), reason
        shot(d, "desktop-review")
        # the phone verified in the mini-program: the page offers the certificate
        r = stack.post("me/phone", {"code": "phone:139%08d" % secrets.randbelow(10 ** 8)}, token=user_token)
        assert r.status == 200, r
        d.eval("document.querySelector('#v-result [data-go=home]').click()")
        # GET /contests no longer lists the ended contest: the page keeps it
        # among the contests the person answered, with their attempts
        d.wait_for("!!document.querySelector('[data-review=\"%d\"]')" % aid, what="home again")
        assert d.eval("document.querySelector('#contests h2.past').textContent") == "已结束的竞赛"
        assert "已结束" in d.eval("document.querySelector('[data-contest=\"%d\"]').textContent" % cid)
        d.eval("document.querySelector('[data-review=\"%d\"]').click()" % aid)
        d.wait_for("!!document.getElementById('cert-link')", what="the certificate link")
        api_pdf = stack.get("me/certificate?contest_id=%d" % cid, token=user_token)
        assert api_pdf.status == 200, api_pdf
        name = re.search(r'filename="(certificate-[0-9a-f]{24}\.pdf)"', api_pdf.header("Content-Disposition")).group(1)
        link = json.loads(d.eval("(() => { const a = document.getElementById('cert-link');"
                                 " return JSON.stringify([a.getAttribute('download'), a.href.slice(0, 5), a.textContent]); })()"))
        assert link == [name, "blob:", "下载学时证书（PDF）"], link
        # clicked, the link saves the very file the API gives (the page's
        # policy keeps its scripts from reading blob: URLs, a download is not a read)
        with tempfile.TemporaryDirectory() as dl:
            d.call("Page.setDownloadBehavior", behavior="allow", downloadPath=dl)
            d.eval("document.getElementById('cert-link').click()")
            path = os.path.join(dl, name)
            deadline = time.time() + 20
            while time.time() < deadline and not (os.path.exists(path) and os.path.getsize(path) == len(api_pdf.body)):
                time.sleep(0.2)
            with open(path, "rb") as f:
                assert f.read() == api_pdf.body
        # reachable with the keyboard like every control
        d.eval("document.getElementById('cert-link').focus()")
        assert d.eval("document.activeElement.id") == "cert-link"
        d.eval("window.scrollTo(0, 0)")
        shot(d, "desktop-certificate")
    finally:
        stack.set_clock(offset_s=0)
        d.close()
