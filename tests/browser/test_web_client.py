"""The reference web client (web/) in a real browser, against the local runner and the
CORS-strict emulator: one therapist's session from signing in to deleting a scheduled report,
driven as a user would (roles and labels), each step checked against what the API then holds.
The tests run in file order and share one page, as one user's visit would.
"""
import hashlib
import os
import re
import subprocess

import pytest
from playwright.sync_api import expect

# What the tests made, for the later ones: {format: job} of the exports requested in the page.
made = {}

# Each export type once, all four formats across them, each with its options.
EXPORTS = [
    # (type label, format label, format, options)
    ("Session notes", "PDF", "pdf", {"dates": True, "untick": ["Mood", "Plan"]}),
    ("Progress report", "Word (DOCX)", "docx", {"dates": True, "untick": ["Demographics"]}),
    ("Treatment summary", "JSON", "json", {"untick": ["Prognosis", "Interventions"]}),
    ("Full record", "CSV", "csv", {"psychotherapy_notes": True}),
]


def export_form(page):
    return page.get_by_role("form", name="New export")


def dashboard_loaded(page):
    """Waits until the dashboard's lists have loaded (navigating away earlier aborts their calls)."""
    expect(page.locator("#dashboard")).to_be_visible()
    expect(page.locator("#dashboard")).not_to_have_attribute("aria-busy", "true")


def job_row(page, job_id):
    return page.locator(f'tr[data-job-id="{job_id}"]')


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_signs_in_from_a_token_link_and_takes_the_token_out_of_the_address(page, env):
    page.goto("about:blank")  # a fresh visit: from the same page, only the #fragment would change
    page.goto(f"{env.web}/#token={env.token}")
    expect(page.get_by_role("banner")).to_contain_text(f"Signed in as {env.therapist} (therapist)")
    expect(page.get_by_role("heading", level=1, name="Exports")).to_be_visible()
    assert "token" not in page.url
    assert page.evaluate("sessionStorage.getItem('practice-exports.token')") == env.token
    dashboard_loaded(page)
    icon = page.request.get(env.web + "/favicon.svg")
    assert (icon.status, icon.headers["content-type"]) == (200, "image/svg+xml")


