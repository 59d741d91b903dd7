// Start-up and routing. "/" is the dashboard (new export, the job list, templates, scheduled
// reports); "/exports/{job_id}" is one job's page, the link scheduled-report mail carries. The
// server answers every path without a file extension with index.html, so routing is just a look
// at location.pathname.

import { configure, setToken, whenUnauthenticated } from "./api.js";
import { claims, forgetToken, groups, isExpired, saveToken, storedToken, takeTokenFromUrl } from "./auth.js";
import { initExportForm } from "./export-form.js";
import { initJobList, loadJobs, showJobPage } from "./jobs.js";
import { initSchedules, loadSchedules } from "./schedules.js";
import { initTemplates, loadTemplates } from "./templates.js";
import { fillChoices, fillRecentPatients, setUpConfirmDialog } from "./ui.js";

const NOTICE_KEY = "practice-exports.notice";

async function start() {
  setUpConfirmDialog();
  document.getElementById("sign-in-form").addEventListener("submit", signIn);
  document.getElementById("sign-out").addEventListener("click", () => signOut());
  try {
    await configure();
  } catch (error) {
    showFatal(`The app could not load its configuration (${error.message}).`);
    return;
  }
  whenUnauthenticated(() => signOut("Your sign-in is no longer valid (expired, or not accepted by the API). Sign in again."));
  takeTokenFromUrl();

  const token = storedToken();
  const tokenClaims = token ? claims(token) : null;
  if (!tokenClaims || isExpired(tokenClaims)) {
    forgetToken();
    showSignIn(token ? "Your sign-in has expired. Sign in again." : sessionStorage.getItem(NOTICE_KEY));
    sessionStorage.removeItem(NOTICE_KEY);
    return;
  }
  setToken(token);
  showWho(tokenClaims);

  const jobPage = location.pathname.match(/^\/exports\/([^/]+)\/?$/);
  if (jobPage) {
    await showJobPage(decodeURIComponent(jobPage[1]));
  } else {
    await showDashboard();
  }
}

async function showDashboard() {
  document.getElementById("dashboard").hidden = false;
  fillChoices();
  fillRecentPatients();
  initTemplates();
  initExportForm();
  initJobList();
  initSchedules();
  // Templates first: the export and schedule forms offer them, the schedule list names them.
  await loadTemplates();
  await Promise.all([loadJobs(), loadSchedules()]);
  document.getElementById("dashboard").removeAttribute("aria-busy");
}

function showSignIn(notice) {
  document.getElementById("sign-in").hidden = false;
  const box = document.getElementById("sign-in-notice");
  box.textContent = notice ?? "";
  box.hidden = !notice;
  document.getElementById("token").focus();
}

function signIn(event) {
  event.preventDefault();
  const field = document.getElementById("token");
  const error = document.getElementById("sign-in-error");
  const tokenClaims = claims(field.value.trim());
  if (!tokenClaims) {
    error.textContent = "That is not a token: paste the whole JWT (three parts separated by dots).";
  } else if (isExpired(tokenClaims)) {
    error.textContent = "That token has expired. Get a new one.";
  } else {
    saveToken(field.value);
    // Reloading starts the page afresh as the signed-in user, on the same path (a job's page
    // stays that page).
    location.reload();
    return;
  }
  error.hidden = false;
  field.setAttribute("aria-invalid", "true");
  field.focus();
}

/** Forgets the token and reloads, which drops every list and form the user saw. */
function signOut(notice) {
  forgetToken();
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  location.assign(location.pathname);
}

function showWho(tokenClaims) {
  document.getElementById("who").hidden = false;
  document.getElementById("who-sub").textContent = tokenClaims.sub;
  const roles = groups(tokenClaims);
  document.getElementById("who-groups").textContent = roles.length ? `(${roles.join(", ")})` : "";
}

function showFatal(message) {
  const box = document.getElementById("fatal");
  box.textContent = message;
  box.hidden = false;
}

start();
