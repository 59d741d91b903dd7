// The "New export" form: one form for the four export types; the parts that do not apply to the
// chosen type are hidden (and not sent). Each accepted request gets a progress line that follows
// the job until it is ready to download.

import { call } from "./api.js";
import { currentTemplates } from "./templates.js";
import { followJob, downloadButton, loadJobs } from "./jobs.js";
import {
  EXPORT_TYPES, SECTIONS, announce, clearError, el, humanize, rememberPatient, showError, templateOptions,
  typeLabel, whileBusy,
} from "./ui.js";

const form = () => document.getElementById("export-form");

// One Idempotency-Key per request: kept while the user retries the same form (a double click, or
// a retry after a network error, then never makes two exports) and dropped when the form changes.
let idempotencyKey = null;

export function initExportForm() {
  const f = form();
  f.elements.export_type.addEventListener("change", showPartsForType);
  f.elements.template_id.addEventListener("change", tickTemplateSections);
  f.addEventListener("input", () => (idempotencyKey = null));
  f.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(f, submit);
  });
  document.addEventListener("templates-changed", fillTemplates);
  showPartsForType();
}

/** Shows the fields of the chosen type (elements list the types they serve in data-for). */
function showPartsForType() {
  const f = form();
  const type = f.elements.export_type.value;
  for (const part of f.querySelectorAll("[data-for]")) {
    part.hidden = !part.dataset.for.split(" ").includes(type);
  }
  const required = type === "progress_report";
  f.elements.start_date.required = required;
  f.elements.end_date.required = required;
  document.getElementById("period-hint").textContent = required
    ? "Required: the report covers sessions from the start to the end date."
    : "Optional: leave both empty for every session, or give session ids instead.";
  document.getElementById("export-sections").replaceChildren(
    ...SECTIONS[type].map((name) =>
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "include_sections", value: name, checked: true }), humanize(name))));
  fillTemplates();
}

function fillTemplates() {
  const f = form();
  const chosen = f.elements.template_id.value;
  f.elements.template_id.replaceChildren(...templateOptions(currentTemplates(), f.elements.export_type.value, "None (standard layout)"));
  f.elements.template_id.value = chosen; // stays chosen if it is still a template of this type
  if (f.elements.template_id.value !== chosen) f.elements.template_id.value = "";
}

/** Choosing a template ticks its sections, so what is ticked is what the export will hold. */
function tickTemplateSections() {
  const f = form();
  const template = currentTemplates().find((t) => t.template_id === f.elements.template_id.value);
  for (const box of f.querySelectorAll("input[name=include_sections]")) {
    box.checked = !template?.include_sections || template.include_sections.includes(box.value);
  }
}

/** The request body, from the visible fields only (docs/api.md, "Requesting an export"). */
function requestBody(f) {
  const type = f.elements.export_type.value;
  const body = { patient_id: f.elements.patient_id.value.trim() };
  if (f.elements.format.value) body.format = f.elements.format.value; // empty: the template's default format
  if (f.elements.template_id.value) body.template_id = f.elements.template_id.value;
  if (type === "session_notes" || type === "progress_report") {
    if (f.elements.start_date.value) body.start_date = f.elements.start_date.value;
    if (f.elements.end_date.value) body.end_date = f.elements.end_date.value;
  }
  if (type === "session_notes") {
    const ids = f.elements.session_ids.value.split(/[\s,]+/).filter(Boolean);
    if (ids.length) body.session_ids = ids;
  }
  if (SECTIONS[type].length) {
    const ticked = [...f.querySelectorAll("input[name=include_sections]:checked")].map((box) => box.value);
    // Everything ticked and no template: leave the field out, which means every section.
    if (body.template_id || ticked.length < SECTIONS[type].length) body.include_sections = ticked;
  }
  if (type === "full_record") body.include_psychotherapy_notes = f.elements.include_psychotherapy_notes.checked;
  return body;
}

async function submit() {
  const f = form();
  clearError(f);
  const type = f.elements.export_type.value;
  idempotencyKey ??= crypto.randomUUID();
  let answer;
  try {
    answer = await call("POST", `/api/v1/export/${EXPORT_TYPES[type].path}`, {
      body: requestBody(f),
      headers: { "Idempotency-Key": idempotencyKey },
    });
  } catch (error) {
    showError(f, error);
    return;
  }
  idempotencyKey = null;
  rememberPatient(answer.data.patient_id);
  const job = answer.data;
  // A replayed request answers with the job it made the first time: it is already shown.
  if (answer.headers.get("Idempotent-Replayed") === "true" && document.querySelector(`#progress [data-job-id="${job.job_id}"]`)) return;
  trackProgress(job);
}

/** A line under the form that follows one job: queued → rendering → ready (with Download) or failed. */
async function trackProgress(job) {
  const label = `${typeLabel(job.export_type)} · ${job.format.toUpperCase()}`;
  const status = el("span", { class: "progress-status" });
  const bar = el("progress", { "aria-label": `${label}: in progress` });
  const actions = el("span", { class: "actions" });
  const error = el("p", { class: "form-error", id: `progress-error-${job.job_id}`, tabindex: "-1", hidden: true });
  const item = el("li", { "data-job-id": job.job_id },
    el("a", { href: `/exports/${job.job_id}`, id: `progress-name-${job.job_id}` }, label), " ", status, bar, actions, error);
  document.getElementById("progress").prepend(item);
  announce(`${label} requested. Waiting in the queue.`);
  loadJobs();

  const show = (current) => {
    item.dataset.status = current.status;
    status.textContent = {
      pending: "Waiting in the queue…",
      processing: "Rendering…",
      // A file that could not show everything still completes; say what it lacks.
      completed: current.warnings?.length
        ? `Ready. Note: ${current.warnings.map((w) => w.message).join(" ")}.`
        : "Ready",
      failed: `Failed: ${current.error?.message ?? "unknown error"}`,
    }[current.status] ?? humanize(current.status);
  };
  show(job);
  try {
    const done = await followJob(job.job_id, show);
    bar.remove();
    if (done.status === "completed") {
      actions.append(downloadButton(done, item, `progress-name-${job.job_id}`));
      announce(`${label} is ready to download.`);
    } else {
      announce(`${label} failed: ${done.error?.message ?? done.status}.`);
    }
  } catch (failure) {
    bar.remove();
    showError(item, failure);
  }
  loadJobs();
}
