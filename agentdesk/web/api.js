// api.js: the JSON API's client, and the page's words for any failed
// request. Requests are same-origin with the session cookie; the browser
// adds Origin to each write, and a body goes as JSON: the two things the
// server asks of a write made with the cookie.
"use strict";

// api resolves with the answer's JSON (null for 204 No Content) or throws
// the error {code, message} the server sent, or one made from the status
// when the answer has no JSON (a proxy's).
async function api(method, path, body) {
  const r = await fetch(path, { method, headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined, credentials: "same-origin" });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw (data && data.error) || { code: httpCodes[r.status], message: r.statusText };
  return data;
}

// httpCodes gives an error with no JSON body (a proxy's answer) the code
// errText words in the page language.
const httpCodes = { 400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
  413: "too_large", 429: "too_many_requests", 502: "unavailable", 503: "unavailable", 504: "unavailable" };

// errText is what a failed request shows to the user: the page's own
// words for the error's code, in the page language; the server's message
// (English) only for a code the page does not know.
function errText(e) {
  if (!e) return t("err.generic");
  if (e.code === "internal") return t("err.internal", { id: e.id || "" });
  if (e.code && has("err." + e.code)) return t("err." + e.code);
  return e.message || t("err.generic");
}
