// Small conveniences; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // "Copy" buttons for the citation (hidden until a script can make them work).
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.textContent);
      button.textContent = "Copied";
    });
  }
  // "/" jumps to the query box, as on many search sites.
  const box = document.getElementById("q");
  document.addEventListener("keydown", (event) => {
    if (box && event.key === "/" && document.activeElement !== box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
