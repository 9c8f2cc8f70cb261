// Long actions (a reorganisation, an import): the form shows a progress bar while the hub works.
"use strict";
document.querySelectorAll("form[data-progress]").forEach((form) => {
  form.addEventListener("submit", () => {
    const bar = document.getElementById(form.dataset.progress);
    if (bar) bar.hidden = false;
    form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  });
});
