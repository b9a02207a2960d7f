// socket.js: the desk protocol's client. It reconnects by itself with
// backoff (0.5 s doubling to 15 s, with jitter) and, on every (re)connect,
// the server sends "hello" then "sync", the full picture to catch up from.
"use strict";

class DeskSocket {
  constructor(handlers, onStatus) {
    this.handlers = handlers;   // type -> function(data)
    this.onStatus = onStatus;   // "connecting" | "online" | "offline"
    this.pending = new Map();   // id -> {resolve, reject}
    this.seq = 0;
    this.backoff = 500;
    this.closed = false;
    this.connect();
  }

  connect() {
    this.onStatus("connecting");
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/agentdesk/ws";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => { this.backoff = 500; this.onStatus("online"); };
    ws.onmessage = ev => this.receive(JSON.parse(ev.data));
    ws.onclose = ev => {
      this.onStatus("offline");
      for (const p of this.pending.values()) p.reject({ code: "unavailable", message: t("conn.offline"), temporary: true });
      this.pending.clear();
      if (this.closed) return;
      // 4001: the session ended (signed out elsewhere, expired, deactivated):
      // reconnecting cannot help; the reload shows the sign-in form.
      if (ev.code === 4001) { this.closed = true; location.reload(); return; }
      const wait = this.backoff * (0.75 + Math.random() / 2);
      this.backoff = Math.min(this.backoff * 2, 15000);
      setTimeout(() => this.connect(), wait);
    };
  }

  receive(f) {
    if (f.re && this.pending.has(f.re)) {
      const p = this.pending.get(f.re);
      this.pending.delete(f.re);
      if (f.type === "error") p.reject(f.error); else p.resolve(f.data);
      return;
    }
    const h = this.handlers[f.type];
    if (h) h(f.type === "error" ? f.error : f.data);
  }

  // request sends one frame and resolves with the reply's data, or rejects
  // with the error {code, message, temporary}.
  request(type, data) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        reject({ code: "unavailable", message: t("conn.offline"), temporary: true });
        return;
      }
      const id = "c" + (++this.seq);
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ v: 1, id, type, data: data || {} }));
    });
  }

  close() { this.closed = true; if (this.ws) this.ws.close(); }
}

// errText is what a failed request shows to the user: the page's own
// words for the error's code, in the page language; the server's message
// (English) only for a code the page does not know.
function errText(e) {
  if (!e) return t("err.generic");
  if (e.code === "internal") return t("err.internal", { id: e.id || "" });
  if (e.code && has("err." + e.code)) return t("err." + e.code);
  return e.message || t("err.generic");
}

// showConn shows the socket's status in the bar; it is redrawn when the
// language changes.
function showConn(status) {
  const c = document.getElementById("conn");
  c.dataset.status = status;
  c.className = "conn " + status;
  c.textContent = t("conn." + status);
}

// bidiControls are the invisible characters that reorder text around them
// (embeddings, overrides, isolates and marks). In a customer's message or
// name they can make "ecnalab" read as "balance" or flip an amount; the
// desk shows each as a visible ⟨?⟩ instead, so the agent reads what was sent.
const bidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

function plainText(s) {
  return String(s).replace(bidiControls, "\u27E8?\u27E9");
}

// el builds an element: el("div", {class: "x"}, "text", child...). Text is
// always set as text, never parsed as HTML, with bidi controls neutralised.
// Text people wrote (data-free) keeps its own direction inside its element
// (dir=auto, isolated by the style sheet), so Arabic or Hebrew reads right
// without reordering what is around it.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  if (attrs && "data-free" in attrs) e.setAttribute("dir", "auto");
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(plainText(c)));
  }
  return e;
}

function fmtTime(s) {
  if (!s) return "";
  return new Date(s).toLocaleString(locale(), { dateStyle: "short", timeStyle: "short" });
}

