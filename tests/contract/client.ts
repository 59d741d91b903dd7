// A typed client over the types openapi-typescript generates from docs/openapi.yaml, written as a
// web app's developers would write theirs. `tsc --noEmit` compiling it (scripts/contract-check.sh)
// shows that the spec generates usable types: request bodies, path parameters, responses and the
// error body are all typed, and a wrong field or value fails the build.
import type { components, paths } from "./generated/openapi";

type Schemas = components["schemas"];
type Job = Schemas["Job"];
type ApiError = Schemas["Error"]["error"];

/** The JSON body of an operation's request. */
type BodyOf<P extends keyof paths, M extends "post" | "put" | "patch"> = paths[P][M] extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? B
  : never;

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

export function client(baseUrl: string, token: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(baseUrl + path, init);
    if (!r.ok) throw new ApiFailure(r.status, ((await r.json()) as Schemas["Error"]).error);
    return (r.status === 204 ? undefined : await r.json()) as T;
  }
  return {
    exportFullRecord: (body: BodyOf<"/api/v1/export/full-record", "post">) =>
      call<Job>("POST", "/api/v1/export/full-record", body),
    exportProgressReport: (body: BodyOf<"/api/v1/export/progress-report", "post">) =>
      call<Job>("POST", "/api/v1/export/progress-report", body),
    job: (jobId: string) => call<Job>("GET", `/api/v1/export/jobs/${jobId}`),
    jobs: () => call<Schemas["JobList"]>("GET", "/api/v1/export/jobs"),
    download: (jobId: string) => call<Schemas["Download"]>("GET", `/api/v1/export/download/${jobId}`),
    createTemplate: (body: BodyOf<"/api/v1/export/templates", "post">) =>
      call<Schemas["Template"]>("POST", "/api/v1/export/templates", body),
    pauseSchedule: (scheduleId: string) => {
      const change: BodyOf<"/api/v1/export/scheduled/{schedule_id}", "patch"> = { active: false };
      return call<Schemas["Schedule"]>("PATCH", `/api/v1/export/scheduled/${scheduleId}`, change);
    },
  };
}

// What a page does with it; every literal below is checked against the spec's enums.
export async function example(api: ReturnType<typeof client>, patientId: string): Promise<string> {
  const job = await api.exportProgressReport({
    patient_id: patientId,
    format: "pdf",
    start_date: "2026-01-01",
    end_date: "2026-03-31",
    include_sections: ["goals", "mood"],
  });
  const done: Job["status"][] = ["completed", "failed", "expired", "deleted"];
  if (!done.includes(job.status)) return job.status;
  const full = await api.exportFullRecord({ patient_id: patientId, format: "docx", include_psychotherapy_notes: false });
  const d = await api.download(full.job_id);
  try {
    await api.createTemplate({ name: "Quarterly review", export_type: "progress_report", default_format: "pdf" });
  } catch (e) {
    if (e instanceof ApiFailure && e.error.code === "validation_failed") return e.error.field ?? e.error.message;
    throw e;
  }
  return `${d.filename} ${d.sha256} ${d.size_bytes}`;
}
