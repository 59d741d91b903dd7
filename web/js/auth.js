// The signed-in user's token. Kept in sessionStorage (gone when the tab closes, never sent
// anywhere but the API's Authorization header). A link may carry it as #token=<jwt> (what
// scripts/demo.sh prints); it is taken out of the address bar at once so it does not stay in
// the history or get copied along with the URL.

const KEY = "practice-exports.token";

/** Moves a #token=… from the URL into storage. Returns true when there was one. */
export function takeTokenFromUrl() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (!token) return false;
  saveToken(token);
  history.replaceState(null, "", location.pathname + location.search);
  return true;
}

export function saveToken(token) {
  sessionStorage.setItem(KEY, token.trim());
}

export function storedToken() {
  return sessionStorage.getItem(KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

/**
 * The token's claims, for display only: the API (API Gateway's authorizer in production) is what
 * checks the signature. Returns null when the text is not a JWT.
 */
export function claims(token) {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** Roles as the token states them (`cognito:groups`). */
export function groups(tokenClaims) {
  const value = tokenClaims["cognito:groups"] ?? [];
  return Array.isArray(value) ? value : String(value).split(/[\s,]+/).filter(Boolean);
}

export function isExpired(tokenClaims) {
  return typeof tokenClaims.exp === "number" && tokenClaims.exp * 1000 <= Date.now();
}
