/* The case page's parts as tabs, and its history's filter.
 *
 * Without JavaScript the page shows every part in order under a table of contents (the
 * links of nav[data-tabs]) and the history filter is a GET form. Here the links become tabs
 * (WAI-ARIA tabs pattern: role tablist/tab/tabpanel, aria-selected, arrow keys, Home and End,
 * one tab in the tab order), one part shows at a time, and the address's #fragment says
 * which: a link to any element inside a part (#samtale, #moter) opens that part. A part that
 * is shown gets the event "ipflow:tab-shown", so the diagram can draw once it has a size.
 */
(function () {
  "use strict";

  var nav = document.querySelector("nav[data-tabs]");
  if (nav) {
    setUpTabs(nav);
  }
  setUpFilter(document.querySelector("form[data-timeline-filter]"));

  function setUpTabs(nav) {
    var list = nav.querySelector("ul");
    var tabs = Array.prototype.slice.call(nav.querySelectorAll("a[href^='#']"));
    var panels = tabs.map(function (tab) {
      return document.getElementById(tab.getAttribute("href").slice(1));
    });
    if (panels.indexOf(null) !== -1) {
      return;
    }
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", nav.getAttribute("aria-label"));
    tabs.forEach(function (tab, index) {
      var panel = panels[index];
      tab.parentNode.setAttribute("role", "presentation");
      tab.id = "tab-" + panel.id;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.setAttribute("tabindex", "-1");
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        select(index, true);
      });
      tab.addEventListener("keydown", function (event) {
        var next = {
          ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1,
          ArrowUp: index - 1, Home: 0, End: tabs.length - 1
        }[event.key];
        if (next === undefined) {
          return;
        }
        event.preventDefault();
        next = (next + tabs.length) % tabs.length;
        select(next, true);
        tabs[next].focus();
      });
    });
    nav.classList.add("tabs-active");

    function select(index, remember) {
      tabs.forEach(function (tab, i) {
        var chosen = i === index;
        tab.setAttribute("aria-selected", chosen ? "true" : "false");
        tab.setAttribute("tabindex", chosen ? "0" : "-1");
        panels[i].hidden = !chosen;
      });
      if (remember && window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "#" + panels[index].id);
      }
      panels[index].dispatchEvent(new CustomEvent("ipflow:tab-shown", { bubbles: true }));
    }

    // The part the address names (a part, or anything inside one), else the first.
    function fromAddress() {
      var target = window.location.hash ? document.getElementById(
        decodeURIComponent(window.location.hash.slice(1))) : null;
      var index = target ? panels.findIndex(function (panel) {
        return panel.contains(target);
      }) : -1;
      select(index === -1 ? 0 : index, false);
      if (target && index !== -1 && target !== panels[index]) {
        target.scrollIntoView();
      }
    }
    window.addEventListener("hashchange", fromAddress);
    fromAddress();
  }

  // Ticking a kind shows or hides its entries at once; the form's button is then not needed.
  function setUpFilter(form) {
    if (!form) {
      return;
    }
    var items = document.querySelectorAll("#hendelsesliste > li[data-group]");
    var count = document.querySelector("[data-timeline-count]");
    var button = form.querySelector("[data-timeline-submit]");
    function apply() {
      var shown = {};
      form.querySelectorAll("input[name=vis]").forEach(function (box) {
        shown[box.value] = box.checked;
      });
      var visible = 0;
      items.forEach(function (item) {
        item.hidden = !shown[item.getAttribute("data-group")];
        visible += item.hidden ? 0 : 1;
      });
      if (count) {
        count.textContent = "(" + visible + ")";
      }
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    if (button) {
      button.hidden = true;
    }
  }
})();
