/* The organizers' live dashboard: the public leaderboards and, for a
 * signed-in organizer, the running counts (GET /api/v1/admin/stats).
 *
 * URL options: ?contest_id=N (default: the current main contest),
 * ?refresh=S (seconds, default 5), #token=T (an organizer token for a
 * kiosk or projector: kept in sessionStorage and removed from the address
 * bar, never sent anywhere but the API's Authorization header).
 * Every value from the API is written with textContent, never as HTML.
 * A signed-in organizer also sees a per-day chart (SVG drawn here), the
 * breakdown by region and export buttons that follow the job's progress
 * and then download its file. */
(function () {
  "use strict";
  var API = "/api/v1";
  var params = new URLSearchParams(location.search);
  var every = Math.max(1, parseInt(params.get("refresh") || "5", 10) || 5);
  var contestId = params.get("contest_id");
  var TOKEN_KEY = "quiz_dashboard_token";
  var refreshes = 0;
  var lastRows = {};

  var m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }

  function $(id) { return document.getElementById(id); }
  function token() { return sessionStorage.getItem(TOKEN_KEY); }
  function fmt(n) { return Number(n).toLocaleString("zh-CN"); }

  function get(path, auth) {
    var h = {};
    if (auth && token()) h.Authorization = "Bearer " + token();
    return fetch(API + path, { headers: h, cache: "no-store" }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (j) {
        if (!r.ok) {
          var e = new Error((j && j.error && j.error.message) || ("HTTP " + r.status));
          e.status = r.status;
          e.code = j && j.error && j.error.code;
          throw e;
        }
        return j;
      });
    });
  }

  /* The boards are read conditionally: each answer's ETag goes back in
   * If-None-Match, and an unchanged board comes back 304 with no body, so
   * the copy kept here is shown again. The counts of both kinds of answer
   * are on the body (data-boards-changed, data-boards-unchanged). */
  var kept = {};
  function count(name) {
    document.body.dataset[name] = String(+(document.body.dataset[name] || 0) + 1);
  }
  function getBoard(path) {
    var h = {};
    var k = kept[path];
    if (k) h["If-None-Match"] = k.etag;
    return fetch(API + path, { headers: h, cache: "no-store" }).then(function (r) {
      if (r.status === 304 && k) {
        count("boardsUnchanged");
        return k.body;
      }
      return r.json().catch(function () { return null; }).then(function (j) {
        if (!r.ok) {
          var e = new Error((j && j.error && j.error.message) || ("HTTP " + r.status));
          e.status = r.status;
          e.code = j && j.error && j.error.code;
          throw e;
        }
        var etag = r.headers.get("ETag");
        if (etag) kept[path] = { etag: etag, body: j };
        count("boardsChanged");
        return j;
      });
    });
  }

  function q(extra) {
    return "?contest_id=" + encodeURIComponent(contestId) + (extra ? "&" + extra : "");
  }

  /* Fill a table body; rows whose content changed since the last refresh flash. */
  function fill(tableId, rows, key, cells, numeric) {
    var body = $(tableId).tBodies[0];
    var prev = lastRows[tableId] || {};
    var next = {};
    var frag = document.createDocumentFragment();
    rows.forEach(function (e) {
      var tr = document.createElement("tr");
      var values = cells(e);
      var sig = values.join("|");
      tr.dataset.id = String(e[key]);
      tr.className = "r" + e.rank + (prev[e[key]] !== undefined && prev[e[key]] !== sig ? " changed" : "");
      var td = document.createElement("td");
      td.className = "rank";
      td.textContent = e.rank;
      tr.appendChild(td);
      values.forEach(function (v, i) {
        var c = document.createElement("td");
        if (i >= values.length - numeric) c.className = "n";
        c.textContent = v;
        tr.appendChild(c);
      });
      next[e[key]] = sig;
      frag.appendChild(tr);
    });
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = 4;
      td.textContent = "暂无数据";
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    body.replaceChildren(frag);
    lastRows[tableId] = next;
  }

  function boards() {
    return Promise.all([
      getBoard("/leaderboards/individual" + q("limit=10")),
      getBoard("/leaderboards/units" + q("limit=10&order=score")),
      getBoard("/leaderboards/units" + q("limit=10&order=participation")),
      getBoard("/leaderboards/regions" + q("level=province")),
      /* the provincial water authorities by participation rate, then score
       * (the six-mechanisms quiz's ranking) */
      getBoard("/leaderboards/regions" + q("level=province&order=participation"))
    ]).then(function (r) {
      fill("people", r[0].entries, "user_id", function (e) {
        return [e.name, e.unit_name, fmt(e.score)];
      }, 1);
      $("people-total").textContent = "共 " + fmt(r[0].total) + " 人";
      fill("units-score", r[1].entries, "unit_id", function (e) {
        return [e.name, fmt(e.score), fmt(e.participants)];
      }, 2);
      $("units-total").textContent = "共 " + fmt(r[1].total) + " 个单位";
      fill("units-rate", r[2].entries, "unit_id", function (e) {
        var staff = e.staff_participants !== undefined ? e.staff_participants : e.participants;
        return [e.name, (e.participation_rate * 100).toFixed(1) + "%", staff + "/" + e.headcount];
      }, 2);
      fill("regions", r[3].entries.slice(0, 10), "region_code", function (e) {
        return [e.name, fmt(e.score), fmt(e.participants)];
      }, 2);
      fill("regions-rate", r[4].entries.slice(0, 10), "region_code", function (e) {
        return [e.name, (e.participation_rate * 100).toFixed(1) + "%", fmt(e.score)];
      }, 2);
    });
  }


  /* ---- for organizers: the per-day chart, the region table, exports ---- */

  var SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }

  /* The days to draw: the contest's days and the month before them (its
   * registration), within the series, every day (days without a row
   * count 0); without a contest window, the last 90 days of the series. */
  function days(series, startsAt, endsAt) {
    if (!series.length) return [];
    var DAY = 86400000, by = {};
    function day(s) { return Date.parse(s.slice(0, 10) + "T00:00:00Z"); }
    series.forEach(function (d) { by[d.date] = d; });
    var first = day(series[0].date), last = day(series[series.length - 1].date);
    if (startsAt && endsAt) {
      first = Math.max(first, day(startsAt) - 30 * DAY);
      last = Math.min(last, day(endsAt));
    }
    if (!startsAt || !endsAt || last < first) {
      last = day(series[series.length - 1].date);
      first = Math.max(day(series[0].date), last - 89 * DAY);
    }
    var out = [];
    for (var t = first; t <= last; t += DAY) {
      var date = new Date(t).toISOString().slice(0, 10);
      out.push(by[date] || { date: date, registrations: 0, participants: 0 });
    }
    return out;
  }

  /* A round top for the scale: 4 steps of 1, 2 or 5 times a power of ten. */
  function niceTop(max) {
    var raw = Math.max(1, max) / 4, p = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * p; }).filter(function (v) { return v >= raw; })[0];
    return Math.max(4, step * 4);
  }

  /* Registrations and participants per day (Shanghai dates from the API)
   * as two lines on one scale, drawn as SVG: no chart library. */
  var lastChart = null;
  function drawChart(series, startsAt, endsAt) {
    lastChart = [series, startsAt, endsAt];
    series = days(series, startsAt, endsAt);
    var W = Math.max(400, $("chart").clientWidth || 900), H = Math.max(220, $("chart").clientHeight || 260);
    var L = 56, R = 16, T = 12, B = 30;
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "每日注册与参赛" });
    var max = 1;
    series.forEach(function (d) { max = Math.max(max, d.registrations, d.participants); });
    var top = niceTop(max);
    var n = series.length;
    function x(i) { return L + (n <= 1 ? (W - L - R) / 2 : i * (W - L - R) / (n - 1)); }
    function y(v) { return H - B - v * (H - T - B) / top; }
    for (var g = 0; g <= 4; g++) {
      var v = top * g / 4;
      el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "grid" }, svg);
      var t = el("text", { x: L - 8, y: y(v) + 4, "text-anchor": "end", "class": "axis" }, svg);
      t.textContent = fmt(v);
    }
    var every = Math.max(1, Math.ceil(n / 15));
    series.forEach(function (d, i) {
      if (i % every !== 0 && i !== n - 1) return;
      var t = el("text", { x: x(i), y: H - 8, "text-anchor": "middle", "class": "axis" }, svg);
      t.textContent = d.date.slice(5);
    });
    [["registrations", "reg"], ["participants", "part"]].forEach(function (k) {
      var pts = series.map(function (d, i) { return x(i) + "," + y(d[k[0]]); }).join(" ");
      el("polyline", { points: pts, "class": "line-" + k[1] }, svg);
      series.forEach(function (d, i) {
        el("circle", { cx: x(i), cy: y(d[k[0]]), r: n > 40 ? 2.5 : 4, "class": "pt-" + k[1],
                       "data-date": d.date, "data-value": d[k[0]] }, svg);
      });
    });
    $("chart").replaceChildren(svg);
  }

  /* The panel's height follows the one beside it: draw again at its size. */
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      if (lastChart) drawChart(lastChart[0], lastChart[1], lastChart[2]);
    }).observe($("chart"));
  }

  function drawRegions(s) {
    var body = $("region-stats").tBodies[0];
    var frag = document.createDocumentFragment();
    (s.regions || []).slice(0, 12).forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.id = r.region_code;
      [r.name, fmt(r.registrations), fmt(r.units), fmt(r.participants)].forEach(function (v, i) {
        var td = document.createElement("td");
        if (i) td.className = "n";
        td.textContent = v;
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
    /* the four latest events */
    $("events-line").textContent = (s.events || []).slice(-4).map(function (e) {
      return e.title + "：签到 " + fmt(e.check_ins) + "，集中收看 " + fmt(e.recorded) + "，共 " + fmt(e.attended) + " 人";
    }).join("；");
  }

  var STATE_TEXT = { queued: "排队中", running: "生成中", done: "已完成", failed: "失败" };
  var job = $("job");

  function showJob(j) {
    job.hidden = false;
    job.dataset.jobId = j.id;
    job.dataset.state = j.state;
    job.dataset.seen = (job.dataset.seen ? job.dataset.seen + "," : "") + j.state;
    var pct = Math.round((j.state === "done" ? 1 : j.progress || 0) * 100);
    job.dataset.progress = pct;
    $("job-state").textContent = (STATE_TEXT[j.state] || j.state) + " " + pct + "%" +
        (j.state === "done" ? "，共 " + fmt(j.rows) + " 行" : "") + (j.error ? "（" + j.error + "）" : "");
    $("job-bar").style.width = pct + "%";
  }

  /* The file needs the token, so it is fetched here and handed to the
   * browser as a blob with the job's file name. */
  function download(j) {
    var h = { Authorization: "Bearer " + token() };
    return fetch(j.download_url, { headers: h, cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      var name = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
      return r.blob().then(function (b) {
        var a = $("job-link");
        if (a.href) URL.revokeObjectURL(a.href);
        a.href = URL.createObjectURL(b);
        a.download = name ? name[1] : "export";
        a.hidden = false;
        job.dataset.bytes = b.size;
        a.click();
      });
    });
  }

  function poll(id) {
    return get("/admin/jobs/" + id, true).then(function (j) {
      showJob(j);
      if (j.state === "done") return download(j);
      if (j.state === "failed") return null;
      return new Promise(function (ok) { setTimeout(ok, 500); }).then(function () { return poll(id); });
    });
  }

  function startExport(btn) {
    var body = { kind: btn.dataset.kind, format: "xlsx" };
    if (btn.dataset.kind !== "weekly") body.contest_id = Number(contestId);
    var buttons = document.querySelectorAll(".export");
    buttons.forEach(function (b) { b.disabled = true; });
    job.dataset.seen = "";
    delete job.dataset.bytes;
    $("job-link").hidden = true;
    $("job-what").textContent = btn.textContent;
    fetch(API + "/admin/exports", {
      method: "POST", cache: "no-store",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token() },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || ("HTTP " + r.status));
        return poll(j.job_id);
      });
    }).catch(function (e) {
      job.hidden = false;
      job.dataset.state = "error";
      $("job-state").textContent = "导出失败：" + e.message;
    }).then(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }
  document.querySelectorAll(".export").forEach(function (b) {
    b.addEventListener("click", function () { startExport(b); });
  });

  function stats() {
    if (!token()) {
      $("login").hidden = false;
      $("ops").hidden = true;
      return Promise.resolve();
    }
    return get("/admin/stats" + q(), true).then(function (s) {
      $("login").hidden = true;
      $("ops").hidden = false;
      drawRegions(s);
      drawChart(s.series || [], s.contest_starts_at, s.contest_ends_at);
      if (s.contest_name && $("contest-name").textContent === "竞赛实时看板") {
        $("contest-name").textContent = s.contest_name;
        document.title = s.contest_name + " · 实时看板";
      }
      $("c-registrations").textContent = fmt(s.totals.registrations);
      $("c-units").textContent = fmt(s.totals.units);
      $("c-participants").textContent = fmt(s.totals.participants);
      $("c-attempts").textContent = fmt(s.totals.attempts);
    }, function (e) {
      if (e.status === 401 || e.status === 403) {
        sessionStorage.removeItem(TOKEN_KEY);
        $("login").hidden = false;
        $("ops").hidden = true;
        return;
      }
      throw e;
    });
  }

  function refresh() {
    Promise.all([boards(), stats()]).then(function () {
      refreshes++;
      document.body.dataset.refreshes = String(refreshes);
      $("state").textContent = "实时";
      $("state").className = "state";
      $("updated").textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
    }, function (e) {
      $("state").textContent = e.code === "boards_unavailable" ? "榜单重建中，稍候自动恢复" : "连接中断：" + e.message;
      $("state").className = "state bad";
    }).then(function () {
      setTimeout(refresh, every * 1000);
    });
  }

  $("login").addEventListener("submit", function (ev) {
    ev.preventDefault();
    fetch(API + "/admin/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("login-user").value, password: $("login-pass").value })
    }).then(function (r) { return r.json().then(function (j) { return [r, j]; }); }).then(function (rj) {
      if (!rj[0].ok || !rj[1].token || rj[1].role !== "organizer") {
        $("login-msg").textContent = "登录失败";
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, rj[1].token);
      $("login-pass").value = "";
      $("login-msg").textContent = "";
      stats();
    }, function () { $("login-msg").textContent = "登录失败"; });
  });

  setInterval(function () {
    $("clock").textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
  }, 1000);
  $("every").textContent = every;

  (contestId ? get("/contests/current").catch(function () { return null; }) : get("/contests/current"))
    .then(function (c) {
      if (!contestId) contestId = String(c.contest.id);
      if (c && String(c.contest.id) === String(contestId)) {
        $("contest-name").textContent = c.contest.name;
        document.title = c.contest.name + " · 实时看板";
      }
    }, function () {
      $("state").textContent = "暂无进行中的竞赛";
      $("state").className = "state bad";
    })
    .then(function () { if (contestId) refresh(); });
})();
