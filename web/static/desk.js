// The receive form: add and remove nominee rows; gender only for individuals.
(function () {
  "use strict";
  var body = document.querySelector("#nominees tbody");
  if (!body) { return; }
  var template = body.querySelector("tr.nominee").cloneNode(true);
  function wire(row) {
    row.querySelector(".remove-row").addEventListener("click", function () {
      if (body.querySelectorAll("tr.nominee").length > 1) { row.remove(); }
    });
    var kind = row.querySelector("select[name=nominee_kind]");
    var gender = row.querySelector("select[name=nominee_gender]");
    kind.addEventListener("change", function () {
      gender.disabled = kind.value !== "individual";
      if (gender.disabled) { gender.value = ""; } else if (!gender.value) { gender.value = "nu"; }
    });
  }
  wire(body.querySelector("tr.nominee"));
  document.getElementById("add-nominee").addEventListener("click", function () {
    var row = template.cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    body.appendChild(row);
    wire(row);
    row.querySelector("input[name=nominee_name]").focus();
  });
})();
