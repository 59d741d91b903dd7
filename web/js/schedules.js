// Scheduled reports: the list with pause/resume (PATCH {"active": …}) and delete, and the form
// that sets one up (POST). The day fields show only for the recurrence that uses them.

import { call, get } from "./api.js";
import { currentTemplates } from "./templates.js";
import {
  announce, clearError, confirmAction, dateTime, el, humanize, rememberPatient, showError, statusBadge,
  templateOptions, typeLabel, whileBusy,
} from "./ui.js";

const form = () => document.getElementById("schedule-form");

export function initSchedules() {
  const f = form();
  f.elements.schedule_type.addEventListener("change", showDayFields);
  f.elements.export_type.addEventListener("change", fillTemplates);
  f.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(f, create);
  });
  document.addEventListener("templates-changed", fillTemplates);
  // Every IANA zone the browser knows, offered as suggestions; the user's own is the default.
  const zones = Intl.supportedValuesOf?.("timeZone") ?? [];
  document.getElementById("time-zones").replaceChildren(...zones.map((zone) => el("option", { value: zone })));
  f.elements.timezone.value = Intl.DateTimeFormat().resolvedOptions().timeZone;
  showDayFields();
}

function showDayFields() {
  const f = form();
  const type = f.elements.schedule_type.value;
  document.getElementById("schedule-weekday").hidden = type !== "weekly";
  document.getElementById("schedule-monthday").hidden = type !== "monthly";
  f.elements.day_of_week.required = type === "weekly";
  f.elements.day_of_month.required = type === "monthly";
}

function fillTemplates() {
  const select = form().elements.template_id;
  const chosen = select.value;
  select.replaceChildren(...templateOptions(currentTemplates(), form().elements.export_type.value, "None (standard layout)"));
  select.value = chosen;
  if (select.value !== chosen) select.value = "";
}

export async function loadSchedules() {
  const list = document.querySelector("#schedules .list");
  clearError(list);
  try {
    const { items } = await get("/api/v1/export/scheduled");
    document.getElementById("schedule-rows").replaceChildren(...items.map((s) => scheduleRow(s, list)));
    document.getElementById("schedules-empty").hidden = items.length > 0;
  } catch (error) {
    showError(list, error);
  }
}

/** "Weekly on Monday at 08:00 (Europe/London)". */
function recurrence(s) {
  const day = s.schedule_type === "weekly" ? ` on ${humanize(s.day_of_week)}`
    : s.schedule_type === "monthly" ? ` on day ${s.day_of_month}` : "";
  return `${humanize(s.schedule_type)}${day} at ${s.time_of_day} (${s.timezone})`;
}

function scheduleRow(s, list) {
  const nameId = `schedule-name-${s.schedule_id}`;
  const template = currentTemplates().find((t) => t.template_id === s.template_id);
  return el("tr", { "data-schedule-id": s.schedule_id },
    el("th", { scope: "row" },
      el("span", { id: nameId }, `${typeLabel(s.export_type)} · ${s.format.toUpperCase()}`),
      template ? el("span", { class: "tag" }, template.name) : null,
      el("span", { class: "id" }, `Patient ${s.patient_id}`)),
    el("td", {}, recurrence(s), el("span", { class: "muted small block" },
      s.delivery === "email_attachment" ? "Mailed as an attachment" : "Mailed as a link")),
    el("td", {}, statusBadge(s.active ? "active" : "paused"),
      s.last_run ? lastRun(s.last_run) : null),
    el("td", {}, dateTime(s.next_run_at)),
    el("td", { class: "actions" },
      el("button", { type: "button", "aria-describedby": nameId, onclick: () => setActive(s, !s.active, list) },
        s.active ? "Pause" : "Resume"),
      el("button", { type: "button", class: "danger", "aria-describedby": nameId, onclick: () => remove(s, list) }, "Delete")));
}

/** "Last run: Emailed", linking to the export that run made (an ordinary job), with the error if it failed. */
function lastRun(run) {
  return el("span", { class: "muted small block" }, "Last run: ",
    el("a", { href: `/exports/${run.job_id}` }, humanize(run.status)),
    run.error ? ` (${run.error})` : "");
}

async function setActive(s, active, list) {
  clearError(list);
  try {
    await call("PATCH", `/api/v1/export/scheduled/${s.schedule_id}`, { body: { active } });
  } catch (error) {
    showError(list, error);
    return;
  }
  announce(active ? "Scheduled report resumed." : "Scheduled report paused.");
  await loadSchedules();
}

async function remove(s, list) {
  const sure = await confirmAction(
    `Delete the scheduled ${typeLabel(s.export_type).toLowerCase()}? No more reports will be sent; exports it already made are kept.`,
    "Delete scheduled report");
  if (!sure) return;
  clearError(list);
  try {
    await call("DELETE", `/api/v1/export/scheduled/${s.schedule_id}`);
  } catch (error) {
    showError(list, error);
    return;
  }
  announce("Scheduled report deleted.");
  await loadSchedules();
}

/** The POST body (docs/api.md, "POST /api/v1/export/scheduled"), from the visible fields. */
function scheduleBody(f) {
  const v = (name) => f.elements[name].value.trim();
  const body = {
    patient_id: v("patient_id"),
    export_type: v("export_type"),
    schedule_type: v("schedule_type"),
    time_of_day: v("time_of_day"),
    timezone: v("timezone"),
    delivery: v("delivery"),
  };
  if (v("format")) body.format = v("format"); // empty: the template's default format
  if (v("template_id")) body.template_id = v("template_id");
  if (body.schedule_type === "weekly") body.day_of_week = v("day_of_week");
  if (body.schedule_type === "monthly") body.day_of_month = Number(v("day_of_month"));
  return body;
}

async function create() {
  const f = form();
  clearError(f);
  const body = scheduleBody(f);
  try {
    await call("POST", "/api/v1/export/scheduled", { body });
  } catch (error) {
    showError(f, error);
    return;
  }
  rememberPatient(body.patient_id);
  announce("Scheduled report created.");
  await loadSchedules();
}
