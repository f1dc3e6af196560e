// The process designer's modeler page: bpmn-js with the properties panel, bpmnlint as the
// designer draws, the server's validation shown on the diagram, and a side panel for what
// ipflow reads from a diagram (a task's form and handler, timers, conditions, scripts).
// Built by `npm run build-designer` into webapp/static/vendor/designer.bundle.{js,css}.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import "bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css";

import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import lintModule from "bpmn-js-bpmnlint";

import lintConfig from "./bpmnlint-config.js";
import spiffModdle from "./spiffworkflow-moddle.json";
import translateModule, { translate, untranslated } from "./translate-nb.js";

const data = JSON.parse(document.getElementById("draft-data").textContent);
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);

const modeler = new BpmnModeler({
  container: "#canvas",
  propertiesPanel: { parent: "#properties" },
  linting: { bpmnlint: lintConfig, active: true },
  additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, lintModule,
    translateModule],
  moddleExtensions: { spiffworkflow: spiffModdle },
});
window.ipflowModeler = modeler; // for the browser tests and the curious designer's console
window.ipflowUntranslated = untranslated; // texts the Norwegian dictionary lacks (tests)

const canvas = modeler.get("canvas");
const overlays = modeler.get("overlays");
const elementRegistry = modeler.get("elementRegistry");
const modeling = modeler.get("modeling");
const moddle = modeler.get("moddle");
const selection = modeler.get("selection");
const eventBus = modeler.get("eventBus");

// ------------------------------------------------------------------ talking to the server

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken,
               Accept: "application/json" },
    body: JSON.stringify(body),
  });
  let payload = {};
  try {
    payload = await response.json();
  } catch (_error) {
    payload = { error: `Serveren svarte ${response.status}.` };
  }
  return { status: response.status, ok: response.ok, body: payload };
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

function status(text, kind = "") {
  const element = $("designer-status");
  element.textContent = text;
  element.className = `designer-status ${kind}`;
}

// ------------------------------------------------------------------ server errors on the diagram

let errorOverlays = [];
let markedElements = [];

function shapeFor(elementId) {
  const direct = elementRegistry.get(elementId);
  if (direct) {
    return direct;
  }
  // A process id: show it on the pool that holds the process.
  return elementRegistry.filter((e) => e.type === "bpmn:Participant"
    && e.businessObject.processRef && e.businessObject.processRef.id === elementId)[0] || null;
}

function showErrors(errors) {
  errorOverlays.forEach((id) => overlays.remove(id));
  markedElements.forEach((id) => canvas.removeMarker(id, "ipflow-invalid"));
  errorOverlays = [];
  markedElements = [];
  const list = $("error-list");
  list.replaceChildren();
  const byElement = new Map();
  for (const error of errors) {
    const messages = byElement.get(error.element) || [];
    messages.push(error.message);
    byElement.set(error.element, messages);
    const item = document.createElement("li");
    const shape = shapeFor(error.element);
    if (shape) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      // The server's text names the element by its label, the id after it.
      button.textContent = error.text;
      button.addEventListener("click", () => {
        selection.select(shape);
        canvas.scrollToElement(shape);
      });
      item.append(button);
    } else {
      item.textContent = error.text;
    }
    list.append(item);
  }
  for (const [elementId, messages] of byElement) {
    const shape = shapeFor(elementId);
    if (!shape) {
      continue;
    }
    canvas.addMarker(shape.id, "ipflow-invalid");
    markedElements.push(shape.id);
    const badge = document.createElement("div");
    badge.className = "ipflow-error-badge";
    badge.setAttribute("role", "img");
    badge.setAttribute("aria-label", messages.join(" "));
    badge.title = messages.join("\n");
    badge.textContent = String(messages.length);
    const isFlow = Array.isArray(shape.waypoints);
    errorOverlays.push(overlays.add(shape.id, "ipflow-error", {
      position: isFlow ? { top: 0, left: 0 } : { top: -10, right: 10 },
      html: badge,
    }));
  }
  $("error-count").textContent = errors.length
    ? `${errors.length} ${errors.length === 1 ? "feil" : "feil"}` : "ingen feil";
  $("problems").classList.toggle("has-errors", errors.length > 0);
}

