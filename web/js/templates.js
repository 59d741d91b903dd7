// Export templates: the list (built-in ones first, read-only), and one form that creates a
// template (POST) or, after "Edit", replaces one (PUT: every field is sent, since PUT is not a
// merge). Other features read the list through currentTemplates() and hear "templates-changed".

import { call, getAll } from "./api.js";
import { SECTIONS, announce, clearError, confirmAction, el, humanize, showError, typeLabel, whileBusy } from "./ui.js";

let templates = [];
let editing = null; // the template being edited, or null while the form creates one

export function currentTemplates() {
  return templates;
}

const form = () => document.getElementById("template-form");

export function initTemplates() {
  const f = form();
  f.elements.export_type.addEventListener("change", () => showSections());
  f.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(f, save);
  });
  document.getElementById("template-cancel").addEventListener("click", () => startCreating());
  showSections();
}

export async function loadTemplates() {
  const section = document.getElementById("templates");
  clearError(section.querySelector(".list"));
  try {
    templates = await getAll("/api/v1/export/templates?limit=100");
  } catch (error) {
    showError(section.querySelector(".list"), error);
    return;
  }
  document.getElementById("template-rows").replaceChildren(...templates.map(templateRow));
  document.dispatchEvent(new CustomEvent("templates-changed"));
}

function templateRow(t) {
  const nameId = `template-name-${t.template_id}`;
  const list = document.querySelector("#templates .list");
  return el("tr", { "data-template-id": t.template_id },
    el("th", { scope: "row", id: nameId }, t.name, t.built_in ? el("span", { class: "tag" }, "built-in") : null),
    el("td", {}, typeLabel(t.export_type)),
    el("td", {}, t.default_format.toUpperCase()),
    el("td", {}, t.include_sections ? t.include_sections.map(humanize).join(", ") : "All"),
    el("td", { class: "actions" },
      t.built_in ? null : el("button", { type: "button", "aria-describedby": nameId, onclick: () => startEditing(t.template_id) }, "Edit"),
      t.built_in ? null : el("button", { type: "button", class: "danger", "aria-describedby": nameId, onclick: () => remove(t, list) }, "Delete")));
}

/** The section checkboxes of the chosen type, ticked as given (all when none are given). */
function showSections(ticked = null) {
  const f = form();
  const names = SECTIONS[f.elements.export_type.value];
  document.getElementById("template-sections-group").hidden = names.length === 0;
  document.getElementById("template-sections").replaceChildren(
    ...names.map((name) =>
      el("label", { class: "check" },
        el("input", { type: "checkbox", name: "include_sections", value: name, checked: !ticked || ticked.includes(name) }),
        humanize(name))));
}

function startCreating() {
  const f = form();
  editing = null;
  f.reset();
  clearError(f);
  f.elements.export_type.disabled = false;
  showSections();
  document.getElementById("template-form-title").textContent = "New template";
  document.getElementById("template-save").textContent = "Create template";
  document.getElementById("template-cancel").hidden = true;
}

async function startEditing(templateId) {
  const f = form();
  clearError(f);
  let t;
  try {
    // The list leaves the body out; one template's GET has it.
    ({ data: t } = await call("GET", `/api/v1/export/templates/${templateId}`));
  } catch (error) {
    showError(f, error);
    return;
  }
  editing = t;
  for (const name of ["name", "export_type", "default_format", "title", "header_text", "footer_text", "page_size", "body"]) {
    f.elements[name].value = t[name] ?? "";
  }
  f.elements.export_type.disabled = true; // a template's export type never changes
  showSections(t.include_sections);
  document.getElementById("template-form-title").textContent = `Edit “${t.name}”`;
  document.getElementById("template-save").textContent = "Save changes";
  document.getElementById("template-cancel").hidden = false;
  f.elements.name.focus();
}

/** The body of POST and PUT: every field of the form; empty text fields are left out (null). */
function templateBody(f) {
  const body = {
    name: f.elements.name.value,
    export_type: f.elements.export_type.value,
    default_format: f.elements.default_format.value,
    page_size: f.elements.page_size.value,
  };
  for (const name of ["title", "header_text", "footer_text", "body"]) {
    if (f.elements[name].value.trim()) body[name] = f.elements[name].value;
  }
  const names = SECTIONS[body.export_type];
  const ticked = [...f.querySelectorAll("input[name=include_sections]:checked")].map((box) => box.value);
  if (names.length && ticked.length < names.length) body.include_sections = ticked; // all ticked: omit = all
  return body;
}

async function save() {
  const f = form();
  clearError(f);
  const body = templateBody(f);
  try {
    if (editing) await call("PUT", `/api/v1/export/templates/${editing.template_id}`, { body });
    else await call("POST", "/api/v1/export/templates", { body });
  } catch (error) {
    showError(f, error);
    return;
  }
  announce(editing ? `Template “${body.name}” saved.` : `Template “${body.name}” created.`);
  startCreating();
  await loadTemplates();
}

async function remove(t, list) {
  if (!(await confirmAction(`Delete the template “${t.name}”? Exports already made with it are kept.`, "Delete template"))) return;
  clearError(list);
  try {
    await call("DELETE", `/api/v1/export/templates/${t.template_id}`);
  } catch (error) {
    showError(list, error); // e.g. 409 template_in_use names the scheduled report that uses it
    return;
  }
  if (editing?.template_id === t.template_id) startCreating();
  announce(`Template “${t.name}” deleted.`);
  await loadTemplates();
}
