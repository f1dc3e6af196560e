// Norwegian (bokmål) for the modeler. bpmn-js, its properties panel and bpmnlint pass every
// text they show through the `translate` service; this module replaces it with a lookup in
// the dictionary below, keeping `{placeholders}`. An element type in the properties panel's
// header ("Message Start Event (Non Interrupting)") is put together from its parts, and a
// bpmnlint message with a name in it is matched by a pattern. A text it lacks is shown as
// written, and remembered in `untranslated` (the browser test asserts there is none).
const NB = {
  // ---------------------------------------------------------------- properties panel
  General: "Generelt",
  Name: "Navn",
  ID: "ID",
  Documentation: "Dokumentasjon",
  "Element documentation": "Dokumentasjon av elementet",
  "Process documentation": "Dokumentasjon av prosessen",
  "Documentation: Timer events": "Dokumentasjon: tidshendelser",
  Process: "Prosess",
  "Process name": "Prosessnavn",
  "Process ID": "Prosess-ID",
  "Participant Name": "Navn på deltakeren",
  "Participant ID": "Deltakerens ID",
  Executable: "Kjørbar",
  Version: "Versjon",
  "Version tag": "Versjonsmerke",
  Timer: "Tidtaker",
  Type: "Type",
  Value: "Verdi",
  Date: "Dato",
  Duration: "Varighet",
  Cycle: "Gjentakelse",
  Condition: "Betingelse",
  "Condition Expression": "Betingelsesuttrykk",
  Message: "Melding",
  "Global message reference": "Global meldingsreferanse",
  Signal: "Signal",
  "Global signal reference": "Global signalreferanse",
  Error: "Feil",
  "Global error reference": "Global feilreferanse",
  Code: "Kode",
  Escalation: "Eskalering",
  "Global escalation reference": "Global eskaleringsreferanse",
  Compensation: "Kompensasjon",
  "Activity reference": "Aktivitetsreferanse",
  "Wait for completion": "Vent til den er fullført",
  Completion: "Fullføring",
  Multi: "Fler-instans",
  "Multi-instance": "Fler-instans",
  "Loop cardinality": "Antall gjennomløp",
  "Completion condition": "Fullføringsbetingelse",
  "Cancel remaining instances": "Avbryt de andre instansene",
  Inputs: "Inndata",
  Outputs: "Utdata",
  "Data object reference": "Dataobjektreferanse",
  Link: "Lenke",
  Category: "Kategori",
  Script: "Skript",
  Format: "Format",
  Implementation: "Implementasjon",
  "<none>": "<ingen>",
  "<empty>": "<tom>",
  Create: "Opprett",
  "Create new ...": "Opprett ny …",
  "Create new list item": "Nytt element i listen",
  "Delete item": "Slett elementet",
  "Toggle list item": "Vis eller skjul elementet",
  "Toggle section": "Vis eller skjul delen",
  "Section contains an error": "Delen har en feil",
  "Section contains edits": "Delen har endringer",
  "Open documentation": "Åpne dokumentasjonen",
  "Open pop-up editor": "Åpne i eget redigeringsvindu",
  "Opened in editor": "Åpnet i redigeringsvinduet",
  "FEEL expression is mandatory": "FEEL-uttrykket må fylles ut",
  "Unparsable FEEL expression.": "FEEL-uttrykket kan ikke tolkes.",
  "JSON contains errors": "JSON-en har feil",
  "ID must be a valid QName.": "ID-en må være et gyldig QName.",
  "ID must be unique.": "ID-en må være unik.",
  "ID must not be empty.": "ID-en må fylles ut.",
  "ID must not contain prefix.": "ID-en kan ikke ha prefiks.",
  "ID must not contain spaces.": "ID-en kan ikke ha mellomrom.",
  "Select an element to edit its properties.": "Velg et element for å endre egenskapene.",
  "Multiple elements are selected. Select a single element to edit its properties.":
    "Flere elementer er valgt. Velg ett for å endre egenskapene.",
  "A specific point in time defined as ISO 8601 combined date and time representation.":
    "Et tidspunkt i ISO 8601 (dato og klokkeslett).",
  "A time duration defined as ISO 8601 durations format.": "En varighet i ISO 8601.",
  "A cycle defined as ISO 8601 repeating intervals format.":
    "En gjentakelse i ISO 8601 (gjentatte intervaller).",
  "UTC time": "UTC-tid",
  "UTC plus 2 hours zone offset": "UTC pluss 2 timer",
  "14 days": "14 dager",
  "1 hour and 30 minutes": "1 time og 30 minutter",
  "15 seconds": "15 sekunder",
  "every 10 seconds, up to 5 times": "hvert 10. sekund, høyst 5 ganger",
  "every day, infinitely": "hver dag, uten slutt",
  // the header's element types (events are put together below)
  Collaboration: "Samarbeid",
  Participant: "Deltaker",
  Lane: "Bane",
  Group: "Gruppe",
  Association: "Assosiasjon",
  "Text Annotation": "Merknad",
  "Message Flow": "Meldingsflyt",
  "Sequence Flow": "Flyt",
  "Default Flow": "Standardflyt",
  "Conditional Flow": "Flyt med betingelse",
  "Data Object Reference": "Dataobjekt",
  "Data Store Reference": "Datalager",
  "Data Input": "Inndata",
  "Data Output": "Utdata",
  "Data Input Association": "Inndata-kobling",
  "Data Output Association": "Utdata-kobling",
  Task: "Oppgave",
  "User Task": "Brukeroppgave",
  "Service Task": "Automatisk oppgave",
  "Script Task": "Skriptoppgave",
  "Send Task": "Sendeoppgave",
  "Receive Task": "Mottaksoppgave",
  "Manual Task": "Manuell oppgave",
  "Business Rule Task": "Forretningsregeloppgave",
  "Call Activity": "Kallaktivitet",
  "Sub Process": "Delprosess",
  "Collapsed Sub Process": "Delprosess (lukket)",
  "Expanded Sub Process": "Delprosess (åpen)",
  "Event Sub Process": "Hendelsesdelprosess",
  "Ad Hoc Sub Process": "Ad hoc-delprosess",
  Transaction: "Transaksjon",
  Gateway: "Port",
  "Exclusive Gateway": "Eksklusiv port",
  "Parallel Gateway": "Parallell port",
  "Inclusive Gateway": "Inkluderende port",
  "Complex Gateway": "Kompleks port",
  "Event Based Gateway": "Hendelsesbasert port",
  // ---------------------------------------------------------------- palette and context pad
  "Activate hand tool": "Flytt diagrammet (hånd)",
  "Activate lasso tool": "Velg flere (lasso)",
  "Activate create/remove space tool": "Lag eller fjern plass",
  "Activate global connect tool": "Koble sammen",
  "Create start event": "Ny starthendelse",
  "Create end event": "Ny slutthendelse",
  "Create intermediate/boundary event": "Ny mellomhendelse",
  "Create gateway": "Ny port",
  "Create task": "Ny oppgave",
  "Create expanded sub-process": "Ny åpen delprosess",
  "Create data object reference": "Nytt dataobjekt",
  "Create data store reference": "Nytt datalager",
  "Create pool/participant": "Nytt basseng/deltaker",
  "Create group": "Ny gruppe",
  "Search in diagram": "Søk i diagrammet",
  "Append task": "Legg til oppgave",
  "Append end event": "Legg til slutthendelse",
  "Append gateway": "Legg til port",
  "Append intermediate/boundary event": "Legg til mellomhendelse",
  "Append receive task": "Legg til mottaksoppgave",
  "Append message intermediate catch event": "Legg til mellomhendelse som venter på melding",
  "Append timer intermediate catch event": "Legg til mellomhendelse som venter på tid",
  "Append conditional intermediate catch event":
    "Legg til mellomhendelse som venter på en betingelse",
  "Append signal intermediate catch event": "Legg til mellomhendelse som venter på signal",
  "Append compensation activity": "Legg til kompensasjonsaktivitet",
  "Add text annotation": "Legg til merknad",
  "Connect to other element": "Koble til et annet element",
  "Connect using association": "Koble med assosiasjon",
  "Connect using data input association": "Koble med inndata-kobling",
  "Change element": "Endre type",
  "Open {element}": "Åpne {element}",
  Delete: "Slett",
  Remove: "Slett",
  "Add lane above": "Ny bane over",
  "Add lane below": "Ny bane under",
  "Divide into two lanes": "Del i to baner",
  "Divide into three lanes": "Del i tre baner",
  "Align elements": "Juster elementene",
  "Distribute elements horizontally": "Fordel elementene vannrett",
  "Distribute elements vertically": "Fordel elementene loddrett",
  Back: "Tilbake",
  // ---------------------------------------------------------------- the "change type" menu
  "Start event": "Starthendelse",
  "End event": "Slutthendelse",
  "Intermediate throw event": "Mellomhendelse",
  "Boundary event": "Festet hendelse",
  "Message start event": "Starthendelse – melding",
  "Message start event (non-interrupting)": "Starthendelse – melding (avbryter ikke)",
  "Timer start event": "Starthendelse – tid",
  "Timer start event (non-interrupting)": "Starthendelse – tid (avbryter ikke)",
  "Conditional start event": "Starthendelse – betingelse",
  "Conditional start event (non-interrupting)": "Starthendelse – betingelse (avbryter ikke)",
  "Signal start event": "Starthendelse – signal",
  "Signal start event (non-interrupting)": "Starthendelse – signal (avbryter ikke)",
  "Error start event": "Starthendelse – feil",
  "Escalation start event": "Starthendelse – eskalering",
  "Escalation start event (non-interrupting)": "Starthendelse – eskalering (avbryter ikke)",
  "Compensation start event": "Starthendelse – kompensasjon",
  "Message end event": "Slutthendelse – melding",
  "Escalation end event": "Slutthendelse – eskalering",
  "Error end event": "Slutthendelse – feil",
  "Cancel end event": "Slutthendelse – avbryt",
  "Compensation end event": "Slutthendelse – kompensasjon",
  "Signal end event": "Slutthendelse – signal",
  "Terminate end event": "Slutthendelse – avslutt alt",
  "Message intermediate catch event": "Mellomhendelse – venter på melding",
  "Message intermediate throw event": "Mellomhendelse – sender melding",
  "Timer intermediate catch event": "Mellomhendelse – venter på tid",
  "Escalation intermediate throw event": "Mellomhendelse – sender eskalering",
  "Conditional intermediate catch event": "Mellomhendelse – venter på betingelse",
  "Link intermediate catch event": "Mellomhendelse – mottar lenke",
  "Link intermediate throw event": "Mellomhendelse – sender lenke",
  "Compensation intermediate throw event": "Mellomhendelse – sender kompensasjon",
  "Signal intermediate catch event": "Mellomhendelse – venter på signal",
  "Signal intermediate throw event": "Mellomhendelse – sender signal",
  "Message boundary event": "Festet hendelse – melding",
  "Message boundary event (non-interrupting)": "Festet hendelse – melding (avbryter ikke)",
  "Timer boundary event": "Festet hendelse – tid",
  "Timer boundary event (non-interrupting)": "Festet hendelse – tid (avbryter ikke)",
  "Escalation boundary event": "Festet hendelse – eskalering",
  "Escalation boundary event (non-interrupting)": "Festet hendelse – eskalering (avbryter ikke)",
  "Conditional boundary event": "Festet hendelse – betingelse",
  "Conditional boundary event (non-interrupting)":
    "Festet hendelse – betingelse (avbryter ikke)",
  "Error boundary event": "Festet hendelse – feil",
  "Cancel boundary event": "Festet hendelse – avbryt",
  "Signal boundary event": "Festet hendelse – signal",
  "Signal boundary event (non-interrupting)": "Festet hendelse – signal (avbryter ikke)",
  "Compensation boundary event": "Festet hendelse – kompensasjon",
  "Toggle non-interrupting": "Avbryter / avbryter ikke",
  "Exclusive gateway": "Eksklusiv port",
  "Parallel gateway": "Parallell port",
  "Inclusive gateway": "Inkluderende port",
  "Complex gateway": "Kompleks port",
  "Event-based gateway": "Hendelsesbasert port",
  "Event based instantiating Gateway": "Hendelsesbasert port som starter prosessen",
  "Parallel Event based instantiating Gateway":
    "Parallell hendelsesbasert port som starter prosessen",
  "User task": "Brukeroppgave",
  "Service task": "Automatisk oppgave",
  "Script task": "Skriptoppgave",
  "Send task": "Sendeoppgave",
  "Receive task": "Mottaksoppgave",
  "Manual task": "Manuell oppgave",
  "Business rule task": "Forretningsregeloppgave",
  "Call activity": "Kallaktivitet",
  "Sub-process": "Delprosess",
  "Sub-process (collapsed)": "Delprosess (lukket)",
  "Sub-process (expanded)": "Delprosess (åpen)",
  "Ad-hoc sub-process": "Ad hoc-delprosess",
  "Ad-hoc sub-process (collapsed)": "Ad hoc-delprosess (lukket)",
  "Ad-hoc sub-process (expanded)": "Ad hoc-delprosess (åpen)",
  "Event sub-process": "Hendelsesdelprosess",
  "Sequence flow": "Flyt",
  "Default flow": "Standardflyt",
  "Conditional flow": "Flyt med betingelse",
  "Data object reference": "Dataobjekt",
  "Data store reference": "Datalager",
  "Expanded pool/participant": "Åpent basseng/deltaker",
  "Empty pool/participant": "Tomt basseng/deltaker",
  "Empty pool/participant (removes content)": "Tomt basseng/deltaker (fjerner innholdet)",
  "Participant multiplicity": "Flere deltakere",
  "Parallel multi-instance": "Fler-instans, parallelt",
  "Sequential multi-instance": "Fler-instans, etter hverandre",
  Loop: "Gjenta",
  Collection: "Samling",
  // ---------------------------------------------------------------- bpmnlint and its overlays
  "Element is missing label/name": "Elementet mangler navn",
  "Element is missing name": "Elementet mangler navn",
  "Element name is not unique": "Navnet er brukt av et annet element",
  "Incoming flows do not join": "Innkommende flyter slås ikke sammen",
  "Gateway forks and joins": "Porten både deler og samler flyter",
  "Element overlaps with other element": "Elementet ligger over et annet element",
  "Element is outside of parent boundary": "Elementet ligger utenfor det som holder det",
  "Element is not connected": "Elementet er ikke koblet til noe",
  "Element is unused": "Elementet er ikke i bruk",
  "Element is missing bpmndi": "Elementet mangler tegning (BPMN DI)",
  "Element is an implicit end": "Elementet slutter prosessen uten slutthendelse",
  "Element is an implicit start": "Elementet starter prosessen uten starthendelse",
  "Flow splits implicitly": "Flyten deles uten port",
  "Process is missing start event": "Prosessen mangler starthendelse",
  "Process is missing end event": "Prosessen mangler slutthendelse",
  "Start event is missing event definition": "Starthendelsen mangler hendelsestype",
  "Start event must be blank": "Starthendelsen skal ikke ha hendelsestype",
  "Sequence flow is missing condition": "Flyten mangler betingelse",
  "Sequence flow has superfluous label": "Flyten har et overflødig navn",
  "SequenceFlow is a duplicate": "Flyten finnes fra før",
  "Duplicate incoming sequence flows": "Doble innkommende flyter",
  "Duplicate outgoing sequence flows": "Doble utgående flyter",
  "Event has multiple event definitions": "Hendelsen har flere hendelsestyper",
  "Conditional event is missing a condition": "Betingelseshendelsen mangler betingelse",
  "Link event is missing link name": "Lenkehendelsen mangler lenkenavn",
  "Termination is superfluous.": "Avslutt alt er overflødig.",
  "Gateway is superfluous. It only has one source and target.":
    "Porten er overflødig: den har bare én inngang og én utgang.",
  "A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional":
    "En flyt ut av en hendelsesbasert port kan ikke ha betingelse",
  "An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>":
    "En hendelsesbasert port må ha minst to utgående flyter",
  "A <Start Event> is not allowed in <Ad Hoc Sub Process>":
    "En starthendelse er ikke tillatt i en ad hoc-delprosess",
  "An <End Event> is not allowed in <Ad Hoc Sub Process>":
    "En slutthendelse er ikke tillatt i en ad hoc-delprosess",
  "Element has disallowed type <{type}>": "Elementet har en type som ikke er tillatt <{type}>",
  "Issues for child elements": "Feil i underliggende elementer",
  "Toggle linting overlays": "Vis eller skjul råd fra bpmnlint",
  "{errors} Errors, {warnings} Warnings": "{errors} feil, {warnings} advarsler",
  "No Issues": "Ingen råd",
};

