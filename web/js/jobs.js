// Export jobs: following one until it is done (honouring Retry-After), the list with its status
// filter and "Load more" paging, downloads checked against the job's SHA-256, deletion, and the
// page of one job at /exports/{job_id} (the link in scheduled-report mail).

import { call, get } from "./api.js";
import { announce, clearError, confirmAction, dateTime, el, formatBytes, showError, sleep, statusBadge, typeLabel } from "./ui.js";

const PAGE_SIZE = 10;
const IN_FLIGHT = ["pending", "processing"];

/**
 * Polls a job until it is completed or failed, calling onChange with every answer. Waits as long
 * as the API's Retry-After says (2 s while rendering); a 429 or 503 is waited out the same way.
 */
export async function followJob(jobId, onChange) {
  for (;;) {
    let wait;
    try {
      const { data: job, retryAfter } = await call("GET", `/api/v1/export/jobs/${encodeURIComponent(jobId)}`);
      onChange(job);
      if (!IN_FLIGHT.includes(job.status)) return job;
      wait = retryAfter ?? 2;
    } catch (error) {
      if (error.retryAfter === null || error.retryAfter === undefined) throw error;
      wait = error.retryAfter;
    }
    await sleep(wait * 1000);
  }
}

/**
 * Downloads a completed job: asks for a fresh presigned URL now (they live 5 minutes), fetches the
 * file from storage (the bucket's CORS rule admits this origin), checks its SHA-256 against the
 * job's and only then saves it under its filename.
 */
export async function downloadJob(jobId) {
  const { data: link } = await call("GET", `/api/v1/export/download/${encodeURIComponent(jobId)}`);
  let response;
  try {
    // No Authorization header here: the URL's signature is the credential.
    response = await fetch(link.download_url);
  } catch {
    throw new Error("Could not fetch the file from storage: the network failed or the browser blocked it (CORS).");
  }
  if (!response.ok) throw new Error(`Storage refused the download (HTTP ${response.status}). Try again.`);
  const blob = await response.blob();
  if ((await sha256Hex(blob)) !== link.sha256) {
    throw new Error(`${link.filename} arrived damaged (its SHA-256 does not match the export's) and was not saved. Try again.`);
  }
  saveBlob(blob, link.filename);
  return link;
}

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: revoking right after click() can cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A Download button; errors go to `errorPlace` (an element holding a .form-error). */
export function downloadButton(job, errorPlace, describedBy) {
  return el("button", {
    type: "button",
    "aria-describedby": describedBy,
    onclick: async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      clearError(errorPlace);
      try {
        const link = await downloadJob(job.job_id);
        announce(`Downloaded ${link.filename}. Its SHA-256 checksum matches.`);
      } catch (error) {
        showError(errorPlace, error);
      } finally {
        button.disabled = false;
      }
    },
  }, "Download");
}

/** Deletes a job after asking. Resolves true when it was deleted. */
async function deleteJob(job, errorPlace) {
  const sure = await confirmAction(
    `Delete the ${typeLabel(job.export_type).toLowerCase()} (${job.format.toUpperCase()})? The file is removed for good; the job stays listed as deleted.`,
    "Delete export",
  );
  if (!sure) return false;
  clearError(errorPlace);
  try {
    await call("DELETE", `/api/v1/export/jobs/${encodeURIComponent(job.job_id)}`);
    announce("Export deleted.");
    return true;
  } catch (error) {
    showError(errorPlace, error);
    return false;
  }
}

function deleteButton(job, errorPlace, describedBy, afterDelete) {
  return el("button", {
    type: "button",
    class: "danger",
    "aria-describedby": describedBy,
    onclick: async () => {
      if (await deleteJob(job, errorPlace)) afterDelete();
    },
  }, "Delete");
}

// ---- The list -------------------------------------------------------------------------------

let nextCursor = null;

export function initJobList() {
  document.getElementById("jobs-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    loadJobs();
  });
  document.getElementById("jobs-status").addEventListener("change", () => loadJobs());
  document.getElementById("jobs-more").addEventListener("click", () => loadJobs({ more: true }));
}

