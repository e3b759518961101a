/* The web quiz page: sign in by scanning with the mini-program, register,
 * read the materials, answer, see the result, the review and the boards.
 * The same API and rules as the mini-program (../shared/API.md); no outside
 * scripts or fonts. The session token lives in this tab's sessionStorage. */
'use strict';
(function () {
  const API = '/api/v1/';
  const $ = id => document.getElementById(id);
  const ERR = {
    registered_too_late: '您的报名时间晚于本竞赛的报名截止时间，不能参加本竞赛。',
    not_in_audience: '本竞赛仅面向水利系统干部职工，“五进”人员不能参加。',
    contest_not_open: '竞赛不在答题时间内。',
    daily_limit_reached: '今天的答题次数已用完，请明天再来。',
    not_registered: '请先完善报名信息。',
    registration_closed: '报名已截止，只能更正姓名。',
    profile_locked: '参加答题后不能再修改单位或地区。',
    attempt_expired: '答题时间已过，本次答题未能提交。',
    invalid_name: '姓名不符合要求。',
    invalid_region: '请选择所在地区。',
    unit_not_found: '没有找到该单位。',
    sponsor_not_water_unit: '推荐单位须是水利单位。',
    content_risky: '填写的内容未通过安全检查，请修改。',
    query_too_short: '请至少输入两个字。',
    rate_limited: '操作太频繁，请稍后再试。',
    consent_required: '请阅读并同意最新的《个人信息保护告知书》。',
    unauthorized: '登录已失效，请重新扫码登录。'
  };
  let token = sessionStorage.getItem('quiz-token');
  let me = null, attempt = null, timer = null, polling = null;

  function say(msg) { $('status').textContent = msg || ''; }
  function errText(e) { return ERR[e.code] || e.message || '出错了，请稍后再试。'; }

  async function api(method, path, body) {
    const h = {};
    if (token) h.Authorization = 'Bearer ' + token;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const r = await fetch(API + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    let j = null;
    if (r.status !== 204) { try { j = await r.json(); } catch (e) { j = null; } }
    if (!r.ok) {
      const err = (j && j.error) || { code: 'http_' + r.status, message: '' };
      err.status = r.status;
      if (r.status === 401 && token) { signOut(); }
      throw err;
    }
    return j;
  }

  /* a message belongs to the view it was said in: a new view starts clean */
  function show(name) {
    say('');
    document.querySelectorAll('.view').forEach(v => { v.hidden = v.id !== 'v-' + name; });
    const h = document.querySelector('#v-' + name + ' h1');
    if (h) h.focus();
    document.body.dataset.view = name;
  }

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== false && attrs[k] != null) e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    }
    kids.forEach(c => e.append(c));
    return e;
  }

  function fmtTime(iso) {
    const d = new Date(iso);
    const p = n => String(n).padStart(2, '0');
    /* shown in Beijing time, whatever the computer's zone */
    const b = new Date(d.getTime() + 8 * 3600e3);
    return b.getUTCFullYear() + '-' + p(b.getUTCMonth() + 1) + '-' + p(b.getUTCDate()) + ' ' +
      p(b.getUTCHours()) + ':' + p(b.getUTCMinutes());
  }

  /* ---- sign-in ---- */

  async function startSignIn() {
    clearInterval(polling);
    show('signin');
    $('nav').hidden = true;
    $('who').hidden = true;
    $('qr-state').textContent = '正在获取小程序码…';
    let s;
    try { s = await api('POST', 'web/sessions'); } catch (e) { $('qr-state').textContent = errText(e); return; }
    $('qr').src = s.qrcode_url;
    $('qr').dataset.session = s.session_id;
    $('qr-state').textContent = '等待扫码确认…';
    const until = Date.now() + s.expires_in * 1000;
    polling = setInterval(async () => {
      let p;
      try { p = await api('GET', 'web/sessions/' + s.session_id + '?secret=' + encodeURIComponent(s.poll_secret)); }
      catch (e) { return; }
      if (p.state === 'confirmed' && p.token) {
        clearInterval(polling);
        token = p.token;
        sessionStorage.setItem('quiz-token', token);
        enter().then(() => say('登录成功。'));
      } else if (p.state === 'expired' || Date.now() > until + 5000) {
        clearInterval(polling);
        $('qr-state').textContent = '小程序码已过期，请点击“换一个小程序码”。';
      }
    }, 1500);
  }

  function signOut() {
    /* POST /logout ends the session on the server where it exists */
    if (token) fetch(API + 'logout', { method: 'POST', headers: { Authorization: 'Bearer ' + token } }).catch(() => {});
    token = null;
    sessionStorage.removeItem('quiz-token');
    clearInterval(timer);
    startSignIn();
  }

  /* ---- after sign-in ---- */

  async function enter() {
    try { me = await api('GET', 'me'); } catch (e) { say(errText(e)); return; }
    $('nav').hidden = false;
    if (!me.profile) { $('who').hidden = true; openRegister(); return; }
    $('who').textContent = me.profile.real_name + '，您好';
    $('who').hidden = false;
    home();
  }

  /* ---- registration ---- */

  async function fillRegions(sel, parent) {
    sel.replaceChildren(el('option', { value: '', text: '请选择' }));
    let j;
    try { j = await api('GET', 'regions' + (parent ? '?parent=' + parent : '')); } catch (e) { j = { regions: [] }; }
    j.regions.forEach(g => sel.append(el('option', { value: g.code, text: g.name })));
    sel.disabled = j.regions.length === 0;
  }

  let chosenUnit = null;
  /* a new profile, or the stored one to change (the same rules: the unit
   * and region only while registration is open and before answering) */
  /* the privacy notice in force: shown beside the form, its version sent
   * as consent_version when the person ticks the box (PIPL) */
  let notice = null;
  async function loadNotice() {
    try { notice = await api('GET', 'privacy'); $('privacy-text').textContent = notice.text; }
    catch (e) { notice = null; }
  }

  function openRegister() {
    show('register');
    loadNotice();
    fillRegions($('reg-province'), null);
    const p = me && me.profile;
    $('h-register').textContent = p ? '修改报名信息' : '完善报名信息';
    if (!p) return;
    $('reg-name').value = p.real_name || '';
    const staff = p.kind === 'staff';
    document.querySelector('input[name=kind][value=' + (staff ? 'staff' : 'five_into') + ']').click();
    $('reg-leader').checked = !!p.is_unit_leader;
    $('reg-position').value = p.position || '';
    if (p.five_into) {
      $('reg-category').value = p.five_into.category;
      $('reg-org').value = p.five_into.org_name || '';
    }
    say('请重新选择地区和单位后提交；参加答题后只能更正姓名。');
  }

  async function searchUnits() {
    const q = $('unit-q').value.trim();
    const box = $('unit-results');
    box.replaceChildren();
    chosenUnit = null;
    if (q.length < 2) { box.append(el('p', { text: ERR.query_too_short })); return; }
    let j;
    try { j = await api('GET', 'units?limit=20&q=' + encodeURIComponent(q)); }
    catch (e) { box.append(el('p', { text: errText(e) })); return; }
    if (!j.units.length) { box.append(el('p', { text: '没有找到，请换个关键字。' })); return; }
    j.units.forEach(u => {
      const input = el('input', { type: 'radio', name: 'unit', value: u.id,
        onchange: () => { chosenUnit = u.id; } });
      box.append(el('label', { class: 'choice' }, input, ' ' + u.name + '（' + (u.region_name || '') + '）'));
    });
  }

  function regionCode() {
    return $('reg-county').value || $('reg-city').value || $('reg-province').value;
  }

  async function submitRegister(ev) {
    ev.preventDefault();
    $('reg-error').textContent = '';
    const staff = document.querySelector('input[name=kind]:checked').value === 'staff';
    if (!chosenUnit) { $('reg-error').textContent = staff ? '请搜索并选择工作单位。' : '请搜索并选择推荐单位。'; return; }
    const body = { real_name: $('reg-name').value.trim(), region_code: regionCode() };
    if (staff) {
      body.unit_id = chosenUnit;
      body.is_unit_leader = $('reg-leader').checked;
      body.position = $('reg-position').value.trim();
    } else {
      body.five_into = { category: $('reg-category').value, org_name: $('reg-org').value.trim(),
                         sponsor_unit_id: chosenUnit };
    }
    if (!$('reg-consent').checked) { $('reg-error').textContent = ERR.consent_required; return; }
    if (!notice) await loadNotice();
    if (notice) body.consent_version = notice.version;
    try { await api('PUT', 'me/profile', body); }
    catch (e) { $('reg-error').textContent = errText(e); return; }
    await enter();
    say('报名成功。');
  }

  /* ---- contests ---- */

  const STATUS = { upcoming: '未开始', open: '进行中', closed: '已结束' };

  async function home() {
    show('home');
    const box = $('contests');
    box.replaceChildren(el('p', { text: '正在加载…' }));
    let j;
    try { j = await api('GET', 'contests'); } catch (e) { box.replaceChildren(el('p', { text: errText(e) })); return; }
    box.replaceChildren();
    if (!j.contests.length) box.append(el('p', { text: '目前没有进行中的竞赛。' }));
    for (const c of j.contests) box.append(await contestCard(c));
    /* contests that ended (GET /contests lists open and upcoming ones only)
     * stay here while the person has answered them: the review and the
     * certificate are read after the end */
    const past = await pastContests(new Set(j.contests.map(c => c.id)));
    if (past.length) box.append(el('h2', { class: 'past', text: '已结束的竞赛' }));
    for (const c of past) box.append(await contestCard(c));
  }

  async function pastContests(listed) {
    const ids = [];
    try {
      const a = await api('GET', 'attempts?limit=100');
      a.attempts.forEach(x => { if (!listed.has(x.contest_id) && !ids.includes(x.contest_id)) ids.push(x.contest_id); });
    } catch (e) { return []; }
    const out = [];
    for (const id of ids.slice(0, 5)) {
      try { out.push((await api('GET', 'contests/current?contest_id=' + id)).contest); } catch (e) { /* gone */ }
    }
    return out;
  }

  async function contestCard(c) {
    const card = el('article', { class: 'card', 'data-contest': c.id, 'aria-labelledby': 'c-' + c.id },
      el('h2', { id: 'c-' + c.id, text: c.name }),
      el('p', { text: STATUS[c.status] + ' · 答题时间 ' + fmtTime(c.starts_at) + ' 至 ' + fmtTime(c.ends_at) }),
      el('p', { text: '每次 ' + c.questions_per_attempt + ' 题，限时 ' + Math.round(c.time_limit_s / 60) +
        ' 分钟，每天可答 ' + c.attempts_per_day + ' 次' + (c.audience === 'staff' ? '；仅限水利系统干部职工' : '') +
        '；报名截止 ' + fmtTime(c.registration_deadline) }));
    const row = el('p', { class: 'row' },
      el('button', { type: 'button', class: 'primary', 'data-act': 'start', disabled: c.status !== 'open',
        onclick: () => startAttempt(c) }, '开始答题'),
      el('button', { type: 'button', 'data-act': 'materials', onclick: () => materials(c) }, '学习资料'),
      el('button', { type: 'button', 'data-act': 'boards', onclick: () => boards(c) }, '排行榜'));
    card.append(row);
    const list = el('ul', { class: 'list', 'aria-label': '我的答题记录' });
    try {
      const a = await api('GET', 'attempts?limit=10&contest_id=' + c.id);
      a.attempts.filter(x => x.submitted_at).forEach(x => list.append(el('li', {},
        fmtTime(x.submitted_at) + ' 交卷，得分 ' + x.score + ' ',
        el('button', { type: 'button', class: 'link', 'data-review': x.attempt_id,
          onclick: () => review(x.attempt_id, c) }, '查看详情'))));
    } catch (e) { /* no record list: the rest still works */ }
    if (list.children.length) card.append(el('h3', { text: '我的答题记录' }), list);
    return card;
  }

  async function materials(c) {
    show('materials');
    const ul = $('materials');
    ul.replaceChildren();
    let j;
    try { j = await api('GET', 'materials?contest_id=' + c.id); } catch (e) { ul.append(el('li', { text: errText(e) })); return; }
    if (!j.materials.length) ul.append(el('li', { text: '暂无学习资料。' }));
    /* a file is the PDF this site serves (its url a path here); a link
     * goes to where the organizers keep it */
    j.materials.forEach(m => ul.append(el('li', { 'data-kind': m.kind },
      el('a', { href: m.url, target: '_blank', rel: 'noopener noreferrer',
        type: m.kind === 'file' ? 'application/pdf' : null }, m.title),
      (m.kind === 'file' ? ' （PDF，' : ' （') + fmtTime(m.published_at) + ' 发布）')));
  }

  /* ---- answering ---- */

  async function startAttempt(c) {
    say('');
    let a;
    try { a = await api('POST', 'attempts', { contest_id: c.id }); } catch (e) { say(errText(e)); return; }
    attempt = a;
    attempt.contest = c;
    const ol = $('questions');
    ol.replaceChildren();
    const TYPE = { single: '单选题', multiple: '多选题', judge: '判断题' };
    a.questions.forEach((q, i) => {
      const multi = q.type === 'multiple';
      const fs = el('fieldset', { 'data-q': q.id },
        el('legend', {}, (i + 1) + '. ', el('span', { class: 'tag', text: '（' + TYPE[q.type] + '）' }), q.stem));
      q.options.forEach(o => fs.append(el('label', { class: 'choice' },
        el('input', { type: multi ? 'checkbox' : 'radio', name: 'q' + q.id, value: o.key }),
        ' ' + o.key + '. ' + o.text)));
      ol.append(el('li', {}, fs));
    });
    $('quiz-error').textContent = '';
    $('quiz-submit').disabled = false;
    show('quiz');
    /* the countdown follows the server's clock: deadline - server_time,
     * measured from when the reply arrived */
    const left0 = Date.parse(a.deadline) - Date.parse(a.server_time);
    const t0 = performance.now();
    let lastSaid = -1;
    clearInterval(timer);
    const tick = () => {
      const left = Math.max(0, left0 - (performance.now() - t0));
      const s = Math.ceil(left / 1000);
      $('countdown').textContent = String(Math.floor(s / 60)).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
      const min = Math.ceil(s / 60);
      /* a screen reader hears the minutes, not every second */
      if (min !== lastSaid && (min % 5 === 0 || min <= 1)) {
        lastSaid = min;
        $('countdown-say').textContent = s > 0 ? '剩余约 ' + min + ' 分钟' : '时间到，正在交卷';
      }
      if (left <= 0) { clearInterval(timer); submit(); }
    };
    tick();
    timer = setInterval(tick, 500);
  }

  async function submit(ev) {
    if (ev) ev.preventDefault();
    if (!attempt || $('quiz-submit').disabled) return;
    const answers = attempt.questions.map(q => ({ question_id: q.id,
      choice: Array.from(document.querySelectorAll('input[name="q' + q.id + '"]:checked')).map(i => i.value) }));
    const blank = answers.filter(a => !a.choice.length).length;
    /* no blocking dialog: a second press confirms a paper with blanks */
    if (ev && blank && attempt.warned !== blank) {
      attempt.warned = blank;
      $('quiz-error').textContent = '还有 ' + blank + ' 题未答。确定交卷请再按一次“交卷”。';
      return;
    }
    $('quiz-submit').disabled = true;
    let r;
    try { r = await api('POST', 'attempts/' + attempt.attempt_id + '/submit', { answers }); }
    catch (e) { $('quiz-error').textContent = errText(e); $('quiz-submit').disabled = false; return; }
    clearInterval(timer);
    showResult(r, attempt);
  }

  function showResult(r, a) {
    show('result');
    const box = $('result');
    box.replaceChildren(
      el('p', { class: 'score' }, '本次得分 ', el('strong', { id: 'r-score', text: String(r.score) }), ' / ' + r.max_score),
      el('p', { text: '答对 ' + r.correct_count + ' 题；竞赛成绩 ' + r.contest_score +
        (r.rank ? '，当前排名第 ' + r.rank + ' 名' : '') }));
    $('review').replaceChildren();
    certificate(a.contest);
    if (r.results) renderReview(a.questions, r.results);
    else box.append(el('p', { class: 'note', id: 'r-later', text: '本竞赛的答案与解析将在竞赛结束后公布，届时可在“我的答题记录”中查看。' }));
  }

  /* one question with its options, the person's choice and, when
   * given, the answer and the explanation */
  function renderReview(questions, results) {
    const ol = $('review');
    ol.replaceChildren();
    const byId = {};
    (results || []).forEach(x => { byId[x.question_id] = x; });
    questions.forEach((q, i) => {
      const x = byId[q.id] || q;
      const li = el('li', { 'data-q': q.id },
        el('p', { class: 'stem', text: (i + 1) + '. ' + q.stem }),
        el('ul', {}, ...q.options.map(o => el('li', { text: o.key + '. ' + o.text }))),
        el('p', { text: '您的选择：' + ((x.choice || []).join('') || '未答') }));
      if (x.answer) {
        li.append(el('p', { class: x.correct ? 'right' : 'wrong',
          text: (x.correct ? '✓ 正确' : '✗ 错误') + '，正确答案：' + x.answer.join('') }));
        if (x.explanation) li.append(el('p', { class: 'expl', text: '解析：' + x.explanation }));
      }
      ol.append(li);
    });
  }

  async function review(id, c) {
    let a;
    try { a = await api('GET', 'attempts/' + id); } catch (e) { say(errText(e)); return; }
    show('result');
    certificate(c);
    $('result').replaceChildren(el('p', { class: 'score' }, '得分 ', el('strong', { id: 'r-score', text: String(a.score) })));
    const open = a.questions.some(q => q.answer);
    if (!open) $('result').append(el('p', { class: 'note', id: 'r-later', text: '答案与解析将在竞赛结束后公布。' }));
    renderReview(a.questions, null);
  }

  /* ---- the study-hours certificate ---- */

  /* Why GET /me/certificate said no, in words for the person: 403
   * not_eligible carries one code for several causes and names the cause
   * in "reason" beside it (handlers/certificates.c). */
  function certReason(c, e) {
    const t = c.certificate_threshold;
    if (e.code === 'certificate_window_closed') return '学时证书的下载期限已过。';
    if (e.code !== 'not_eligible') return errText(e);
    switch (e.reason) {
      case 'before_end': return '竞赛结束后（' + fmtTime(c.ends_at) + ' 起）可在此下载学时证书；竞赛成绩达到 ' + t + ' 分即可获得。';
      case 'below_threshold': return '竞赛成绩达到 ' + t + ' 分可获得学时证书，您的成绩尚未达到。';
      case 'phone_taken': return '同一手机号的另一个账号已领取本竞赛的学时证书（每个手机号一份）。';
      case 'phone_unverified': return '领取学时证书需要先在小程序中验证手机号（每个手机号一份）。';
      case 'not_real_name': return '学时证书颁发给实名报名的参赛者。';
      case 'no_certificate': return '本竞赛不颁发学时证书。';
      default: return e.message || '暂不能领取学时证书。';
    }
  }

  /* After an attempt: the download link when the person has a certificate
   * for contest c, else the reason. The PDF needs the session token, so it
   * is fetched here and offered as a file (a blob: link), never as a link
   * carrying the token. */
  let certUrl = null;
  async function certificate(c) {
    const box = $('cert');
    box.replaceChildren();
    if (certUrl) { URL.revokeObjectURL(certUrl); certUrl = null; }
    if (!c || c.certificate_threshold == null || c.certificate_threshold < 0) return;
    box.append(el('h2', { text: '学时证书' }));
    const note = el('p', { id: 'cert-state', text: '正在查询…' });
    box.append(note);
    let r;
    try {
      r = await fetch(API + 'me/certificate?contest_id=' + c.id, { headers: { Authorization: 'Bearer ' + token } });
    } catch (e) { note.textContent = '网络异常，请稍后再试。'; return; }
    if (!r.ok) {
      let j = null;
      try { j = await r.json(); } catch (e) { j = null; }
      note.id = 'cert-reason';
      const e = (j && j.error) || { code: 'http_' + r.status };
      if (j && j.reason) e.reason = j.reason;
      note.textContent = certReason(c, e);
      return;
    }
    const m = /filename="(certificate-[0-9a-f]+\.pdf)"/.exec(r.headers.get('Content-Disposition') || '');
    certUrl = URL.createObjectURL(await r.blob());
    note.textContent = '恭喜！您已获得本竞赛的学时证书。';
    box.append(el('p', {}, el('a', { id: 'cert-link', class: 'button primary', href: certUrl,
      download: m ? m[1] : 'certificate.pdf', type: 'application/pdf' }, '下载学时证书（PDF）')));
  }

  /* ---- boards ---- */

  async function boards(c) {
    show('boards');
    const box = $('boards');
    box.replaceChildren(el('p', { text: '正在加载…' }));
    const q = 'contest_id=' + c.id;
    const parts = [
      ['个人排行', 'leaderboards/individual?limit=20&' + q, ['名次', '姓名', '单位', '得分'],
        e => [e.rank, e.name, e.unit_name, e.score]],
      ['单位排行', 'leaderboards/units?limit=20&order=score&' + q, ['名次', '单位', '得分', '参赛人数'],
        e => [e.rank, e.name, e.score, e.participants]],
      ['地区排行', 'leaderboards/regions?level=province&' + q, ['名次', '地区', '得分', '参赛人数'],
        e => [e.rank, e.name, e.score, e.participants]]];
    box.replaceChildren();
    for (const [title, path, head, row] of parts) {
      let j;
      try { j = await api('GET', path); } catch (e) { box.append(el('p', { text: title + '：' + errText(e) })); continue; }
      const t = el('table', {}, el('caption', { text: title }),
        el('thead', {}, el('tr', {}, ...head.map(h => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, ...j.entries.map(e => el('tr', {}, ...row(e).map(v => el('td', { text: String(v) }))))));
      if (j.me) box.append(el('p', { text: '我的排名：第 ' + j.me.rank + ' 名，' + j.me.score + ' 分' }));
      box.append(el('div', { class: 'scroll' }, t));
    }
  }

  /* ---- wiring ---- */

  document.addEventListener('click', ev => {
    const go = ev.target.closest('[data-go]');
    if (go && go.dataset.go === 'home') home();
  });
  $('logout').addEventListener('click', signOut);
  $('edit-profile').addEventListener('click', openRegister);
  $('qr-refresh').addEventListener('click', startSignIn);
  $('reg-form').addEventListener('submit', submitRegister);
  $('unit-search').addEventListener('click', searchUnits);
  $('unit-q').addEventListener('keydown', ev => { if (ev.key === 'Enter') { ev.preventDefault(); searchUnits(); } });
  $('quiz-form').addEventListener('submit', submit);
  document.querySelectorAll('input[name=kind]').forEach(i => i.addEventListener('change', () => {
    const staff = document.querySelector('input[name=kind]:checked').value === 'staff';
    $('staff-box').hidden = !staff;
    $('five-box').hidden = staff;
    $('unit-legend').textContent = staff ? '工作单位' : '推荐单位（水利单位）';
  }));
  $('reg-province').addEventListener('change', async () => {
    $('reg-county').replaceChildren(el('option', { value: '', text: '请选择' }));
    $('reg-county').disabled = true;
    if ($('reg-province').value) await fillRegions($('reg-city'), $('reg-province').value);
  });
  $('reg-city').addEventListener('change', async () => {
    if ($('reg-city').value) await fillRegions($('reg-county'), $('reg-city').value);
  });

  if (token) enter(); else startSignIn();
})();
