// The progress bars of background jobs (core.admin.JobAdmin): every two seconds each running
// job's bar asks its progress/ address and moves; when a job ends, the page is loaded again to
// show its result or why it failed. Without JavaScript the page shows the progress when loaded.
(function () {
  "use strict";
  var INTERVAL = 2000;

  function follow(element) {
    var bar = element.querySelector("progress");
    var text = element.querySelector(".job-progress-text");
    function poll() {
      fetch(element.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (job) {
          bar.max = job.total || 1;
          bar.value = job.state === "done" ? bar.max : job.done;
          text.textContent = job.text;
          if (job.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, INTERVAL);
          }
        })
        .catch(function () { window.setTimeout(poll, INTERVAL * 5); });
    }
    window.setTimeout(poll, INTERVAL);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var elements = document.querySelectorAll(".job-progress[data-url]");
    for (var i = 0; i < elements.length; i++) {
      if (!elements[i].dataset.finished) { follow(elements[i]); }
    }
  });
})();
