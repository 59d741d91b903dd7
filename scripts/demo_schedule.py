#!/usr/bin/env python3
"""Shows scheduled reports firing: creates a custom template and two scheduled reports through the
local API (a weekly progress report mailed as a link, a monthly full record mailed as a PDF
attachment), runs one scheduler tick at the time they are due (`exports-local-runner tick --at …`), then
reads the mail SES (moto's or LocalStack's) accepted and saves each message as an .eml file.
Standard library only.

usage: demo_schedule.py --api URL --token TOKEN --manifest FILE --runner BIN --out DIR
                        [--endpoint http://127.0.0.1:4566]
"""
import argparse
import email
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email import policy

from demo_exports import call

TEMPLATE_NAME = "Demo: weekly progress (A4)"
# A custom body: the standard progress report plus a closing section, in the document markup.
TEMPLATE_BODY = """{% include "progress_report.md.tera" %}

## About this report

This report was produced automatically by a **weekly** scheduled report. It covers the sessions
of the period named above; reply to the care team through the practice's usual channels.
"""


def must(status, body, expected, what):
    if status != expected:
        sys.exit(f"{what}: HTTP {status} {json.dumps(body)}")
    return body


def clean(api, token, patients):
    """Removes what an earlier run of this demo left: its schedules, then its template."""
    _, _, listed = call(api, token, "GET", "/api/v1/export/scheduled")
    for s in listed["items"]:
        if s["patient_id"] in patients:
            call(api, token, "DELETE", f"/api/v1/export/scheduled/{s['schedule_id']}")
    _, _, templates = call(api, token, "GET", "/api/v1/export/templates?limit=100")
    for t in templates["items"]:
        if t["name"] == TEMPLATE_NAME and not t["built_in"]:
            call(api, token, "DELETE", f"/api/v1/export/templates/{t['template_id']}")


def is_localstack(endpoint):
    """LocalStack answers GET /_localstack/health with its services; moto does not."""
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + "/_localstack/health", timeout=5) as r:
            return "services" in json.load(r)
    except (urllib.error.URLError, ValueError):
        return False


def sent_messages(endpoint):
    """The raw MIME of every message the emulator's SES accepted, oldest first."""
    if is_localstack(endpoint):
        # LocalStack keeps sent mail at /_aws/ses: {"messages": [{"Id", "Source", "RawData", ...}]}.
        with urllib.request.urlopen(endpoint.rstrip("/") + "/_aws/ses", timeout=60) as r:
            return [m["RawData"] for m in json.load(r)["messages"] if "RawData" in m]
    # moto lists it in /moto-api/data.json under ses -> RawMessage. It answers that with a 500 when
    # some model changes while it serialises them all (see tests/src/sent_mail.rs); nothing else
    # runs during the demo, but a retry costs nothing.
    for attempt in range(10):
        try:
            with urllib.request.urlopen(endpoint.rstrip("/") + "/moto-api/data.json", timeout=60) as r:
                data = json.load(r)
            break
        except urllib.error.HTTPError as e:
            if e.code < 500 or attempt == 9:
                raise
            time.sleep(0.5)
    return [m["raw_data"] for m in data.get("ses", {}).get("RawMessage", [])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--runner", required=True, help="the exports-local-runner binary")
    ap.add_argument("--out", required=True)
    ap.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    args = ap.parse_args()

    therapist = json.load(open(args.manifest))["therapists"][0]
    # Two patients when the therapist has them; one is enough (the schedules' templates differ).
    weekly_patient, monthly_patient = therapist["patients"][0], therapist["patients"][-1]
    api, token = args.api, args.token
    clean(api, token, {weekly_patient["patient_id"], monthly_patient["patient_id"]})

    template = must(*call(api, token, "POST", "/api/v1/export/templates", {
        "name": TEMPLATE_NAME,
        "export_type": "progress_report",
        "default_format": "pdf",
        "title": "Weekly Progress Report",
        "footer_text": "Scheduled report - weekly",
        "page_size": "a4",
        "body": TEMPLATE_BODY,
    })[::2], 201, "create template")
    print(f"template {template['template_id']}: {template['name']}")

    weekly = must(*call(api, token, "POST", "/api/v1/export/scheduled", {
        "patient_id": weekly_patient["patient_id"],
        "template_id": template["template_id"],
        "schedule_type": "weekly", "day_of_week": "monday", "time_of_day": "08:00",
        "timezone": "America/New_York", "delivery": "email_link",
    })[::2], 201, "create weekly schedule")
    monthly = must(*call(api, token, "POST", "/api/v1/export/scheduled", {
        "patient_id": monthly_patient["patient_id"],
        "template_id": "00000000-0000-4000-8000-000000000004",  # built-in: Standard full record
        "schedule_type": "monthly", "day_of_month": 31, "time_of_day": "18:00",
        "timezone": "Europe/London", "delivery": "email_attachment",
    })[::2], 201, "create monthly schedule")
    for s in (weekly, monthly):
        print(f"schedule {s['schedule_id']}: {s['schedule_type']} {s['export_type']} as {s['format']}, "
              f"{s['delivery']}, next run {s['next_run_at']} ({s['time_of_day']} {s['timezone']})")

    at = max(weekly["next_run_at"], monthly["next_run_at"])
    print(f"\nscheduler tick as if it were {at} (EventBridge runs it every 15 minutes):")
    tick = subprocess.run([args.runner, "tick", "--at", at], check=True, capture_output=True, text=True)
    print("  " + tick.stdout.strip())

    os.makedirs(args.out, exist_ok=True)
    messages = sent_messages(args.endpoint)
    failures = 0
    print(f"\n{'schedule':<9} {'status':<8} {'job':<36}  mail")
    for s in (weekly, monthly):
        _, _, view = call(api, token, "GET", f"/api/v1/export/scheduled/{s['schedule_id']}")
        last = view.get("last_run") or {}
        job_id = last.get("job_id") or ""
        saved = ""
        for raw in messages:
            msg = email.message_from_string(raw, policy=policy.default)
            text = msg.get_body(preferencelist=("plain",))
            if job_id and text is not None and job_id in text.get_content():
                path = os.path.join(args.out, f"{s['schedule_type']}-{s['export_type']}-{job_id}.eml")
                with open(path, "w") as f:
                    f.write(raw)
                attached = [p.get_filename() for p in msg.iter_attachments()]
                saved = f"{path}: to {msg['To']}, \"{msg['Subject']}\"" + (
                    f", attached {', '.join(attached)}" if attached else ", link only")
        if last.get("status") != "emailed" or not saved:
            failures += 1
        print(f"{s['schedule_type']:<9} {last.get('status', '-'):<8} {job_id:<36}  {saved or 'no mail found'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
