// The live tally of the council session page: the same arithmetic as handlers/tally.py.
// A candidate's votes = approving ballots of those present + written votes of ABSENT members;
// it passes with at least `needed` votes, a share of ALL members; the sitting needs `quorum` present.
(function () {
  "use strict";
  var form = document.getElementById("session-form");
  if (!form) { return; }
  var quorum = parseInt(form.dataset.quorum, 10);
  var needed = parseInt(form.dataset.needed, 10);
  function recount() {
    var present = 0;
    form.querySelectorAll("#members tr[data-member]").forEach(function (row) {
      var here = row.querySelector("input.present").checked;
      if (here) { present += 1; }
      row.querySelectorAll("input.written").forEach(function (box) { box.disabled = here; });
    });
    var met = present >= quorum;
    var banner = document.getElementById("quorum");
    document.getElementById("present-count").textContent = String(present);
    document.getElementById("quorum-text").textContent = met ? banner.dataset.ok : banner.dataset.missed;
    banner.className = "quorum " + (met ? "ok" : "missed");
    form.querySelectorAll("#tally tr[data-candidate]").forEach(function (row) {
      var id = row.dataset.candidate;
      var input = row.querySelector("input.ballot");
      var ballots = Math.max(0, parseInt(input.value, 10) || 0);
      input.setCustomValidity(ballots > present ? form.dataset.tooMany.replace("{present}", String(present)) : "");
      var written = 0;
      form.querySelectorAll("input.written[data-candidate='" + id + "']").forEach(function (box) {
        if (box.checked && !box.disabled) { written += 1; }
      });
      var total = ballots + written;
      row.querySelector(".written-count").textContent = String(written);
      row.querySelector(".total").textContent = String(total);
      var verdict = row.querySelector(".verdict");
      var passes = met && total >= needed;
      verdict.textContent = passes ? verdict.dataset.pass : verdict.dataset.fail;
      verdict.className = "verdict " + (passes ? "pass" : "fail");
    });
  }
  form.addEventListener("input", recount);
  form.addEventListener("change", recount);
  recount();
})();