// ------------------------------------------------------------------ bpmnlint issues as a list

eventBus.on("linting.completed", ({ issues }) => {
  const list = $("lint-list");
  list.replaceChildren();
  let count = 0;
  for (const [elementId, elementIssues] of Object.entries(issues || {})) {
    for (const issue of elementIssues) {
      count += 1;
      const item = document.createElement("li");
      item.textContent = `${elementId}: ${translate(issue.message)} (${issue.rule}, ${issue.category === "error" ? "feil" : "advarsel"})`;
      list.append(item);
    }
  }
  $("lint-count").textContent = String(count);
});

// ------------------------------------------------------------------ saving, checking, deploying

let checkTimer = null;
let dirty = false;

async function check() {
  const result = await post(data.urls.check, { bpmn: await currentXml() });
  if (result.body.errors) {
    showErrors(result.body.errors);
  }
}

eventBus.on("commandStack.changed", () => {
  dirty = true;
  status("Endret, ikke lagret.");
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 1200);
  renderSidePanel();
});

// A save or a deploy validates the diagram itself; a check still waiting on its timer would
// only repeat that, or, after a deploy has used up the draft, ask for a draft that is gone.
async function save() {
  clearTimeout(checkTimer);
  status("Lagrer …");
  const result = await post(data.urls.save, { bpmn: await currentXml() });
  if (result.body.errors) {
    showErrors(result.body.errors);
  }
  if (result.ok) {
    dirty = false;
    const count = result.body.errors.length;
    status(count ? `Utkastet er lagret, men har ${count} feil som må rettes før det kan tas i bruk.`
      : "Utkastet er lagret. Ingen feil.", count ? "warn" : "ok");
  } else {
    status(result.body.error || "Utkastet ble ikke lagret.", "error");
  }
  return result;
}

async function deploy() {
  clearTimeout(checkTimer);
  status("Tar i bruk …");
  const result = await post(data.urls.deploy, { bpmn: await currentXml(), note: $("deploy-note").value });
  if (result.status === 201) {
    dirty = false;
    showErrors([]);
    const link = document.createElement("a");
    link.href = result.body.url;
    link.textContent = "Se versjonene";
    status(`${result.body.message} `, "ok");
    $("designer-status").append(link);
    for (const id of ["save-draft", "deploy-draft"]) {
      $(id).disabled = true;
    }
    return;
  }
  if (result.body.errors) {
    showErrors(Array.isArray(result.body.errors) ? result.body.errors : []);
  }
  status(result.body.error || "Utkastet ble ikke tatt i bruk.", "error");
}

$("save-draft").addEventListener("click", save);
$("deploy-draft").addEventListener("click", deploy);
window.addEventListener("beforeunload", (event) => {
  if (dirty) {
    event.preventDefault();
  }
});

// ------------------------------------------------------------------ ipflow's side panel

const SPIFF_PROPERTIES = "spiffworkflow:Properties";
const SPIFF_OPERATOR = "spiffworkflow:ServiceTaskOperator";

function extension(bo, type) {
  return ((bo.extensionElements && bo.extensionElements.values) || []).find((e) => e.$type === type);
}

function ensureExtension(element, type, attrs = {}) {
  const bo = element.businessObject;
  let container = bo.extensionElements;
  if (!container) {
    container = moddle.create("bpmn:ExtensionElements", { values: [] });
    modeling.updateProperties(element, { extensionElements: container });
  }
  let found = extension(bo, type);
  if (!found) {
    found = moddle.create(type, attrs);
    modeling.updateModdleProperties(element, container, { values: [...container.get("values"), found] });
  }
  return found;
}

function getProperty(bo, name) {
  const props = extension(bo, SPIFF_PROPERTIES);
  const prop = props && (props.get("properties") || []).find((p) => p.name === name);
  return prop ? prop.value || "" : "";
}

