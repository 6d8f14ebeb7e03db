// Small progressive enhancements; every form works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filters apply as soon as a select changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
  // Ask before irreversible or audited actions.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  });
  // Releasing the original needs a justification: make the field required then.
  document.querySelectorAll("form.release").forEach((form) => {
    const why = form.querySelector("textarea[name=justification]");
    const sync = () => {
      const original = form.querySelector("input[name=mode]:checked")?.value === "original";
      why.required = original;
      why.placeholder = original ? "Why must the original be sent?" : "optional";
    };
    form.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", sync));
    sync();
  });
});
