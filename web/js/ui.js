// Small DOM helpers shared by the features. Text from the API is always set as textContent
// (never innerHTML), so nothing it returns can become markup.

/** Makes an element: el("a", {href: "/x", class: "link"}, "text", otherNode). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Says something to screen readers (the page's polite live region) without moving focus. */
export function announce(text) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  // A fresh text node in a later task is announced even when it repeats the previous message.
  setTimeout(() => (region.textContent = text), 50);
}

export const EXPORT_TYPES = {
  session_notes: { label: "Session notes", path: "session-notes" },
  progress_report: { label: "Progress report", path: "progress-report" },
  treatment_summary: { label: "Treatment summary", path: "treatment-summary" },
  full_record: { label: "Full record", path: "full-record" },
};

export const FORMATS = { pdf: "PDF", docx: "Word (DOCX)", json: "JSON", csv: "CSV" };

/**
 * Fills the <select data-choices="…"> of the page from the lists above, so they are written once:
 * "export_type", "format", and "format template_default" (the formats, then "" for a template's
 * default format).
 */
export function fillChoices() {
  for (const select of document.querySelectorAll("select[data-choices]")) {
    const [list, extra] = select.dataset.choices.split(" ");
    const choices = list === "export_type"
      ? Object.entries(EXPORT_TYPES).map(([value, type]) => [value, type.label])
      : Object.entries(FORMATS);
    if (extra === "template_default") choices.push(["", "The template's default"]);
    select.replaceChildren(...choices.map(([value, label]) => el("option", { value }, label)));
  }
}

/** The sections each export type can include (docs/api.md, "include_sections"); full records have none. */
export const SECTIONS = {
  session_notes: ["session_details", "clinician", "topics", "mood", "subjective", "objective", "assessment", "plan"],
  progress_report: ["demographics", "goals", "attendance", "topics", "mood", "assessments"],
  treatment_summary: ["diagnoses", "treatment_plan", "goals", "interventions", "session_statistics", "assessments", "prognosis"],
  full_record: [],
};

/** "treatment_plan" → "Treatment plan". */
export function humanize(name) {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function typeLabel(exportType) {
  return EXPORT_TYPES[exportType]?.label ?? exportType;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A <time> for an RFC 3339 instant, in the user's locale and time zone; "—" when there is none. */
export function dateTime(iso) {
  if (!iso) return el("span", { class: "muted" }, "—");
  return el("time", { datetime: iso }, dateTimeFormat.format(new Date(iso)));
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A status as a badge: the word is always shown, the colour only repeats it. */
export function statusBadge(status) {
  return el("span", { class: `badge badge-${status}` }, humanize(status));
}

/**
 * Shows the API's error next to the form that caused it: its message, the field it names
 * (marked aria-invalid and focused) and, for template bodies, the line and column.
 */
export function showError(form, error) {
  clearError(form);
  const box = form.querySelector(".form-error");
  const where = [];
  if (error.field) where.push(`field ${error.field}`);
  if (error.line) where.push(`line ${error.line}, column ${error.column}`);
  box.replaceChildren(el("strong", {}, error.message), where.length ? ` (${where.join(", ")})` : "");
  box.hidden = false;
  // "include_sections[1]" names the group include_sections; "session_ids[3]" the session_ids box.
  const name = error.field?.replace(/\[\d+\]$/, "");
  const target = name && form.querySelector(`[data-field="${name}"], [name="${name}"]`);
  if (target && !target.closest("[hidden]")) {
    target.setAttribute("aria-invalid", "true");
    target.dataset.describedBefore = target.getAttribute("aria-describedby") ?? "";
    target.setAttribute("aria-describedby", `${target.dataset.describedBefore} ${box.id}`.trim());
    target.focus();
  } else {
    box.focus();
  }
}

export function clearError(form) {
  const box = form.querySelector(".form-error");
  box.hidden = true;
  box.textContent = "";
  for (const invalid of form.querySelectorAll("[aria-invalid]")) {
    invalid.removeAttribute("aria-invalid");
    const before = invalid.dataset.describedBefore;
    if (before) invalid.setAttribute("aria-describedby", before);
    else invalid.removeAttribute("aria-describedby");
    delete invalid.dataset.describedBefore;
  }
}

/** Asks before something that cannot be undone, in the page's <dialog>. Resolves true on yes. */
export function confirmAction(message, actionLabel) {
  const dialog = document.getElementById("confirm");
  dialog.querySelector("#confirm-message").textContent = message;
  dialog.querySelector("#confirm-ok").textContent = actionLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

/** Wires the dialog's buttons once: Cancel (focused first) and the action. Escape cancels. */
export function setUpConfirmDialog() {
  const dialog = document.getElementById("confirm");
  dialog.querySelector("#confirm-cancel").addEventListener("click", () => dialog.close("cancel"));
  dialog.querySelector("#confirm-ok").addEventListener("click", () => dialog.close("ok"));
}

// Recently used patient ids, offered by the patient fields' <datalist>: there is no endpoint
// that lists patients. Only the opaque ids are kept, never names.
const RECENT_KEY = "practice-exports.recent-patients";

export function rememberPatient(patientId) {
  const recent = [patientId, ...recentPatients().filter((id) => id !== patientId)].slice(0, 8);
  localStorage.setItem(RECENT_KEY, JSON.stringify(recent));
  fillRecentPatients();
}

function recentPatients() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY)) ?? [];
  } catch {
    return [];
  }
}

export function fillRecentPatients() {
  const list = document.getElementById("recent-patients");
  list.replaceChildren(...recentPatients().map((id) => el("option", { value: id })));
}

/** Disables a form's submit button while its request runs, so a double click sends one request. */
export async function whileBusy(form, work) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/** The <option>s of a template <select>: "none" first, then the templates of one export type. */
export function templateOptions(templates, exportType, noneLabel) {
  return [
    el("option", { value: "" }, noneLabel),
    ...templates
      .filter((t) => t.export_type === exportType)
      .map((t) => el("option", { value: t.template_id }, t.built_in ? `${t.name} (built-in)` : t.name)),
  ];
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