function setProperty(element, name, value) {
  const props = ensureExtension(element, SPIFF_PROPERTIES, { properties: [] });
  const list = props.get("properties") || [];
  const prop = list.find((p) => p.name === name);
  if (!value) {
    if (prop) {
      modeling.updateModdleProperties(element, props, { properties: list.filter((p) => p !== prop) });
    }
    return;
  }
  if (prop) {
    modeling.updateModdleProperties(element, prop, { value });
  } else {
    const created = moddle.create("spiffworkflow:Property", { name, value });
    modeling.updateModdleProperties(element, props, { properties: [...list, created] });
  }
}

function setHandler(element, handler) {
  const operator = ensureExtension(element, SPIFF_OPERATOR, {});
  modeling.updateModdleProperties(element, operator, { id: handler });
}

function parametersText(bo) {
  const operator = extension(bo, SPIFF_OPERATOR);
  const list = operator && operator.parameterList ? operator.parameterList.get("parameters") : [];
  return list.map((p) => `${p.id} = ${p.value}`).join("\n");
}

function setParameters(element, text) {
  const operator = ensureExtension(element, SPIFF_OPERATOR, {});
  const parameters = text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [id, ...rest] = line.split("=");
    return moddle.create("spiffworkflow:Parameter", { id: id.trim(), type: "str", value: rest.join("=").trim() });
  });
  const parameterList = moddle.create("spiffworkflow:Parameters", { parameters });
  modeling.updateModdleProperties(element, operator, { parameterList: parameters.length ? parameterList : undefined });
}

function expression(body) {
  return moddle.create("bpmn:FormalExpression", { body });
}

const TIMER_KINDS = [["timeDuration", "Varighet"], ["timeDate", "Tidspunkt"], ["timeCycle", "Gjentakelse"]];

function timerDefinition(bo) {
  return (bo.eventDefinitions || []).find((d) => d.$type === "bpmn:TimerEventDefinition");
}

function field(labelText, control, hint) {
  const wrapper = document.createElement("div");
  wrapper.className = "field";
  const id = `ipf-${labelText.toLowerCase().replace(/[^a-z0-9æøå]+/g, "-")}`;
  control.id = id;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = labelText;
  wrapper.append(label);
  if (hint) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = hint;
    wrapper.append(p);
  }
  wrapper.append(control);
  return wrapper;
}

function select(options, value, onChange) {
  const control = document.createElement("select");
  for (const [optionValue, text] of [["", "(ingen)"], ...options.map((o) => [o, o])]) {
    const option = new Option(text, optionValue, false, optionValue === value);
    control.append(option);
  }
  if (value && !options.includes(value)) {
    control.append(new Option(`${value} (finnes ikke)`, value, false, true));
  }
  control.addEventListener("change", () => onChange(control.value));
  return control;
}

function input(value, onChange, multiline = false) {
  const control = document.createElement(multiline ? "textarea" : "input");
  if (!multiline) {
    control.type = "text";
  }
  control.value = value || "";
  control.addEventListener("change", () => onChange(control.value.trim()));
  return control;
}

// Deadlines as people say them ("14 dager"); the diagram keeps ISO 8601 durations (P14D),
// shown only as help. One unit: days, weeks, months or years.
const DURATION_UNITS = [
  ["D", "dag", "dager", /^(d|dag|dager|døgn)$/],
  ["W", "uke", "uker", /^(u|uke|uker)$/],
  ["M", "måned", "måneder", /^(m|mnd|måned|måneder)$/],
  ["Y", "år", "år", /^(år)$/],
];

function durationText(iso) {
  const found = /^P(\d+)([DWMY])$/.exec(iso || "");
  if (!found) {
    return iso || "";
  }
  const [, singular, plural] = DURATION_UNITS.find(([code]) => code === found[2]).slice(0, 3);
  return `${found[1]} ${Number(found[1]) === 1 ? singular : plural}`;
}

