// Linli's one script (htmx does the rest). No inline scripts: the pages run under a CSP.
(function () {
  // A submit button marked data-once is disabled after the first tap (the idempotency key
  // makes a double submit harmless anyway; this keeps people from waiting on two requests).
  document.addEventListener("submit", function (event) {
    // A button that removes something asks first (data-confirm holds the question).
    var submitter = event.submitter;
    if (submitter && submitter.dataset.confirm && !window.confirm(submitter.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    var button = event.target.querySelector("[data-once]");
    if (button) { setTimeout(function () { button.disabled = true; }, 0); }
  });
  // "使用我的位置" on the reporting page: the phone's position, then the nearest compounds.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#locate");
    if (!button || !navigator.geolocation) { return; }
    var target = document.getElementById("near");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var url = button.dataset.nearUrl + "?lat=" + pos.coords.latitude + "&lng=" + pos.coords.longitude;
      if (window.htmx) { window.htmx.ajax("GET", url, { target: target }); }
    }, function () { target.textContent = button.dataset.failed || ""; });
  });
})();
// Forms that carry a position (patrol start and end): filled from the phone when it allows.
(function () {
  var fields = document.querySelectorAll("form.locate-form [data-geo]");
  if (!fields.length || !navigator.geolocation) { return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    fields.forEach(function (input) {
      input.value = input.dataset.geo === "latitude" ? pos.coords.latitude.toFixed(6) : pos.coords.longitude.toFixed(6);
    });
  }, function () {}, { maximumAge: 60000, timeout: 8000 });
})();
