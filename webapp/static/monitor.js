/* The monitor's heat map: the deployed diagram with each step coloured by how many cases
 * wait there now, and a label with the count and the median waiting time.
 *
 * Reads the diagram and the numbers from the JSON block the server rendered (#heatmap-data),
 * draws the diagram with the vendored bpmn-js NavigatedViewer (as the case page does), adds
 * the marker `heat-1`..`heat-5` to each step and its count in the step's corner. Without
 * JavaScript the page shows the same numbers in the table "Saker per steg".
 */
(function () {
  "use strict";

  var container = document.getElementById("heatmap");
  if (!container || typeof window.BpmnJS !== "function") {
    return;
  }
  var source = document.getElementById(container.getAttribute("data-heat-source"));
  var errorBox = document.querySelector("[data-heat-error]");
  var payload;
  try {
    payload = JSON.parse(source.textContent);
  } catch (err) {
    return;
  }
  if (!payload.xml) {
    return;
  }

  function showError() {
    container.hidden = true;
    if (errorBox) {
      errorBox.textContent = container.getAttribute("data-error");
      errorBox.hidden = false;
    }
  }

  // Visible before import: the viewer measures its container to fit the diagram.
  container.hidden = false;
  var viewer = new window.BpmnJS({ container: container });

  viewer.importXML(payload.xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    (payload.steps || []).forEach(function (step) {
      var element = registry.get(step.id);
      if (!element || !step.cases) {
        return;
      }
      canvas.addMarker(step.id, "heat-" + step.level);
      // Only the count, inside the step's own top right corner and zooming with it: a
      // badge stays within its element, so two badges overlap only if their steps do.
      // The whole sentence is the badge's title and stands in the table and bar chart.
      var badge = document.createElement("div");
      badge.className = "heat-badge";
      badge.setAttribute("data-step", step.id);
      badge.setAttribute("title", step.name + ": " + step.label);
      badge.textContent = String(step.cases);  // text, never HTML
      overlays.add(step.id, "heat", {
        position: { top: 2, right: 2 + 8 * String(step.cases).length },
        html: badge
      });
    });
    canvas.zoom("fit-viewport", "auto");
    var svg = container.querySelector("svg");
    if (svg) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", container.getAttribute("data-label"));
    }
    document.querySelectorAll("[data-heat-action]").forEach(function (button) {
      button.addEventListener("click", function () {
        var action = button.getAttribute("data-heat-action");
        if (action === "fit") {
          canvas.zoom("fit-viewport", "auto");
        } else {
          canvas.zoom(canvas.zoom() * (action === "zoom-in" ? 1.25 : 0.8), "auto");
        }
      });
    });
    document.querySelectorAll("[data-heat-tools]").forEach(function (element) {
      element.hidden = false;
    });
    container.setAttribute("data-ready", "true");
  }).catch(showError);
})();
