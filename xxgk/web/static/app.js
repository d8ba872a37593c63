// xxgk review desk: small enhancements; every page works without this file.
"use strict";
(function () {
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }

  // ---- report page: a cell's source, and cells ↔ findings ----
  var source = $("#source");
  if (source) {
    var reportId = source.getAttribute("data-report");
    function showSource(data) {
      source.textContent = "";
      source.appendChild(el("h2", null, "原文出处"));
      var p = el("p");
      p.appendChild(el("b", null, data.label));
      p.appendChild(document.createTextNode("：" + (data.value === null ? "（空）" : data.value) + " · " + data.status_cn));
      source.appendChild(p);
      var where = [];
      if (data.line) where.push("第" + data.line + "行");
      if (data.page) where.push("第" + data.page + "页");
      if (data.raw !== null && data.raw !== undefined) where.push("原文“" + data.raw + "”");
      source.appendChild(el("p", null, where.join(" · ") || "原文中没有这一格"));
      if (data.context && data.context.length) {
        var pre = el("pre", "context");
        data.context.forEach(function (l) {
          var span = el("span", l.current ? "cur" : "");
          span.appendChild(el("span", "no", String(l.line)));
          l.text.split("\t").forEach(function (part, k) {
            if (k) span.appendChild(el("span", "tab", " │ "));
            span.appendChild(document.createTextNode(part));
          });
          span.appendChild(document.createTextNode("\n"));
          pre.appendChild(span);
        });
        source.appendChild(pre);
      }
    }
    $all("td.v[data-slot]").forEach(function (td) {
      td.addEventListener("click", function (ev) {
        ev.preventDefault();
        $all("td.v.selected").forEach(function (x) { x.classList.remove("selected"); });
        td.classList.add("selected");
        var slot = td.getAttribute("data-slot");
        fetch("/api/reports/" + reportId + "/cells/" + encodeURIComponent(slot), { headers: { "Accept": "application/json" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(showSource)
          .catch(function () { window.location.href = "?cell=" + encodeURIComponent(slot) + "#source"; });
        var ids = (td.getAttribute("data-findings") || "").split(" ").filter(Boolean);
        $all("li.finding.active").forEach(function (x) { x.classList.remove("active"); });
        var first = null;
        ids.forEach(function (i) {
          var li = $('li.finding[data-finding="' + i + '"]');
          if (li) { li.classList.add("active"); first = first || li; }
        });
        var list = $("#findings ol.findings");
        if (first && list) list.scrollTop = first.offsetTop - list.offsetTop - 4;
      });
    });
    $all("li.finding[data-finding]").forEach(function (li) {
      li.addEventListener("mouseenter", function () {
        var i = li.getAttribute("data-finding");
        $all("td.v[data-findings], mark[data-findings]").forEach(function (x) {
          var on = (x.getAttribute("data-findings") || "").split(" ").indexOf(i) >= 0;
          x.classList.toggle("lit", on);
        });
      });
    });
  }

  // ---- upload: show the bytes going up, then the ingest page ----
  var form = $("#upload-form");
  if (form && window.FormData && window.XMLHttpRequest) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var box = $(".upload-progress", form), bar = $("progress", box), pct = $(".pct", box);
      box.hidden = false;
      var data = new FormData(form);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/uploads");
      xhr.setRequestHeader("X-CSRF-Token", form.elements["csrf_token"].value);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); pct.textContent = "上传 " + bar.value + "%"; }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 202 && body.id) { window.location.href = "/jobs/" + encodeURIComponent(body.id); return; }
        pct.textContent = "";
        var msg = $(".error", form.parentNode) || el("p", "error");
        msg.setAttribute("role", "alert");
        msg.textContent = typeof body.detail === "string" ? body.detail : "上传失败（" + xhr.status + "）";
        form.parentNode.insertBefore(msg, form);
      };
      xhr.onerror = function () { pct.textContent = "上传失败：连接中断"; };
      xhr.send(data);
    });
  }

  // ---- ingest progress: poll instead of reloading the page ----
  var job = $("#job");
  if (job && job.getAttribute("data-finished") === "0") {
    var meta = $('meta[http-equiv="refresh"]');
    if (meta) meta.parentNode.removeChild(meta);
    var id = job.getAttribute("data-job");
    var timer = setInterval(function () {
      fetch("/api/jobs/" + encodeURIComponent(id), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          var bar = $("progress", job);
          bar.max = j.total || 1; bar.value = j.done;
          $(".job-status", job).textContent = "正在入库：" + j.done + "/" + j.total + "，用时" + j.seconds.toFixed(1) + "秒";
          if (j.finished) { clearInterval(timer); window.location.reload(); }
        })
        .catch(function () { clearInterval(timer); window.location.reload(); });
    }, 700);
  }
})();
