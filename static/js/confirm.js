// Confirmation for irreversible actions: a form with data-confirm="..." opens a <dialog> stating what will happen;
// only 确定 submits it. A served file rather than inline script, so the Content-Security-Policy forbids inline script.
// Placeholders filled from the form at the moment of submitting: {level} (the chosen level's label) and {counties}
// (all counties, or the number ticked when the scope is 部分县（市、区）).
(function () {
  function counties(form) {
    var scope = form.querySelector("input[name=scope]:checked");
    if (scope && scope.value === "some") {
      return String(form.querySelectorAll("input[name=county_ids]:checked").length);
    }
    return form.getAttribute("data-all-counties") || "";
  }

  function message(form) {
    var text = form.getAttribute("data-confirm");
    var level = form.querySelector("select[name=level]");
    var label = level && level.selectedIndex > 0 ? level.options[level.selectedIndex].text : "所选级别";
    return text.replace("{level}", label).replace("{counties}", counties(form));
  }

  function ask(text, onYes) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    var p = document.createElement("p");
    p.textContent = text;
    var row = document.createElement("div");
    row.className = "actions";
    var yes = document.createElement("button");
    yes.type = "button";
    yes.className = "button primary";
    yes.textContent = "确定";
    var no = document.createElement("button");
    no.type = "button";
    no.className = "button";
    no.textContent = "取消";
    row.appendChild(yes);
    row.appendChild(no);
    dialog.appendChild(p);
    dialog.appendChild(row);
    document.body.appendChild(dialog);
    yes.addEventListener("click", function () { dialog.close(); dialog.remove(); onYes(); });
    no.addEventListener("click", function () { dialog.close(); dialog.remove(); });
    dialog.addEventListener("cancel", function () { dialog.remove(); });
    dialog.showModal();
    no.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm") || form.dataset.confirmed === "1") return;
    event.preventDefault();
    var submitter = event.submitter || null;
    ask(message(form), function () {
      form.dataset.confirmed = "1";
      // requestSubmit fires the submit event synchronously; the flag lets that one pass, then is cleared so a
      // page restored from the back/forward cache asks again.
      if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      delete form.dataset.confirmed;
    });
  });
})();