function durationIso(text) {
  const value = text.trim();
  if (!value || /^P\d+[DWMY]$/i.test(value)) {
    return value.toUpperCase();
  }
  const found = /^(\d+)\s*([a-zæøå]+)$/i.exec(value);
  const unit = found && DURATION_UNITS.find(([, , , pattern]) => pattern.test(found[2].toLowerCase()));
  return unit ? `P${found[1]}${unit[0]}` : null;
}

function deadlineField(element, bo) {
  const stored = getProperty(bo, "due_in");
  const control = input(durationText(stored), (text) => {
    const iso = durationIso(text);
    if (iso === null) {
      status("Skriv fristen som «14 dager», «2 uker» eller «3 måneder».", "error");
      return;
    }
    setProperty(element, "due_in", iso);
    control.value = durationText(iso);
    hint.textContent = deadlineHint(iso);
  });
  const wrapper = field("Frist", control, deadlineHint(stored));
  const hint = wrapper.querySelector(".hint");
  return wrapper;
}

function deadlineHint(iso) {
  return `Som «14 dager», «2 uker» eller «3 måneder». Lagres som ISO 8601: ${iso || "ingen frist"}.`;
}

function renderSidePanel() {
  const panel = $("ipflow-fields");
  const selected = selection.get();
  panel.replaceChildren();
  const title = $("ipflow-title");
  if (selected.length !== 1) {
    title.textContent = "Velg et element i diagrammet";
    return;
  }
  const element = selected[0];
  const bo = element.businessObject;
  title.textContent = `${bo.name || bo.id} (${bo.$type.replace("bpmn:", "")})`;
  if (bo.$type === "bpmn:UserTask" || bo.$type === "bpmn:StartEvent") {
    panel.append(field("Skjema", select(data.forms, getProperty(bo, "form"),
      (v) => setProperty(element, "form", v)), "Skjemaet personen fyller ut (processes/forms eller utkastets egne)."));
    panel.append(field("Validator", select(data.validators, getProperty(bo, "validator"),
      (v) => setProperty(element, "validator", v))));
    if (bo.$type === "bpmn:UserTask") {
      panel.append(deadlineField(element, bo));
    }
    const form = getProperty(bo, "form");
    if (form) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `Rediger skjemaet ${form}`;
      button.addEventListener("click", () => loadForm(form));
      panel.append(button);
    }
  }
  if (bo.$type === "bpmn:ServiceTask") {
    const operator = extension(bo, SPIFF_OPERATOR);
    panel.append(field("Handler", select(data.handlers, operator ? operator.id : "",
      (v) => setHandler(element, v)), "Hvordan det automatiske steget gjøres (handlers/)."));
    panel.append(field("Parametere", input(parametersText(bo), (v) => setParameters(element, v), true),
      "Én per linje: navn = 'verdi' (et Python-uttrykk)."));
  }
  if (bo.$type === "bpmn:ScriptTask") {
    panel.append(field("Skript", input(bo.script, (v) => modeling.updateProperties(element,
      { script: v, scriptFormat: "python" }), true), "Python uten import; stoppes etter 2 sekunder."));
  }
  if (bo.$type === "bpmn:SequenceFlow" && bo.sourceRef && bo.sourceRef.$type === "bpmn:ExclusiveGateway") {
    const gateway = elementRegistry.get(bo.sourceRef.id);
    panel.append(field("Betingelse", input(bo.conditionExpression ? bo.conditionExpression.body : "",
      (v) => modeling.updateProperties(element, { conditionExpression: v ? expression(v) : undefined })),
    "Et Python-uttrykk på sakens data, f.eks. approved == True."));
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = bo.sourceRef.default === bo;
    box.addEventListener("change", () => modeling.updateProperties(gateway,
      { default: box.checked ? bo : undefined }));
    panel.append(field("Standardflyt", box, "Flyten som tas når ingen betingelse slår til."));
  }
  const timer = timerDefinition(bo);
  if (timer) {
    const kind = TIMER_KINDS.find(([k]) => timer[k]) || TIMER_KINDS[0];
    const current = timer[kind[0]] ? timer[kind[0]].body : "";
    const kindSelect = document.createElement("select");
    for (const [value, text] of TIMER_KINDS) {
      kindSelect.append(new Option(text, value, false, value === kind[0]));
    }
    const text = input(current, () => {});
    const apply = () => {
      const changes = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      changes[kindSelect.value] = text.value.trim() ? expression(text.value.trim()) : undefined;
      modeling.updateModdleProperties(element, timer, changes);
    };
    kindSelect.addEventListener("change", apply);
    text.addEventListener("change", apply);
    panel.append(field("Tidstype", kindSelect));
    panel.append(field("Tidsuttrykk", text, 'I anførselstegn: "P30D", eller en variabel som revision_date.'));
  }
  if (!panel.children.length) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "Ingen ipflow-innstillinger for dette elementet. Navn og id står i panelet under.";
    panel.append(p);
  }
}

