// The one place that talks to the export API: base URL from /config.json, the bearer token,
// JSON in and out, and the API's error body ({"error": {code, message, field?}}) turned into an
// ApiError. Every call crosses origins, so the API's CORS policy must list this page's origin
// (docs/api.md, "Calling the API from a browser").

let baseUrl = "";
let token = null;
let onUnauthenticated = () => {};
let rejected = false; // the API refused the token

/** Reads where the API is. /config.json is deployed next to index.html (the local runner makes it). */
export async function configure() {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  baseUrl = (await response.json()).apiBaseUrl.replace(/\/+$/, "");
}

export function apiBaseUrl() {
  return baseUrl;
}

export function setToken(value) {
  token = value;
}

/** Called on any 401: the token expired or was never valid. */
export function whenUnauthenticated(callback) {
  onUnauthenticated = callback;
}

/** An error the API answered (status > 0) or a call that never got an answer (status 0). */
export class ApiError extends Error {
  constructor(status, { code, message, field, line, column }, retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field ?? null; // the JSON field, query parameter or header at fault
    this.line = line ?? null; // invalid_template only: where in the body
    this.column = column ?? null;
    this.retryAfter = retryAfter; // seconds, on 429 and 503
  }
}

/**
 * Calls the API. Returns {data, status, retryAfter, headers}; throws ApiError for every non-2xx
 * answer and for network failures. `body` is sent as JSON (the API refuses other types with 415).
 */
export async function call(method, path, { body, headers = {} } = {}) {
  // After a 401 the page is on its way back to the sign-in form: send nothing more.
  if (rejected) throw new ApiError(401, { code: "unauthenticated", message: "Signed out." });
  const init = { method, headers: { ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(baseUrl + path, init);
  } catch {
    // fetch() rejects without details both when the network fails and when CORS blocks the
    // answer; the browser's console says which.
    throw new ApiError(0, {
      code: "network_error",
      message: `Could not reach the API at ${baseUrl}: the network failed or the browser blocked the call (CORS).`,
    });
  }
  // Retry-After is readable across origins because the API exposes it (Access-Control-Expose-Headers).
  const retryAfter = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  const seconds = Number.isNaN(retryAfter) ? null : retryAfter;
  const isJson = (response.headers.get("Content-Type") ?? "").includes("application/json");
  const data = response.status !== 204 && isJson ? await response.json() : null;
  if (!response.ok) {
    if (response.status === 401) {
      rejected = true;
      onUnauthenticated();
    }
    const error = data?.error ?? {
      code: `http_${response.status}`,
      message: `The API answered ${response.status} ${response.statusText}.`,
    };
    throw new ApiError(response.status, error, seconds);
  }
  return { data, status: response.status, retryAfter: seconds, headers: response.headers };
}

/** GET returning just the body. */
export async function get(path) {
  return (await call("GET", path)).data;
}

/** Every item of a paged list (`items` + `next_cursor`), following the cursors. */
export async function getAll(path) {
  const items = [];
  let cursor = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page = await get(cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...page.items);
    cursor = page.next_cursor ?? null;
  } while (cursor);
  return items;
}
