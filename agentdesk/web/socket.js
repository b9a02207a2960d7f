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

// errText is what a failed request shows to the user.
function errText(e) {
  if (!e) return t("err.generic");
  if (e.code === "internal") return t("err.internal", { id: e.id || "" });
  return e.message || t("err.generic");
}

// el builds an element: el("div", {class: "x"}, "text", child...). Text is
// always set as text, never parsed as HTML.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(inert(String(c))));
  }
  return e;
}

// inert shows bidi embedding, override and isolate controls as U+FFFD: a
// customer's U+202E would otherwise reverse what follows it on screen
// ("txt.exe" for "exe.txt"), in their message and beyond it.
function inert(s) {
  return s.replace(/[\u202A-\u202E\u2066-\u2069]/g, "\uFFFD");
}

function fmtTime(s) {
  if (!s) return "";
  const d = new Date(s);
  return d.toLocaleString(LANG === "zh" ? "zh-CN" : "en-GB", { dateStyle: "short", timeStyle: "short" });
}

function fmtDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function fmtMoney(v, cur) {
  const n = Number(v || 0);
  return n.toLocaleString(LANG === "zh" ? "zh-CN" : "en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + (cur ? " " + cur : "");
}

async function api(method, path, body) {
  const r = await fetch(path, { method, headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined, credentials: "same-origin" });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw (data && data.error) || { message: r.statusText };
  return data;
}

// toast shows a short message at the bottom of the page.
function toast(msg, bad) {
  const box = document.getElementById("toast");
  box.textContent = msg;
  box.className = "toast show" + (bad ? " bad" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.className = "toast"; }, 4000);
}

// startPage runs the sign-in form until there is a session, then start(me).
async function startPage(start) {
  applyI18n();
  document.getElementById("lang").addEventListener("click", () => setLang(LANG === "zh" ? "en" : "zh"));
  const form = document.getElementById("login");
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    try {
      const r = await api("POST", "/api/v1/login", { username: form.username.value, password: form.password.value });
      form.closest(".login").hidden = true;
      start(r.agent);
    } catch (e) { document.getElementById("login-error").textContent = t("login.failed") + ": " + errText(e); }
  });
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("POST", "/api/v1/logout"); } catch (e) { /* already signed out */ }
    location.reload();
  });
  try {
    const me = await api("GET", "/api/v1/me");
    start(me);
  } catch (e) { form.closest(".login").hidden = false; form.username.focus(); }
}