eventBus.on("selection.changed", renderSidePanel);

// ------------------------------------------------------------------ the form editor

let previewTimer = null;
const formText = $("form-text");

async function preview() {
  const result = await post(data.urls.preview, { text: formText.value });
  $("form-problems").textContent = (result.body.errors || []).join(" ");
  $("form-preview").innerHTML = result.body.html || "";
}

async function loadForm(name) {
  const response = await fetch(data.urls.form.replace("__name__", encodeURIComponent(name)),
    { credentials: "same-origin", headers: { Accept: "application/json" } });
  $("form-name").value = name;
  if (response.ok) {
    const payload = await response.json();
    formText.value = JSON.stringify(payload.form, null, 2);
  } else {
    formText.value = JSON.stringify({ title: "", schema: { type: "object", properties: {} }, ui: { order: [] } }, null, 2);
  }
  $("form-editor").scrollIntoView({ behavior: "smooth" });
  preview();
}

formText.addEventListener("input", () => {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(preview, 350);
});
$("form-load").addEventListener("click", () => loadForm($("form-name").value.trim()));
$("form-save").addEventListener("click", async () => {
  const name = $("form-name").value.trim();
  const result = await post(data.urls.saveForm.replace("__name__", encodeURIComponent(name)), { text: formText.value });
  if (result.ok) {
    $("form-problems").textContent = `Skjemaet ${name} er lagret i utkastet.`;
    if (!data.forms.includes(name)) {
      data.forms.push(name);
      data.forms.sort();
    }
    showErrors(result.body.errors || []);
    renderSidePanel();
  } else {
    $("form-problems").textContent = Object.values(result.body.errors || {}).join(" ") || result.body.error;
  }
});

// ------------------------------------------------------------------ start

// The whole diagram in view, right of the palette: fit-viewport alone puts the diagram's left
// edge under the palette, hiding the start of the process.
function fitBesidePalette() {
  const box = $("canvas").getBoundingClientRect();
  const palette = document.querySelector("#canvas .djs-palette");
  const margin = 16;
  const clear = palette ? palette.getBoundingClientRect().right - box.left + margin : margin;
  const { inner } = canvas.viewbox();
  if (!inner.width || !inner.height) {
    return;
  }
  const scale = Math.min((box.width - clear - margin) / inner.width,
    (box.height - 2 * margin) / inner.height, 1);
  canvas.viewbox({ x: inner.x - clear / scale, y: inner.y - margin / scale,
    width: box.width / scale, height: box.height / scale });
}

async function start() {
  try {
    await modeler.importXML(data.xml);
  } catch (error) {
    status(`Diagrammet kunne ikke vises: ${error.message}`, "error");
    showErrors(data.errors);
    return;
  }
  fitBesidePalette();
  showErrors(data.errors);
  renderSidePanel();
  document.body.dataset.modelerReady = "true";
  status(data.errors.length ? `Utkastet har ${data.errors.length} feil.` : "Utkastet er klart.");
}

start();
