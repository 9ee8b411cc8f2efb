"use strict";
// leakscan's report page: everything it shows is drawn here from the JSON block the page
// carries (no network, no library). `leakscan serve` adds triage, posted with its tokens.
(function () {
  var D = JSON.parse(document.getElementById("leakscan-data").textContent);
  var SEVS = ["critical", "high", "medium", "low"];
  var STATUSES = ["open", "false-positive", "revoked", "accepted"];
  var VSTATUS = ["verified", "invalid", "unknown", "error", "skipped", "none"];
  var CHUNK = 250; // rows rendered at a time: 10,000 rows stay usable
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "cls") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function vstat(s) { return s.v ? s.v.status : "none"; }
  function repos(s) {
    var seen = {};
    s.locs.forEach(function (l) { seen[l.repo] = 1; });
    return Object.keys(seen);
  }
  function firstSeen(s) {
    var best = null;
    s.locs.forEach(function (l) { if (l.date && (!best || l.date < best.date)) best = l; });
    return best || s.locs[0] || {};
  }
  function atTip(s) {
    var any = false, known = false;
    s.locs.forEach(function (l) { if (l.tip !== null && l.tip !== undefined) { known = true; any = any || l.tip; } });
    return known ? (any ? "yes" : "no") : "";
  }
  // ---- links to the forge a repository URL names (GitHub, GitLab, Gitea/Forgejo, Bitbucket)
  function forge(repo) {
    var m = /^(?:https?:\/\/|ssh:\/\/git@|git@)([^\/:]+)[\/:](.+?)(?:\.git)?\/?$/.exec(repo || "");
    if (!m) return null;
    var host = m[1].toLowerCase(), base = "https://" + m[1] + "/" + m[2];
    if (host === "github.com" || host.indexOf("github") >= 0)
      return { blob: function (c, p, n) { return base + "/blob/" + c + "/" + p + "#L" + n; }, commit: function (c) { return base + "/commit/" + c; } };
    if (host === "gitlab.com" || host.indexOf("gitlab") >= 0)
      return { blob: function (c, p, n) { return base + "/-/blob/" + c + "/" + p + "#L" + n; }, commit: function (c) { return base + "/-/commit/" + c; } };
    if (host === "bitbucket.org")
      return { blob: function (c, p, n) { return base + "/src/" + c + "/" + p + "#lines-" + n; }, commit: function (c) { return base + "/commits/" + c; } };
    if (host === "codeberg.org" || host.indexOf("gitea") >= 0 || host.indexOf("forgejo") >= 0)
      return { blob: function (c, p, n) { return base + "/src/commit/" + c + "/" + p + "#L" + n; }, commit: function (c) { return base + "/commit/" + c; } };
    return null;
  }
  function encPath(p) { return p.split("/").map(encodeURIComponent).join("/"); }

  // ---- summary: counts and bar charts
  function count(key) {
    var m = {};
    D.secrets.forEach(function (s) { [].concat(key(s)).forEach(function (k) { m[k] = (m[k] || 0) + 1; }); });
    return m;
  }
  function bars(title, kind, counts, order, limit) {
    var names = order ? order.filter(function (n) { return counts[n]; }) :
      Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); });
    var shown = names.slice(0, limit || 12), max = 1;
    shown.forEach(function (n) { max = Math.max(max, counts[n]); });
    var h = 18, w = 320, lw = 150, s = svg("svg", { viewBox: "0 0 " + w + " " + (shown.length * h + 4), role: "img", "aria-label": title });
    shown.forEach(function (n, i) {
      var bw = Math.max(2, (w - lw - 40) * counts[n] / max), y = i * h + 2;
      var t = svg("text", { x: lw - 6, y: y + 12, "text-anchor": "end" });
      // a repository is named by its URL or path: its end tells it apart
      t.textContent = n.length <= 24 ? n : kind === "repo" ? "\u2026" + n.slice(-23) : n.slice(0, 23) + "\u2026";
      var full = svg("title", {});
      full.textContent = n;
      t.appendChild(full);
      s.appendChild(t);
      s.appendChild(svg("rect", { x: lw, y: y + 2, width: bw, height: h - 6, rx: 2, fill: kind === "severity" ? ({ critical: "#b3261e", high: "#d9480f", medium: "#b08900", low: "#3b7ddd" })[n] || "#3b7ddd" : n === "verified" ? "#b3261e" : "#3b7ddd" }));
      var v = svg("text", { x: lw + bw + 4, y: y + 12 });
      v.textContent = counts[n];
      s.appendChild(v);
    });
    var list = el("ul", { hidden: "hidden", cls: "counts" });
    names.forEach(function (n) { list.appendChild(el("li", { "data-kind": kind, "data-name": n, "data-secrets": counts[n], text: n + ": " + counts[n] })); });
    return el("div", { cls: "chart", id: "chart-" + kind }, [el("h2", { text: title + (names.length > shown.length ? " (top " + shown.length + " of " + names.length + ")" : "") }), s, list]);
  }
  function runsChart() {
    if (!D.runs || !D.runs.length) return null;
    var w = 320, h = 120, max = 1, n = D.runs.length;
    D.runs.forEach(function (r) { max = Math.max(max, r["new"]); });
    var s = svg("svg", { viewBox: "0 0 " + w + " " + (h + 16), role: "img", "aria-label": "new secrets per run" });
    var bw = Math.max(2, Math.min(30, (w - 20) / n - 2));
    var list = el("ul", { hidden: "hidden", cls: "counts" });
    D.runs.forEach(function (r, i) {
      var bh = Math.max(1, (h - 14) * r["new"] / max), x = 10 + i * (bw + 2);
      var rect = svg("rect", { x: x, y: h - bh, width: bw, height: bh, fill: "#3b7ddd" });
      var tt = svg("title", {});
      tt.textContent = "run " + r.id + " (" + (r.started || "") + "): " + r["new"] + " new";
      rect.appendChild(tt);
      s.appendChild(rect);
      list.appendChild(el("li", { "data-kind": "run", "data-name": String(r.id), "data-secrets": r["new"], text: "run " + r.id + ": " + r["new"] }));
    });
    var t = svg("text", { x: 10, y: h + 13 });
    t.textContent = "run 1 \u2026 run " + D.runs[n - 1].id + " (max " + max + " new)";
    s.appendChild(t);
    return el("div", { cls: "chart", id: "chart-runs" }, [el("h2", { text: "New secrets per run" }), s, list]);
  }
  function summary() {
    var locs = 0, repoSet = {}, live = 0;
    D.secrets.forEach(function (s) { locs += s.locs.length; repos(s).forEach(function (r) { repoSet[r] = 1; }); if (vstat(s) === "verified") live++; });
    var cards = el("div", { cls: "cards" }, [
      el("div", { cls: "card" }, [el("div", { cls: "n", id: "n-secrets", text: String(D.secrets.length) }), el("div", { cls: "l", text: "distinct secrets" })]),
      el("div", { cls: "card" }, [el("div", { cls: "n", id: "n-locations", text: String(locs) }), el("div", { cls: "l", text: "locations" })]),
      el("div", { cls: "card" }, [el("div", { cls: "n", id: "n-repos", text: String(Object.keys(repoSet).length) }), el("div", { cls: "l", text: "repositories" })])
    ]);
    var verified = D.secrets.some(function (s) { return s.v; });
    if (verified)
      cards.appendChild(el("div", { cls: "card live" }, [el("div", { cls: "n", id: "n-live", text: String(live) }), el("div", { cls: "l", text: "verified live" })]));
    var charts = el("div", { cls: "charts" }, [
      bars("By severity", "severity", count(function (s) { return s.sev; }), SEVS),
      bars("By status", "status", count(function (s) { return s.status || "open"; }), STATUSES),
      verified ? bars("By verification", "verification", count(vstat), VSTATUS) : null,
      bars("By rule", "rule", count(function (s) { return s.rule; })),
      bars("By repository", "repo", count(repos)),
      runsChart()
    ]);
    $("summary").appendChild(cards);
    $("summary").appendChild(charts);
  }

  // ---- the table: filters, sort, incremental rendering
  var state = { q: "", rule: "", repo: "", sev: "", status: "", verify: "", sort: "sev", asc: true };
  var COLS = [["rule", "Rule"], ["sev", "Severity"], ["status", "Status"], ["verify", "Verification"], ["repos", "Repos"],
              ["first", "First seen"], ["tip", "At tip"], ["secret", "Secret"]];
  function key(s, c) {
    switch (c) {
    case "rule": return s.rule;
    case "sev": return SEVS.indexOf(s.sev);
    case "status": return s.status || "open";
    case "verify": return VSTATUS.indexOf(vstat(s));
    case "repos": return -repos(s).length;
    case "first": return firstSeen(s).date || "";
    case "tip": return atTip(s);
    default: return s.secret;
    }
  }
  function matches(s) {
    if (state.rule && s.rule !== state.rule) return false;
    if (state.sev && s.sev !== state.sev) return false;
    if (state.status && (s.status || "open") !== state.status) return false;
    if (state.verify && vstat(s) !== state.verify) return false;
    if (state.repo && repos(s).indexOf(state.repo) < 0) return false;
    if (state.q) {
      var hay = [s.rule, s.name, s.fp, s.secret, s.note || "", s.v && s.v.identity || ""].concat(
        s.locs.map(function (l) { return l.repo + " " + l.path + " " + (l.commit || "") + " " + (l.author || ""); })).join(" ").toLowerCase();
      if (hay.indexOf(state.q.toLowerCase()) < 0) return false;
    }
    return true;
  }
  var rows = [], rendered = 0;
  function location(l) {
    var f = forge(l.repo), li = el("li");
    var where = l.path + ":" + l.line;
    if (f && l.commit) {
      li.appendChild(el("a", { href: f.blob(l.commit, encPath(l.path), l.line), rel: "noreferrer noopener", target: "_blank", text: where }));
      li.appendChild(document.createTextNode(" in "));
      li.appendChild(el("a", { href: f.commit(l.commit), rel: "noreferrer noopener", target: "_blank", text: l.commit.slice(0, 12) }));
    } else {
      li.appendChild(el("code", { text: where }));
      if (l.commit) li.appendChild(document.createTextNode(" in " + l.commit.slice(0, 12)));
    }
    li.appendChild(el("span", { cls: "muted", text: " \u2014 " + l.repo + (l.author ? ", " + l.author : "") + (l.date ? ", " + l.date : "") + (l.tip === true ? ", at the tip" : "") }));
    return li;
  }
  function triageCell(s, td) {
    if (!D.serve || D.serve.readonly) { td.textContent = s.status || "open"; return; }
    var sel = el("select", { "aria-label": "status" }), note = el("input", { placeholder: "note", value: s.note || "" });
    STATUSES.forEach(function (st) { var o = el("option", { value: st, text: st }); if ((s.status || "open") === st) o.selected = true; sel.appendChild(o); });
    var btn = el("button", { type: "button", text: "Save" });
    btn.addEventListener("click", function (ev) {
      ev.stopPropagation();
      var token = new URLSearchParams(window.location.search).get("token") || "";
      fetch("/api/triage?token=" + encodeURIComponent(token), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": D.serve.csrf },
        body: JSON.stringify({ fingerprint: s.fp, status: sel.value, note: note.value })
      }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        s.status = sel.value === "open" ? null : sel.value; s.note = note.value;
        btn.textContent = "Saved";
      }).catch(function (e) { btn.textContent = "Failed (" + e.message + ")"; });
    });
    [sel, note].forEach(function (x) { x.addEventListener("click", function (ev) { ev.stopPropagation(); }); });
    td.className = "triage";
    td.appendChild(sel); td.appendChild(note); td.appendChild(btn);
  }
  function renderRow(s) {
    var v = s.v, first = firstSeen(s), tr = el("tr", { cls: "secret", "data-fp": s.fp, "data-rule": s.rule });
    tr.appendChild(el("td", {}, [el("code", { text: s.rule })]));
    tr.appendChild(el("td", { cls: "sev sev-" + s.sev, text: s.sev + (s.conf && s.conf !== "high" ? " (" + s.conf + " confidence)" : "") }));
    var st = el("td"); triageCell(s, st); tr.appendChild(st);
    tr.appendChild(el("td", { cls: v ? "v-" + v.status : "", title: v ? [v.identity, v.account, v.detail].filter(Boolean).join(", ") : "",
                              text: v ? (v.status === "verified" ? "LIVE" + (v.identity ? ": " + v.identity : "") : v.status) : "" }));
    tr.appendChild(el("td", { text: String(repos(s).length) }));
    tr.appendChild(el("td", { title: first.date || "", text: (first.date || "").slice(0, 10) + (first.commit ? " " + first.commit.slice(0, 8) : "") + (first.author ? " " + first.author : "") }));
    tr.appendChild(el("td", { text: atTip(s) }));
    tr.appendChild(el("td", {}, [el("code", { text: s.secret })]));
    var detail = el("tr", { cls: "locs", hidden: "hidden" }, [el("td", { colspan: COLS.length }, [
      el("div", { cls: "muted", text: s.name + " \u2014 " + s.fp + (s.note ? " \u2014 " + s.note : "") }), el("ul", {}, s.locs.map(location))])]);
    tr.addEventListener("click", function () { detail.hidden = !detail.hidden; });
    return [tr, detail];
  }
  function renderMore() {
    var body = $("rows"), end = Math.min(rows.length, rendered + CHUNK), frag = document.createDocumentFragment();
    for (; rendered < end; rendered++) renderRow(rows[rendered]).forEach(function (r) { frag.appendChild(r); });
    body.appendChild(frag);
    $("more").textContent = rendered < rows.length ? "showing " + rendered + " of " + rows.length + " \u2014 scroll for more" : "";
  }
  function refresh() {
    rows = D.secrets.filter(matches);
    var c = state.sort, dir = state.asc ? 1 : -1;
    rows.sort(function (a, b) { var x = key(a, c), y = key(b, c); return x < y ? -dir : x > y ? dir : (a.fp < b.fp ? -1 : 1); });
    $("rows").textContent = "";
    rendered = 0;
    renderMore();
    $("shown").textContent = rows.length + " of " + D.secrets.length + " secrets";
    $("shown").setAttribute("data-shown", rows.length);
    document.querySelectorAll("th").forEach(function (th) {
      th.className = th.getAttribute("data-col") === state.sort ? "sorted" + (state.asc ? " asc" : "") : "";
    });
    var h = [];
    ["q", "rule", "repo", "sev", "status", "verify"].forEach(function (k) { if (state[k]) h.push(k + "=" + encodeURIComponent(state[k])); });
    if (state.sort !== "sev" || !state.asc) h.push("sort=" + state.sort + (state.asc ? "" : "&desc=1"));
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", (h.length ? "#" + h.join("&") : window.location.pathname + window.location.search)); } catch (e) { /* file:// in some browsers */ }
    }
  }
  function select(id, label, values) {
    var s = el("select", { id: id, "aria-label": label }, [el("option", { value: "", text: "any " + label })]);
    values.forEach(function (v) { s.appendChild(el("option", { value: v, text: v })); });
    return s;
  }
  function table() {
    var rules = Object.keys(count(function (s) { return s.rule; })).sort(), repoNames = Object.keys(count(repos)).sort();
    var f = el("div", { cls: "filters" }, [
      el("input", { id: "q", type: "search", placeholder: "filter: rule, path, commit, author, identity\u2026", "aria-label": "filter" }),
      select("f-rule", "rule", rules), select("f-repo", "repository", repoNames), select("f-sev", "severity", SEVS),
      select("f-status", "status", STATUSES), select("f-verify", "verification", VSTATUS), el("span", { id: "shown" })]);
    var head = el("tr");
    COLS.forEach(function (c) {
      var th = el("th", { "data-col": c[0], text: c[1] });
      th.addEventListener("click", function () { if (state.sort === c[0]) state.asc = !state.asc; else { state.sort = c[0]; state.asc = true; } refresh(); });
      head.appendChild(th);
    });
    $("list").appendChild(f);
    $("list").appendChild(el("table", {}, [el("thead", {}, [head]), el("tbody", { id: "rows" })]));
    $("list").appendChild(el("div", { id: "more" }));
    var bind = [["q", "q"], ["f-rule", "rule"], ["f-repo", "repo"], ["f-sev", "sev"], ["f-status", "status"], ["f-verify", "verify"]];
    bind.forEach(function (b) { $(b[0]).addEventListener("input", function () { state[b[1]] = $(b[0]).value; refresh(); }); });
    // the state a link carries: #rule=...&repo=...
    (window.location.hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("="); if (i < 0) return;
      var k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
      if (k === "sort" && COLS.some(function (c) { return c[0] === v; })) state.sort = v;
      else if (k === "desc") state.asc = v !== "1";
      else if (k in state && k !== "sort" && k !== "asc") state[k] = v;
    });
    bind.forEach(function (b) { $(b[0]).value = state[b[1]]; });
    if ("IntersectionObserver" in window)
      new IntersectionObserver(function (e) { if (e[0].isIntersecting && rendered < rows.length) renderMore(); }).observe($("more"));
    refresh();
  }
  $("title").textContent = D.title;
  $("subtitle").textContent = "generated " + D.generated + (D.redacted ? " \u2014 secrets redacted" : " \u2014 SECRETS SHOWN IN CLEAR") +
    (D.serve ? (D.serve.readonly ? " \u2014 read-only" : " \u2014 triage saves to the datastore") : "");
  summary();
  table();
  document.documentElement.setAttribute("data-ready", "1");
  // (bench/html reads how long after the navigation began the page was drawn)
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(window.performance.now())));
})();