def test_signs_out_and_in_again_with_a_pasted_token(page, env, problems):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()

    page.get_by_label("Access token").fill("not a token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not a token")

    # A well-formed token the API does not accept (its signature is wrong): back to signing in.
    header, payload, signature = env.token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    with problems.allowing(401):
        page.get_by_label("Access token").fill(forged)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("status").filter(has_text="Sign in again")).to_contain_text(
            "Your sign-in is no longer valid")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()

    page.get_by_label("Access token").fill(env.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text(f"Signed in as {env.therapist}")


def test_shows_the_apis_validation_message_next_to_the_form(page, env, api, problems):
    before = len(api.jobs())
    form = export_form(page)
    form.get_by_label("Export type").select_option(label="Progress report")
    form.get_by_label("Patient id").fill(env.patients()[0]["patient_id"])
    form.get_by_label("Start date").fill("2026-10-20")
    form.get_by_label("End date").fill("2026-10-01")
    with problems.allowing(422):
        form.get_by_role("button", name="Request export").click()
        alert = form.get_by_role("alert")
        expect(alert).to_contain_text("must not be before start_date")
        expect(alert).to_contain_text("field end_date")
    expect(form.get_by_label("End date")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("End date")).to_be_focused()
    assert len(api.jobs()) == before, "a refused request created a job"


@pytest.mark.parametrize("type_label,format_label,fmt,options", EXPORTS, ids=[e[2] for e in EXPORTS])
def test_requests_an_export_and_follows_it_until_ready(page, env, api, type_label, format_label, fmt, options):
    patient = env.patients()[0]
    before = {j["job_id"] for j in api.jobs()}
    form = export_form(page)
    form.get_by_label("Export type").select_option(label=type_label)
    form.get_by_label("Format").select_option(label=format_label)
    form.get_by_label("Patient id").fill(patient["patient_id"])
    if options.get("dates"):
        form.get_by_label("Start date").fill(patient["first_session"])
        form.get_by_label("End date").fill(patient["last_session"])
    for section in options.get("untick", []):
        form.get_by_role("checkbox", name=section).uncheck()
    if options.get("psychotherapy_notes"):
        form.get_by_role("checkbox", name=re.compile("Include psychotherapy notes")).check()

    # A double click sends at most one request per Idempotency-Key: one export, never two.
    form.get_by_role("button", name="Request export").dblclick()
    item = page.locator("#progress li").first
    expect(item).to_contain_text(f"{type_label} · {fmt.upper()}")
    expect(item).to_contain_text("Ready", timeout=60_000)
    expect(item.get_by_role("button", name="Download")).to_be_visible()

    new = [j for j in api.jobs() if j["job_id"] not in before]
    assert len(new) == 1, f"expected one new job, got {len(new)}"
    job = new[0]
    assert item.get_attribute("data-job-id") == job["job_id"]
    assert (job["status"], job["format"], job["patient_id"]) == ("completed", fmt, patient["patient_id"])
    params = job["parameters"]
    if options.get("dates"):
        assert (params["start_date"], params["end_date"]) == (patient["first_session"], patient["last_session"])
    for section in options.get("untick", []):
        assert section.lower() not in params["include_sections"]
    if options.get("psychotherapy_notes"):
        assert params["include_psychotherapy_notes"] is True
    made[fmt] = job


def test_lists_the_jobs_with_status_and_expiry(page, api):
    page.get_by_role("form", name="Filter exports").get_by_role("button", name="Refresh").click()
    for job in made.values():
        row = job_row(page, job["job_id"])
        expect(row).to_contain_text("Completed")
        expect(row.locator("time")).to_have_count(2)  # requested, available until
        expect(row.locator("time").nth(1)).to_have_attribute("datetime", job["expires_at"])


@pytest.mark.parametrize("fmt", ["pdf", "docx", "json", "csv"])
def test_downloads_the_exact_file(page, env, fmt):
    job = made[fmt]
    row = job_row(page, job["job_id"])
    with page.expect_download() as info:
        row.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename == job["file"]["filename"]
    saved = os.path.join(env.out, "downloads", download.suggested_filename)
    download.save_as(saved)
    assert os.path.getsize(saved) == job["file"]["size_bytes"]
    assert sha256(saved) == job["file"]["sha256"]
    expect(page.locator("#announcer")).to_contain_text("SHA-256 checksum matches")


def test_the_dashboard_looks_right(page, env):
    """Screenshots for people: the dashboard with one export of each type (docs/samples/web-client.png)."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.get_by_role("form", name="Filter exports").get_by_role("button", name="Refresh").click()
    expect(page.locator("#jobs-rows tr")).to_have_count(len(made))
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\b(null|undefined)\b"))
    page.screenshot(path=os.path.join(env.out, "web-client.png"))
    page.screenshot(path=os.path.join(env.out, "dashboard-full.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_pages_through_the_job_list(page, env, api):
    # Ten jobs a page: seven more through the API make eleven.
    patient = env.patients()[0]
    for _ in range(7):
        status, body = api.call("POST", "/api/v1/export/treatment-summary",
                                {"patient_id": patient["patient_id"], "format": "json"})
        assert status == 202, body
    jobs = page.get_by_role("region", name="Your exports")
    jobs.get_by_role("button", name="Refresh").click()
    expect(jobs.locator("tbody tr")).to_have_count(10)
    jobs.get_by_role("button", name="Load more").click()
    expect(jobs.locator("tbody tr")).to_have_count(11)
    expect(jobs.get_by_role("button", name="Load more")).to_be_hidden()


def test_deletes_a_job_only_after_confirmation(page, api):
    job = made["json"]
    row = job_row(page, job["job_id"])
    row.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete the treatment summary (JSON)?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert api.get(f"/api/v1/export/jobs/{job['job_id']}")["status"] == "completed"

    row.get_by_role("button", name="Delete").click()
    dialog.get_by_role("button", name="Delete export").click()
    expect(job_row(page, job["job_id"])).to_contain_text("Deleted")
    assert api.get(f"/api/v1/export/jobs/{job['job_id']}")["status"] == "deleted"

    jobs = page.get_by_role("region", name="Your exports")
    jobs.get_by_label("Status").select_option(label="Deleted")
    expect(jobs.locator("tbody tr")).to_have_count(1)
    expect(job_row(page, job["job_id"])).to_be_visible()
    jobs.get_by_label("Status").select_option(label="All")
    expect(jobs.locator("tbody tr")).to_have_count(10)


def template_named(api, name):
    templates = api.get("/api/v1/export/templates?limit=100")["items"]
    return next((t for t in templates if t["name"] == name), None)


def test_creates_a_template(page, api):
    form = page.get_by_role("form", name="New template")
    form.get_by_label("Name").fill("Quarterly review")
    form.get_by_label("Export type").select_option(label="Progress report")
    form.get_by_label("Default format").select_option(label="Word (DOCX)")
    form.get_by_label("Page size").select_option(label="A4")
    form.get_by_role("checkbox", name="Demographics").uncheck()
    form.get_by_label("Title").fill("Quarterly Progress Review")
    form.get_by_role("button", name="Create template").click()
    expect(page.locator("#template-rows")).to_contain_text("Quarterly review")
    expect(page.locator("#announcer")).to_contain_text("Template “Quarterly review” created.")

    t = template_named(api, "Quarterly review")
    assert (t["export_type"], t["default_format"], t["page_size"], t["title"]) == \
        ("progress_report", "docx", "a4", "Quarterly Progress Review")
    assert t["include_sections"] == ["goals", "attendance", "topics", "mood", "assessments"]
    # The export form offers it for progress reports.
    export = export_form(page)
    export.get_by_label("Export type").select_option(label="Progress report")
    expect(export.get_by_label("Template").locator("option", has_text="Quarterly review")).to_have_count(1)


def test_edits_a_template_with_put_and_shows_where_a_body_is_wrong(page, api, problems):
    before = template_named(api, "Quarterly review")
    row = page.locator(f'tr[data-template-id="{before["template_id"]}"]')
    row.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit “Quarterly review”")
    expect(form.get_by_label("Name")).to_be_focused()
    expect(form.get_by_label("Title")).to_have_value("Quarterly Progress Review")
    expect(form.get_by_label("Export type")).to_be_disabled()

    form.get_by_label("Custom body").fill("{% if report %}\n# Unclosed")
    with problems.allowing(422):
        form.get_by_role("button", name="Save changes").click()
        expect(form.get_by_role("alert")).to_contain_text("is never closed")
        expect(form.get_by_role("alert")).to_contain_text("field body, line 1, column 1")

    form.get_by_label("Custom body").fill("")
    form.get_by_label("Name").fill("Quarterly review (A4)")
    form.get_by_label("Footer text").fill("Prepared for the care team")
    form.get_by_role("button", name="Save changes").click()
    expect(row.get_by_role("rowheader")).to_have_text("Quarterly review (A4)")
    expect(page.get_by_role("form", name="New template")).to_be_visible()

    after = api.get(f"/api/v1/export/templates/{before['template_id']}")
    assert after["name"] == "Quarterly review (A4)"
    assert after["footer_text"] == "Prepared for the care team"
    assert after["title"] == "Quarterly Progress Review"  # PUT sends every field, not just the changed ones
    assert after["updated_at"] > before["updated_at"]


def test_creates_pauses_and_resumes_a_scheduled_report(page, env, api):
    patient = env.patients()[-1]
    form = page.get_by_role("form", name="New scheduled report")
    form.get_by_label("Patient id").fill(patient["patient_id"])
    form.get_by_label("Export type").select_option(label="Progress report")
    form.get_by_label("Template").select_option(label="Quarterly review (A4)")
    form.get_by_label("Format").select_option(label="The template's default")
    form.get_by_label("Repeats").select_option(label="Weekly")
    form.get_by_label("Day of the week").select_option(label="Monday")
    form.get_by_label("Time", exact=True).fill("07:30")
    form.get_by_label("Time zone").fill("Europe/London")
    form.get_by_label("Delivery").select_option(label="Email with the file attached")
    form.get_by_role("button", name="Create scheduled report").click()

    rows = page.locator("#schedule-rows tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Weekly on Monday at 07:30 (Europe/London)")
    expect(rows).to_contain_text("Active")
    [schedule] = api.get("/api/v1/export/scheduled")["items"]
    assert (schedule["format"], schedule["delivery"], schedule["active"]) == ("docx", "email_attachment", True)
    expect(rows.locator("time")).to_have_attribute("datetime", schedule["next_run_at"])

    rows.get_by_role("button", name="Pause").click()
    expect(rows).to_contain_text("Paused")
    paused = api.get(f"/api/v1/export/scheduled/{schedule['schedule_id']}")
    assert (paused["active"], paused["next_run_at"]) == (False, None)

    rows.get_by_role("button", name="Resume").click()
    expect(rows).to_contain_text("Active")
    resumed = api.get(f"/api/v1/export/scheduled/{schedule['schedule_id']}")
    assert resumed["active"] is True

    # One scheduler tick at its time (what EventBridge triggers): the run's export is an ordinary
    # job, and its page is the one the mail links to.
    tick = subprocess.run([env.runner, "tick", "--at", resumed["next_run_at"]],
                          capture_output=True, text=True, timeout=120)
    assert tick.returncode == 0 and '"failed":0' in tick.stdout, tick.stdout + tick.stderr
    # The tick runs every due scheduled report of the deployment (seed-demo's own weekly one may
    # be due by then too, depending on the day and hour): check that ours was mailed.
    ran = api.get(f"/api/v1/export/scheduled/{schedule['schedule_id']}")
    assert ran["last_run"]["status"] == "emailed", ran
    assert ran["last_run"]["period_at"] == resumed["next_run_at"], ran
    page.reload()
    dashboard_loaded(page)
    rows.get_by_role("link", name="Emailed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress report · DOCX")
    expect(page.locator("#job-facts")).to_contain_text(schedule["schedule_id"])
    expect(page.get_by_role("button", name="Download")).to_be_visible()
    page.go_back()
    dashboard_loaded(page)
    expect(rows).to_have_count(1)


def test_a_template_in_use_cannot_be_deleted_until_its_schedule_is(page, api, problems):
    t = template_named(api, "Quarterly review (A4)")
    row = page.locator(f'tr[data-template-id="{t["template_id"]}"]')
    with problems.allowing(409):
        row.get_by_role("button", name="Delete").click()
        page.get_by_role("dialog").get_by_role("button", name="Delete template").click()
        expect(page.get_by_role("region", name="Templates").get_by_role("alert")).to_contain_text("scheduled report")
    assert api.call("GET", f"/api/v1/export/templates/{t['template_id']}")[0] == 200

    schedule_row = page.locator("#schedule-rows tr")
    schedule_row.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete scheduled report").click()
    expect(schedule_row).to_have_count(0)
    expect(page.get_by_text("No scheduled reports yet.")).to_be_visible()
    assert api.get("/api/v1/export/scheduled")["items"] == []

    row.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete template").click()
    expect(row).to_have_count(0)
    assert api.call("GET", f"/api/v1/export/templates/{t['template_id']}")[0] == 404


def test_the_mail_link_opens_the_jobs_page_after_sign_in(context, env, problems):
    """The scheduled-report mail links to {APP_BASE_URL}/exports/{job_id}; a new tab has no token."""
    job = made["docx"]
    page = context.new_page()
    page.goto(f"{env.web}/exports/{job['job_id']}")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    page.get_by_label("Access token").fill(env.token)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Progress report · DOCX")
    assert page.url == f"{env.web}/exports/{job['job_id']}"
    facts = page.locator("#job-facts")
    expect(facts).to_contain_text("Completed")
    expect(facts).to_contain_text(job["file"]["filename"])
    expect(facts).to_contain_text(job["file"]["sha256"])
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    saved = os.path.join(env.out, "downloads", "from-job-page-" + info.value.suggested_filename)
    info.value.save_as(saved)
    assert sha256(saved) == job["file"]["sha256"]
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\b(null|undefined)\b"))
    page.screenshot(path=os.path.join(env.out, "job-page.png"))

    with problems.allowing(404):
        page.goto(f"{env.web}/exports/00000000-0000-4000-8000-00000000dead")
        expect(page.get_by_role("heading", level=1)).to_have_text("Export not found")
        expect(page.get_by_role("alert")).to_contain_text("no such job")
    page.close()


def test_works_by_keyboard_and_at_320_pixels(page, env):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(env.web + "/")
    dashboard_loaded(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the page scrolls sideways at 320 px"

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # From the top of the content, the keyboard reaches the export form's first field.
    page.keyboard.press("Tab")
    expect(export_form(page).get_by_label("Export type")).to_be_focused()
    page.screenshot(path=os.path.join(env.out, "narrow.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
