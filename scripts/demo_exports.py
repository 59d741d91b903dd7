#!/usr/bin/env python3
"""Drives the local API like the web app does: one export of each type in each format for a demo
patient, following each job to completion, downloading the file through its presigned URL and
checking its SHA-256. Prints a table. Standard library only.

usage: demo_exports.py --api URL --token TOKEN --manifest FILE --out DIR [--formats json,csv]
"""
import argparse
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request

TYPES = ["session-notes", "progress-report", "treatment-summary", "full-record"]


def call(api, token, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(api + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("User-Agent", "practice-exports-demo/1")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, dict(resp.headers), (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, dict(e.headers), (json.loads(raw) if raw else None)


def body_for(kind, fmt, patient):
    body = {"patient_id": patient["patient_id"], "format": fmt}
    if kind == "session-notes":
        body["session_ids"] = patient["session_ids"]
    elif kind == "progress-report":
        body["start_date"] = patient["first_session"]
        body["end_date"] = patient["last_session"]
    elif kind == "full-record":
        body["include_psychotherapy_notes"] = True
    return body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--formats", default="json,csv")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()

    manifest = json.load(open(args.manifest))
    therapist = manifest["therapists"][0]
    patient = therapist["patients"][0]
    os.makedirs(args.out, exist_ok=True)
    print(f"therapist {therapist['therapist_id']} exports patient {patient['mrn']} ({patient['patient_id']})")

    rows, failures = [], 0
    for kind in TYPES:
        for fmt in args.formats.split(","):
            started = time.monotonic()
            status, headers, job = call(args.api, args.token, "POST", f"/api/v1/export/{kind}",
                                        body_for(kind, fmt, patient),
                                        {"Idempotency-Key": f"demo-{kind}-{fmt}-{int(time.time())}"})
            if status != 202:
                rows.append((kind, fmt, f"HTTP {status} {job and job.get('error', {}).get('code')}", 0, 0.0, ""))
                print(f"  {kind} {fmt}: refused ({rows[-1][2]})", flush=True)
                failures += 1
                continue
            print(f"  {kind} {fmt}: accepted as job {job['job_id']}, waiting for the renderer", flush=True)
            location = headers.get("Location") or headers.get("location")
            while job["status"] in ("pending", "processing"):
                if time.monotonic() - started > args.timeout:
                    break
                time.sleep(0.2)
                _, _, job = call(args.api, args.token, "GET", location)
            size, filename = 0, ""
            if job["status"] == "completed":
                status, _, dl = call(args.api, args.token, "GET", f"/api/v1/export/download/{job['job_id']}")
                with urllib.request.urlopen(dl["download_url"], timeout=30) as resp:
                    content = resp.read()
                if hashlib.sha256(content).hexdigest() != dl["sha256"] or len(content) != dl["size_bytes"]:
                    job["status"] = "checksum mismatch"
                filename = dl["filename"]
                with open(os.path.join(args.out, filename), "wb") as f:
                    f.write(content)
                size = len(content)
            if job["status"] != "completed":
                failures += 1
            rows.append((kind, fmt, job["status"], size, time.monotonic() - started, filename))
            print(f"  {kind} {fmt}: {job['status']} ({size} bytes, {rows[-1][4]:.2f} s)", flush=True)

    print()
    print(f"{'type':<18} {'format':<6} {'status':<10} {'bytes':>9} {'seconds':>8}  file")
    for kind, fmt, status, size, secs, filename in rows:
        print(f"{kind:<18} {fmt:<6} {status:<10} {size:>9} {secs:>8.2f}  {filename}")
    print(f"\nfiles in {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