// bpmnlint messages with a name or type in them.
const PATTERNS = [
  [/^Element type <(.+)> is discouraged$/, "Elementtypen <$1> frarådes"],
  [/^Duplicate link catch event with link name <(.*)> in scope$/,
    "To lenkehendelser har lenkenavnet <$1>"],
  [/^Link (catch|throw) event with link name <(.*)> missing in scope$/,
    "Lenkehendelsen med lenkenavnet <$2> mangler sin motpart"],
  [/^Element has a non-standard (width|height|size).*$/, "Elementet har en uvanlig størrelse"],
];

// The properties panel's header names an event by its definition and kind.
const EVENT_KINDS = {
  "Start Event": "Starthendelse", "End Event": "Slutthendelse",
  "Intermediate Catch Event": "Mellomhendelse som venter", "Intermediate Throw Event":
    "Mellomhendelse som sender", "Boundary Event": "Festet hendelse",
};
const EVENT_DEFINITIONS = {
  Message: "melding", Timer: "tid", Conditional: "betingelse", Signal: "signal",
  Error: "feil", Escalation: "eskalering", Compensate: "kompensasjon", Link: "lenke",
  Terminate: "avslutt alt", Cancel: "avbryt", Multiple: "flere", "Parallel Multiple":
    "flere samtidig",
};
const EVENT_TYPE = new RegExp(`^(?:(${Object.keys(EVENT_DEFINITIONS).join("|")}) )?`
  + `(${Object.keys(EVENT_KINDS).join("|")})( \\(Non Interrupting\\))?$`);