// fmtClock is the time of day of s, in the page language.
function fmtClock(s) {
  if (!s) return "";
  return new Date(s).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function fmtDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

// fmtMoney formats an amount in the page language with the currency's
// sign (¥ on a Chinese page, CN¥ on an English one).
function fmtMoney(v, cur) {
  return Number(v || 0).toLocaleString(locale(), { style: "currency", currency: cur || "CNY" });
}

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

// toast shows a short message at the bottom of the page.
function toast(msg, bad) {
  const box = document.getElementById("toast");
  box.textContent = msg;
  box.className = "toast show" + (bad ? " bad" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.className = "toast"; box.textContent = ""; }, 4000);
}

let loginError = null; // the last refused sign-in, worded again when the language changes

function showLoginError() {
  if (!loginError) return;
  const e = loginError;
  document.getElementById("login-error").textContent = t("login.failed") + ": " + (e.code === "unauthorized" ? t("login.wrong") : errText(e));
}

// startPage runs the sign-in form until there is a session, then start(me).
async function startPage(start) {
  applyI18n();
  document.getElementById("lang").addEventListener("click", () => setLang(LANG === "zh" ? "en" : "zh"));
  document.addEventListener("langchange", () => {
    const c = document.getElementById("conn");
    if (c.dataset.status) showConn(c.dataset.status);
    // What was said in the other language is not left on the page.
    document.getElementById("toast").textContent = "";
    document.getElementById("announce").textContent = "";
  });
  const form = document.getElementById("login");
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    try {
      const r = await api("POST", "/api/v1/login", { username: form.username.value, password: form.password.value });
      form.closest(".login").hidden = true;
      start(r.agent);
    } catch (e) { loginError = e; showLoginError(); }
  });
  document.addEventListener("langchange", showLoginError);
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("POST", "/api/v1/logout"); } catch (e) { /* already signed out */ }
    location.reload();
  });
  try {
    const me = await api("GET", "/api/v1/me");
    start(me);
  } catch (e) { form.closest(".login").hidden = false; form.username.focus(); }
}

// queueOptions lists the queues of a "directory" answer for a picker, by
// their titles in the page language, with how many wait in each.
function queueOptions(dir) {
  return [el("option", { value: "" }, t("pick.queue"))].concat((dir ? dir.queues : []).map(q =>
    el("option", { value: q.name }, queueName(q.name) + (q.waiting ? " · " + t("pick.waiting", { n: q.waiting }) : ""))));
}

// canTake says whether a directory agent has room for one more
// interaction of channel now.
function canTake(a, channel) { return !!(a.free && a.free[channel]); }

// agentOptions lists the agents of a "directory" answer (but skip, the
// agent asking) for a picker: those who can take an interaction of channel
// first, each with their state and, for supervisors, their load.
function agentOptions(dir, channel, skip) {
  const list = (dir ? dir.agents : []).filter(a => a.id !== skip)
    .sort((a, b) => canTake(b, channel) - canTake(a, channel) || a.name.localeCompare(b.name));
  return [el("option", { value: "" }, t("pick.agent"))].concat(list.map(a => {
    let s = (a.name || "#" + a.id) + " · " + t("pick.state." + a.state);
    if (a.state === "break" && a.reason) s += " (" + tcode("break", a.reason) + ")";
    if (a.capacity && a.capacity[channel]) s += " · " + tcode("channel", channel) + " " + ((a.load || {})[channel] || 0) + "/" + a.capacity[channel];
    s += " · " + (canTake(a, channel) ? t("pick.free") : t("pick.full"));
    return el("option", { value: String(a.id), "data-state": a.state, "data-can": canTake(a, channel) ? "yes" : "no" }, s);
  }));
}

// refill replaces a picker's options, keeping the choice while it is
// still offered.
function refill(sel, options) {
  const v = sel.value;
  sel.replaceChildren(...options);
  sel.value = v;
  if (sel.value !== v) sel.value = "";
}
