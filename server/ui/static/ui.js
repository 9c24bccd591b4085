// The key list tells the reader that changes arrived since the page was
// loaded; it does not reload by itself under the reader's eyes.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var live = document.getElementById("live");
  if (!live || !window.EventSource) {
    return;
  }
  var n = 0;
  var es = new EventSource(live.dataset.watch);
  function changed() {
    n++;
    live.textContent = n + (n === 1 ? " new change" : " new changes") + " since this page was loaded. ";
    var a = document.createElement("a");
    a.href = window.location.href;
    a.textContent = "Reload";
    live.appendChild(a);
    live.hidden = false;
  }
  es.addEventListener("put", changed);
  es.addEventListener("delete", changed);
  es.addEventListener("error", function () {
    if (es.readyState === EventSource.CLOSED) {
      live.textContent = "Live updates stopped; reload to see changes.";
      live.hidden = false;
    }
  });
});