function composed(template) {
  const event = EVENT_TYPE.exec(template);
  if (event) {
    const [, definition, kind, nonInterrupting] = event;
    return EVENT_KINDS[kind] + (definition ? ` – ${EVENT_DEFINITIONS[definition]}` : "")
      + (nonInterrupting ? " (avbryter ikke)" : "");
  }
  const pattern = PATTERNS.find(([regex]) => regex.test(template));
  return pattern ? template.replace(pattern[0], pattern[1]) : null;
}

// The texts asked for that the dictionary lacks: the browser test asserts there are none.
export const untranslated = new Set();

export function translate(template, replacements = {}) {
  let text = NB[template] || composed(template);
  if (text === null) {
    untranslated.add(template);
    text = template;
  }
  return text.replace(/{([^}]+)}/g, (whole, key) => (key in replacements ? replacements[key] : whole));
}

// The properties panel's groups take `translate` as a property of their own (without it their
// buttons say "Toggle section" whatever the service says): give every group this one, after
// the BPMN provider has made them (a low priority runs last).
class TranslatedGroups {
  constructor(propertiesPanel) {
    propertiesPanel.registerProvider(1, this);
  }

  getGroups() {
    return (groups) => groups.map((group) => ({ ...group, translate }));
  }
}
TranslatedGroups.$inject = ["propertiesPanel"];

export default {
  __init__: ["translatedGroups"],
  translate: ["value", translate],
  translatedGroups: ["type", TranslatedGroups],
};
