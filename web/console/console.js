/* The organizers' and unit admins' console (issue 10). One page; the
 * address's hash picks the view (#units, #applications, #reviews,
 * #members, #audit). The token from POST /api/v1/admin/login is kept in
 * sessionStorage and sent only in the Authorization header. Every value
 * from the API is written with textContent, never as HTML; uploaded files
 * are fetched with the token and shown from blob: URLs. */
(function () {
  "use strict";
  var API = "/api/v1";
  var KEY = "quiz_console";
  var PAGE = 20;
  var TYPES = { water_admin: "水行政主管部门", water_enterprise: "水利企业", other: "其他单位" };
  var KINDS = { unit_name: "单位名称", contact_name: "联系人", real_name: "姓名", org_name: "组织名称", position: "职务" };
  var STATES = { pending: "待审批", approved: "已批准", rejected: "已驳回", replaced: "已被替换" };
  var REVIEW_STATES = { pending: "待审核", accepted: "已通过", rejected: "已驳回" };
  var page = { units: 0, members: 0, audit: 0 };
  /* ?contest_id=N: the contest whose scores the member list shows
   * (default: the current main contest) */
  var contestId = new URLSearchParams(location.search).get("contest_id") || "";
  var blobs = [];

  function $(id) { return document.getElementById(id); }
  function session() { try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch (e) { return null; } }
  function say(text, ok) { var m = $("msg"); m.textContent = text || ""; m.className = ok ? "msg ok" : "msg"; }

  function api(method, path, body) {
    var s = session(), h = {};
    if (s) h.Authorization = "Bearer " + s.token;
    if (body !== undefined) h["Content-Type"] = "application/json";
    return fetch(API + path, { method: method, headers: h, cache: "no-store",
                               body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        if (r.status === 401 && s) { sessionStorage.removeItem(KEY); show(); }
        return r.json().catch(function () { return null; }).then(function (j) {
          if (!r.ok) throw new Error((j && j.error && j.error.message) || ("HTTP " + r.status));
          return j;
        });
      });
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "—" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function button(td, text, fn, cls) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "small" + (cls ? " " + cls : "");
    b.textContent = text;
    b.addEventListener("click", fn);
    td.appendChild(b);
    return b;
  }
  function rows(tableId, list, build) {
    var body = $(tableId).tBodies[0];
    body.textContent = "";
    list.forEach(function (x) {
      var tr = document.createElement("tr");
      tr.dataset.id = String(x.id !== undefined ? x.id : x.user_id);
      build(tr, x);
      body.appendChild(tr);
    });
    if (!list.length) {
      var tr = document.createElement("tr");
      cell(tr, "暂无数据").colSpan = 8;
      body.appendChild(tr);
    }
  }
  function pager(id, key, total, reload) {
    var p = $(id);
    p.textContent = "";
    var pages = Math.max(1, Math.ceil(total / PAGE));
    if (page[key] > 0) button(p, "上一页", function () { page[key]--; reload(); });
    var s = document.createElement("span");
    s.textContent = "第 " + (page[key] + 1) + " / " + pages + " 页";
    p.appendChild(s);
    if (page[key] + 1 < pages) button(p, "下一页", function () { page[key]++; reload(); });
  }
  function qs(o) {
    return Object.keys(o).filter(function (k) { return o[k] !== "" && o[k] !== null && o[k] !== undefined; })
      .map(function (k) { return k + "=" + encodeURIComponent(o[k]); }).join("&");
  }

  /* ---- units ---- */
  function loadUnits() {
    var q = qs({ q: $("units-q").value.trim(), verified: $("units-verified").value,
                 limit: PAGE, offset: page.units * PAGE });
    return api("GET", "/admin/units?" + q).then(function (j) {
      $("units-total").textContent = "共 " + j.total + " 个单位";
      rows("units-table", j.units, function (tr, u) {
        cell(tr, u.id);
        cell(tr, u.name);
        cell(tr, u.credit_code);
        cell(tr, u.region_name || u.region_code);
        cell(tr, TYPES[u.type] || u.type);
        cell(tr, u.headcount, "n");
        var st = cell(tr, "");
        st.textContent = "";
        var tag = document.createElement("span");
        tag.className = "tag " + (u.disabled || u.merged_into ? "bad" : u.verified ? "ok" : "");
        tag.textContent = u.merged_into ? "已合并到 " + u.merged_into : u.disabled ? "已停用" : u.verified ? "已核实" : "未核实";
        st.appendChild(tag);
        var ops = cell(tr, "");
        ops.textContent = "";
        if (!u.verified) button(ops, "核实", function () { saveUnit(u.id, { verified: true }); }).dataset.op = "verify";
        button(ops, "更正", function () { editUnit(u); }).dataset.op = "edit";
        button(ops, "成员", function () { $("m-unit").value = u.id; location.hash = "#members"; });
      });
      pager("units-pager", "units", j.total, loadUnits);
    });
  }
  function editUnit(u) {
    $("unit-edit").hidden = false;
    $("unit-edit").dataset.id = u.id;
    $("edit-id").textContent = "#" + u.id;
    $("edit-name").value = u.name;
    $("edit-credit").value = u.credit_code;
    $("edit-region").value = u.region_code;
    $("edit-type").value = u.type;
    $("edit-headcount").value = u.headcount;
    $("edit-verified").checked = !!u.verified;
    $("edit-disabled").checked = !!u.disabled;
    $("edit-into").value = "";
  }
  function saveUnit(id, body) {
    return api("PUT", "/admin/units/" + id, body).then(function () {
      say("已保存", true);
      $("unit-edit").hidden = true;
      return loadUnits();
    }, function (e) { say(e.message); });
  }

  /* ---- applications ---- */
  function loadApps() {
    var st = $("apps-state").value;
    return api("GET", "/admin/admin-applications?" + qs({ state: st, limit: 100 })).then(function (j) {
      $("apps-total").textContent = "共 " + j.total + " 份";
      rows("apps-table", j.applications, function (tr, a) {
        cell(tr, a.id);
        cell(tr, a.unit_name);
        cell(tr, a.applicant_name);
        cell(tr, a.phone_masked);
        cell(tr, STATES[a.state] || a.state);
        cell(tr, (a.created_at || "").replace("T", " ").slice(0, 16));
        var ops = cell(tr, "");
        ops.textContent = "";
        button(ops, "查看", function () { openApp(a.id); }).dataset.op = "open";
      });
    });
  }
  function showFile(boxId, url) {
    var box = $(boxId);
    box.textContent = "加载中…";
    var s = session();
    return fetch(url, { headers: { Authorization: "Bearer " + s.token } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.blob();
    }).then(function (b) {
      var u = URL.createObjectURL(b);
      blobs.push(u);
      box.textContent = "";
      var el;
      if (b.type === "application/pdf") {
        el = document.createElement("a");
        el.href = u;
        el.target = "_blank";
        el.rel = "noopener";
        el.textContent = "打开 PDF 文件";
      } else {
        el = document.createElement("img");
        el.src = u;
        el.alt = "上传的文件";
      }
      box.appendChild(el);
    }, function (e) { box.textContent = "无法加载：" + e.message; });
  }
  function openApp(id) {
    blobs.forEach(function (u) { URL.revokeObjectURL(u); });
    blobs = [];
    return api("GET", "/admin/admin-applications/" + id).then(function (j) {
      var a = j.application;
      $("app-detail").hidden = false;
      $("app-detail").dataset.id = a.id;
      $("app-id").textContent = "#" + a.id;
      $("app-unit").textContent = a.unit_name;
      $("app-name").textContent = a.applicant_name;
      $("app-phone").textContent = a.phone_masked;
      $("app-state").textContent = STATES[a.state] || a.state;
      var pending = a.state === "pending";
      $("app-approve").disabled = $("app-reject").disabled = !pending;
      return Promise.all([showFile("file-cert", a.certificate_url), showFile("file-auth", a.authorization_url)]);
    }, function (e) { say(e.message); });
  }
  function decideApp(verb) {
    var id = $("app-detail").dataset.id;
    var body = verb === "reject" ? { reason: $("app-reason").value.trim() } : {};
    return api("POST", "/admin/admin-applications/" + id + "/" + verb, body).then(function (j) {
      say(verb === "approve" ? "已批准：" + j.application.applicant_name + " 成为单位管理员" : "已驳回", true);
      $("app-detail").hidden = true;
      return loadApps();
    }, function (e) { say(e.message); });
  }

  /* ---- reviews ---- */
  function loadReviews() {
    return api("GET", "/admin/reviews?" + qs({ state: $("reviews-state").value, limit: 100 })).then(function (j) {
      $("reviews-total").textContent = "共 " + j.total + " 条";
      rows("reviews-table", j.reviews, function (tr, r) {
        cell(tr, r.id);
        cell(tr, KINDS[r.kind] || r.kind);
        cell(tr, r.content);
        cell(tr, r.check === "review" ? "需人工审核" : "未能检测");
        cell(tr, (r.created_at || "").replace("T", " ").slice(0, 16));
        cell(tr, (REVIEW_STATES[r.state] || r.state) + (r.reason ? "（" + r.reason + "）" : ""));
        var ops = cell(tr, "");
        ops.textContent = "";
        if (r.state !== "pending") return;
        button(ops, "通过", function () { decideReview(r.id, "accept", {}); });
        var inp = document.createElement("input");
        inp.placeholder = "驳回理由";
        ops.appendChild(inp);
        button(ops, "驳回", function () { decideReview(r.id, "reject", { reason: inp.value.trim() }); }, "danger");
      });
    });
  }
  function decideReview(id, verb, body) {
    return api("POST", "/admin/reviews/" + id + "/" + verb, body).then(function () {
      say(verb === "accept" ? "已通过" : "已驳回", true);
      return loadReviews();
    }, function (e) { say(e.message); });
  }

  /* ---- members ---- */
  function loadMembers() {
    var s = session();
    var unit = s.role === "unit_admin" ? s.unit_id : $("m-unit").value;
    if (!unit) { $("members-total").textContent = "请输入单位编号"; return Promise.resolve(); }
    var q = qs({ q: $("m-q").value.trim(), kind: $("m-kind").value, participated: $("m-part").value,
                 leader: $("m-leader").value, min_score: $("m-min").value, max_score: $("m-max").value,
                 contest_id: contestId, limit: PAGE, offset: page.members * PAGE });
    api("GET", "/units/" + unit + (contestId ? "?contest_id=" + encodeURIComponent(contestId) : "")).then(function (j) {
      $("members-unit").textContent = j.unit.name + "（编制 " + j.unit.headcount + " 人，已参赛 " + j.unit.participants + " 人）";
    }, function () { $("members-unit").textContent = "单位 " + unit; });
    return api("GET", "/units/" + unit + "/members?" + q).then(function (j) {
      $("members-total").textContent = "共 " + j.total + " 人";
      rows("members-table", j.members, function (tr, m) {
        cell(tr, m.real_name + (m.is_unit_leader ? "（负责人）" : ""));
        cell(tr, m.phone_masked);
        cell(tr, m.kind === "staff" ? "职工" : "“五进”人员");
        cell(tr, m.five_into ? m.five_into.org_name : (m.position || ""));
        cell(tr, m.score, "n");
        cell(tr, m.attempts, "n");
        cell(tr, m.best_time_s === null ? null : Math.floor(m.best_time_s / 60) + " 分 " + (m.best_time_s % 60) + " 秒", "n");
      });
      pager("members-pager", "members", j.total, loadMembers);
    }, function (e) { say(e.message); });
  }

  /* ---- audit ---- */
  function loadAudit() {
    return api("GET", "/admin/audit?" + qs({ limit: PAGE, offset: page.audit * PAGE })).then(function (j) {
      rows("audit-table", j.entries, function (tr, e) {
        cell(tr, e.at.replace("T", " ").slice(0, 19));
        cell(tr, e.organizer || "命令行");
        cell(tr, e.action);
        cell(tr, e.target_kind + " " + (e.target_id || ""));
        cell(tr, e.before === null ? "" : JSON.stringify(e.before), "json");
        cell(tr, e.after === null ? "" : JSON.stringify(e.after), "json");
      });
      pager("audit-pager", "audit", j.total, loadAudit);
    });
  }

  /* ---- sign-in and views ---- */
  function signedIn(j) {
    sessionStorage.setItem(KEY, JSON.stringify({ token: j.token, role: j.role, area: j.region_code,
                                                 unit_id: j.unit_id }));
    $("signin-msg").textContent = "";
    location.hash = j.role === "unit_admin" ? "#members" : "#applications";
    show();
  }
  function login(body) {
    fetch(API + "/admin/login", { method: "POST", headers: { "Content-Type": "application/json" },
                                  body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (x) {
        if (x.ok) signedIn(x.j);
        else $("signin-msg").textContent = x.j && x.j.error ? x.j.error.message : "登录失败";
      }, function () { $("signin-msg").textContent = "无法连接服务器"; });
  }
  var loaders = { units: loadUnits, applications: loadApps, reviews: loadReviews, members: loadMembers, audit: loadAudit };
  function show() {
    var s = session();
    $("signin").hidden = !!s;
    $("nav").hidden = $("main").hidden = $("logout").hidden = !s;
    if (!s) { $("who").textContent = ""; document.body.dataset.view = "signin"; return; }
    var org = s.role === "organizer";
    $("who").textContent = org ? "组织者 · " + (s.area ? "地区 " + s.area : "全国") : "单位管理员 · 单位 " + s.unit_id;
    Array.prototype.forEach.call(document.querySelectorAll("nav a"), function (a) {
      var r = a.dataset.role;
      a.hidden = !(r === "any" || (r === "organizer" && org) || (r === "nationwide" && org && !s.area));
    });
    var view = (location.hash || "").slice(1);
    if (!loaders[view] || (!org && view !== "members")) view = org ? "applications" : "members";
    $("m-unit").parentNode.hidden = !org;
    Array.prototype.forEach.call(document.querySelectorAll(".view"), function (v) { v.hidden = v.id !== "view-" + view; });
    Array.prototype.forEach.call(document.querySelectorAll("nav a"), function (a) {
      a.className = a.getAttribute("href") === "#" + view ? "on" : "";
    });
    say("");
    document.body.dataset.view = view;
    document.body.dataset.loaded = "0";
    Promise.resolve(loaders[view]()).catch(function (e) { say(e.message); })
      .then(function () { document.body.dataset.loaded = "1"; });
  }

  $("form-password").addEventListener("submit", function (e) {
    e.preventDefault();
    login({ username: $("in-user").value.trim(), password: $("in-pass").value });
  });
  $("form-code").addEventListener("submit", function (e) {
    e.preventDefault();
    login({ code: $("in-code").value.trim() });
  });
  $("logout").addEventListener("click", function () { sessionStorage.removeItem(KEY); show(); });
  $("units-search").addEventListener("submit", function (e) { e.preventDefault(); page.units = 0; loadUnits(); });
  $("unit-edit").addEventListener("submit", function (e) {
    e.preventDefault();
    saveUnit($("unit-edit").dataset.id, {
      name: $("edit-name").value.trim(), credit_code: $("edit-credit").value.trim(),
      region_code: $("edit-region").value.trim(), type: $("edit-type").value,
      headcount: parseInt($("edit-headcount").value, 10), verified: $("edit-verified").checked,
      disabled: $("edit-disabled").checked });
  });
  $("edit-merge").addEventListener("click", function () {
    var into = parseInt($("edit-into").value, 10);
    api("POST", "/admin/units/" + $("unit-edit").dataset.id + "/merge", { into: into }).then(function (j) {
      say("已合并，转移成员 " + j.members_moved + " 人", true);
      $("unit-edit").hidden = true;
      loadUnits();
    }, function (e) { say(e.message); });
  });
  $("edit-cancel").addEventListener("click", function () { $("unit-edit").hidden = true; });
  $("apps-state").addEventListener("change", loadApps);
  $("app-approve").addEventListener("click", function () { decideApp("approve"); });
  $("app-reject").addEventListener("click", function () { decideApp("reject"); });
  $("reviews-state").addEventListener("change", loadReviews);
  $("members-filter").addEventListener("submit", function (e) { e.preventDefault(); page.members = 0; loadMembers(); });
  window.addEventListener("hashchange", show);
  show();
})();