/** Loads the first page (or, with more, the next one) of the caller's jobs, newest first. */
export async function loadJobs({ more = false } = {}) {
  const section = document.getElementById("jobs");
  const rows = document.getElementById("jobs-rows");
  const status = document.getElementById("jobs-status").value;
  const query = new URLSearchParams({ limit: PAGE_SIZE });
  if (status) query.set("status", status);
  if (more && nextCursor) query.set("cursor", nextCursor);
  clearError(section);
  section.setAttribute("aria-busy", "true");
  try {
    const page = await get(`/api/v1/export/jobs?${query}`);
    if (!more) rows.replaceChildren();
    rows.append(...page.items.map((job) => jobRow(job, section)));
    nextCursor = page.next_cursor ?? null;
    document.getElementById("jobs-more").hidden = !nextCursor;
    document.getElementById("jobs-empty").hidden = rows.children.length > 0;
  } catch (error) {
    showError(section, error);
  } finally {
    section.removeAttribute("aria-busy");
  }
}

function jobRow(job, section) {
  const nameId = `job-name-${job.job_id}`;
  return el("tr", { "data-job-id": job.job_id },
    el("th", { scope: "row" },
      el("a", { href: `/exports/${job.job_id}`, id: nameId }, `${typeLabel(job.export_type)} · ${job.format.toUpperCase()}`),
      job.schedule_id ? el("span", { class: "tag" }, "scheduled") : null,
      el("span", { class: "id" }, `Patient ${job.patient_id}`)),
    el("td", {}, statusBadge(job.status)),
    el("td", {}, dateTime(job.created_at)),
    el("td", {}, dateTime(job.expires_at)),
    el("td", { class: "actions" },
      job.status === "completed" ? downloadButton(job, section, nameId) : null,
      job.status !== "deleted" ? deleteButton(job, section, nameId, () => loadJobs()) : null));
}

// ---- One job's page: /exports/{job_id} -------------------------------------------------------

export async function showJobPage(jobId) {
  const page = document.getElementById("job-page");
  page.hidden = false;
  document.title = "Export · Practice exports";
  clearError(page);
  try {
    const job = await get(`/api/v1/export/jobs/${encodeURIComponent(jobId)}`);
    renderJob(job);
    if (IN_FLIGHT.includes(job.status)) {
      const done = await followJob(jobId, renderJob);
      announce(`The export is ${done.status}.`);
    }
  } catch (error) {
    document.getElementById("job-title").textContent = "Export not found";
    showError(page, error);
  }
}

function renderJob(job) {
  const page = document.getElementById("job-page");
  const title = `${typeLabel(job.export_type)} · ${job.format.toUpperCase()}`;
  document.getElementById("job-title").textContent = title;
  document.title = `${title} · Practice exports`;
  const facts = [
    ["Status", statusBadge(job.status)],
    ["Patient", el("span", { class: "id" }, job.patient_id)],
    ["Requested", dateTime(job.created_at)],
    ["Completed", dateTime(job.completed_at)],
    ["Available until", dateTime(job.expires_at)],
  ];
  if (job.file) {
    facts.push(["File", `${job.file.filename} (${formatBytes(job.file.size_bytes)})`]);
    facts.push(["SHA-256", el("span", { class: "id" }, job.file.sha256)]);
  }
  if (job.error) facts.push(["Error", `${job.error.message} (${job.error.code})`]);
  // What the file could not show as the record has it (e.g. characters no font can draw).
  for (const warning of job.warnings ?? []) facts.push(["Warning", `${warning.message} (${warning.code})`]);
  if (job.schedule_id) facts.push(["Scheduled report", el("span", { class: "id" }, job.schedule_id)]);
  facts.push(["Job id", el("span", { class: "id" }, job.job_id)]);
  document.getElementById("job-facts").replaceChildren(
    ...facts.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  const actions = document.getElementById("job-actions");
  const buttons = [];
  if (IN_FLIGHT.includes(job.status)) buttons.push(el("progress", { "aria-label": "Rendering the export" }));
  if (job.status === "completed") buttons.push(downloadButton(job, page, "job-title"));
  if (job.status !== "deleted") {
    const reload = async () => renderJob(await get(`/api/v1/export/jobs/${encodeURIComponent(job.job_id)}`));
    buttons.push(deleteButton(job, page, "job-title", reload));
  }
  actions.replaceChildren(...buttons);
}
