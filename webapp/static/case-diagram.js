/* The case's BPMN diagram with where the case has been and where it stands.
 *
 * Reads the diagram's address and the passed/current element ids from the JSON block the
 * server rendered (#bpmn-diagram-data), fetches the diagram (the browser keeps it: a deployed
 * version never changes), draws it with bpmn-js's NavigatedViewer served from
 * /static/vendor/, and marks elements with the CSS classes `passed` and `current`.
 * The phases are collapsed sub-processes whose steps sit on planes of their own, so a phase
 * carries the mark of the steps inside it: the top plane shows which phase the case is in.
 * It opens where the case stands: the phase of the first current step, centred on it.
 * The diagram is drawn once its tab is shown (case-tabs.js), as the viewer needs a size.
 * A case in incident also carries the ids of the failed elements (#bpmn-failed-elements,
 * from the incident panel): they are marked `failed`, and the diagram opens on the first.
 * Without JavaScript the page shows the same steps as a list; this only adds the picture.
 */
(function () {
  "use strict";

  var container = document.getElementById("diagram");
  if (!container || typeof window.BpmnJS !== "function") {
    return;
  }
  var source = document.getElementById(container.getAttribute("data-diagram-source"));
  var errorBox = document.querySelector("[data-diagram-error]");
  var tools = document.querySelectorAll("[data-diagram-tools]");
  var payload;
  try {
    payload = JSON.parse(source.textContent);
  } catch (err) {
    return;
  }

  function showError() {
    container.hidden = true;
    tools.forEach(function (element) { element.hidden = true; });
    if (errorBox) {
      errorBox.textContent = container.getAttribute("data-error");
      errorBox.hidden = false;
    }
  }

  var failedSource = document.getElementById("bpmn-failed-elements");
  var failedIds = [];
  if (failedSource) {
    try {
      failedIds = JSON.parse(failedSource.textContent) || [];
    } catch (err) {
      failedIds = [];
    }
  }
  var STEP = 80;
  var panel = container.closest("[data-tab-panel]");
  if (panel && panel.hidden) {
    panel.addEventListener("ipflow:tab-shown", function draw() {
      panel.removeEventListener("ipflow:tab-shown", draw);
      start();
    });
  } else {
    start();
  }

  function mark(canvas, registry, ids, marker) {
    ids.forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, marker);
      }
    });
  }

  // The ids with the sub-processes (phases) that contain them, outermost last.
  function withPhases(registry, ids) {
    var all = [];
    (ids || []).forEach(function (id) {
      var element = registry.get(id);
      var parent = element ? element.businessObject.$parent : null;
      all.push(id);
      while (parent && parent.$instanceOf && parent.$instanceOf("bpmn:SubProcess")) {
        all.push(parent.id);
        parent = parent.$parent;
      }
    });
    return all.filter(function (id, index) { return all.indexOf(id) === index; });
  }

  function showAll(canvas, top) {
    canvas.setRootElement(top);
    canvas.zoom("fit-viewport", "auto");
  }

  // Opens the plane (phase) of the first of ``ids`` and centres that step.
  function showFirst(canvas, registry, top, ids) {
    var elements = (ids || []).map(function (id) { return registry.get(id); })
      .filter(Boolean);
    if (!elements.length) {
      showAll(canvas, top);
      return;
    }
    var element = elements[0];
    canvas.setRootElement(canvas.findRoot(element));
    var outer = canvas.viewbox().outer;
    canvas.viewbox({
      x: element.x + element.width / 2 - outer.width / 2,
      y: element.y + element.height / 2 - outer.height / 2,
      width: outer.width, height: outer.height
    });
  }

  function start() {
    // Visible before import: the viewer measures its container to fit the diagram.
    container.hidden = false;
    var viewer = new window.BpmnJS({ container: container });
    fetch(payload.url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : Promise.reject(new Error(response.status));
    }).then(function (xml) {
      return viewer.importXML(xml);
    }).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      var top = canvas.getRootElement();
      var current = withPhases(registry, payload.current);
      var passed = withPhases(registry, payload.passed).filter(function (id) {
        return current.indexOf(id) === -1;
      });
      mark(canvas, registry, passed, "passed");
      mark(canvas, registry, current, "current");
      mark(canvas, registry, withPhases(registry, failedIds), "failed");
      showFirst(canvas, registry, top, failedIds.length ? failedIds : payload.current);

      // The canvas SVG is focusable (tabindex=0); name it and point to the text version.
      var svg = container.querySelector(".djs-container > svg");
      if (svg) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", container.getAttribute("data-label"));
        svg.setAttribute("aria-describedby", "diagram-help steg-i-saken");
      }

      var actions = {
        "zoom-in": function () { canvas.zoom(canvas.zoom() * 1.25, "auto"); },
        "zoom-out": function () { canvas.zoom(canvas.zoom() / 1.25, "auto"); },
        "fit": function () { showAll(canvas, top); },
        "current": function () { showFirst(canvas, registry, top, payload.current); }
      };
      document.querySelectorAll("[data-diagram-action]").forEach(function (button) {
        button.addEventListener("click", function () {
          actions[button.getAttribute("data-diagram-action")]();
        });
      });
      tools.forEach(function (element) { element.hidden = false; });

      // Arrow keys pan, + and - zoom, 0 fits, while the diagram has focus
      // (bpmn-js itself pans only with Ctrl/Cmd + arrows).
      container.addEventListener("keydown", function (event) {
        if (event.ctrlKey || event.metaKey || event.altKey) {
          return;
        }
        var moves = {
          ArrowLeft: [STEP, 0], ArrowRight: [-STEP, 0], ArrowUp: [0, STEP], ArrowDown: [0, -STEP]
        };
        if (moves[event.key]) {
          canvas.scroll({ dx: moves[event.key][0], dy: moves[event.key][1] });
        } else if (event.key === "+" || event.key === "=") {
          actions["zoom-in"]();
        } else if (event.key === "-") {
          actions["zoom-out"]();
        } else if (event.key === "0") {
          actions.fit();
        } else {
          return;
        }
        event.preventDefault();
      });
    }).catch(showError);
  }
})();
