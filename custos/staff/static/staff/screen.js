// Progressive enhancement for the official post form (A.3.4, A.4): as the author types, the draft is checked
// against the policy and the findings are shown with their clauses. Without JavaScript the "Check" button does
// the same on the server. Nothing here stores the text; the endpoint keeps no record of it.
(function () {
  "use strict";
  var form = document.getElementById("post-form");
  var panel = document.getElementById("findings");
  if (!form || !panel || !window.fetch) { return; }
  var url = form.getAttribute("data-screen-url");
  var site = form.getAttribute("data-site");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var fields = [form.querySelector("[name=title]"), form.querySelector("[name=body]")];
  var timer = null;
  var sent = 0;

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    return node;
  }

  function show(findings) {
    panel.replaceChildren();
    if (!findings.length) {
      panel.appendChild(el("h2", "What the check found"));
      panel.appendChild(el("p", "The check found nothing against the policy so far."));
      return;
    }
    panel.appendChild(el("h2", "What the check found (" + findings.length + ")"));
    var list = el("ul");
    list.className = "finding-list";
    findings.forEach(function (f) {
      var item = el("li");
      item.className = "finding finding--" + f.severity;
      var label = el("strong", f.severity_label);
      item.appendChild(label);
      if (f.excerpt) { item.appendChild(document.createTextNode(": \u201c" + f.excerpt + "\u201d")); }
      item.appendChild(el("p", f.reason));
      var clauses = el("p", (f.clauses.length > 1 ? "Clauses " : "Clause ") + f.clauses.join(", "));
      clauses.className = "meta";
      item.appendChild(clauses);
      list.appendChild(item);
    });
    panel.appendChild(list);
  }

  function check() {
    var text = fields.map(function (f) { return f ? f.value : ""; }).join("\n");
    var mine = ++sent;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify({ text: text, site: site })
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && mine === sent) { show(data.findings || []); }
    }).catch(function () { /* the Check button still works */ });
  }

  fields.forEach(function (field) {
    if (!field) { return; }
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 600);
    });
  });
})();
