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
