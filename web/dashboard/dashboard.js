/* The organizers' live dashboard: the public leaderboards and, for a
 * signed-in organizer, the running counts (GET /api/v1/admin/stats).
 *
 * URL options: ?contest_id=N (default: the current main contest),
 * ?refresh=S (seconds, default 5), #token=T (an organizer token for a
 * kiosk or projector: kept in sessionStorage and removed from the address
 * bar, never sent anywhere but the API's Authorization header).
 * Every value from the API is written with textContent, never as HTML. */
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
      get("/leaderboards/individual" + q("limit=10")),
      get("/leaderboards/units" + q("limit=10&order=score")),
      get("/leaderboards/units" + q("limit=10&order=participation")),
      get("/leaderboards/regions" + q("level=province")),
      /* the provincial water authorities by participation rate, then score
       * (the six-mechanisms quiz's ranking) */
      get("/leaderboards/regions" + q("level=province&order=participation"))
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

  function stats() {
    if (!token()) {
      $("login").hidden = false;
      return Promise.resolve();
    }
    return get("/admin/stats" + q(), true).then(function (s) {
      $("login").hidden = true;
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
