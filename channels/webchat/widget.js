// Switchboard web chat widget. Embed with:
//   <script src="https://bank.example/channels/chat/widget.js" data-token="…optional signed-in token…" defer></script>
// It keeps the conversation across reloads and reconnects: messages are
// resent with the same client id until acknowledged, and a reconnect asks
// for what was missed since the last message seen.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src);
  var wsURL = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/channels/chat/ws";
  var store = window.sessionStorage;
  var state = { resume: store.getItem("sb.resume") || "", lastSeen: +(store.getItem("sb.lastSeen") || 0), pending: {}, seq: 0 };
  var ws, retry = 0, typingSent = 0;

  var box = document.createElement("div");
  box.style.cssText = "position:fixed;bottom:16px;right:16px;width:320px;font:14px sans-serif;background:#fff;border:1px solid #ccc;border-radius:8px;box-shadow:0 2px 12px rgba(0,0,0,.2);z-index:2147483647";
  box.innerHTML = '<div style="padding:8px;background:#0b5;color:#fff;border-radius:8px 8px 0 0">在线客服 Chat with us</div>' +
    '<div data-log style="height:260px;overflow:auto;padding:8px"></div>' +
    '<div data-typing style="height:16px;padding:0 8px;color:#888;font-size:12px"></div>' +
    '<form style="display:flex;border-top:1px solid #eee"><input data-in style="flex:1;border:0;padding:8px" maxlength="2000" placeholder="…"><button style="border:0;background:#0b5;color:#fff;padding:0 12px">发送</button></form>';
  var log = box.querySelector("[data-log]"), input = box.querySelector("[data-in]"), typingEl = box.querySelector("[data-typing]");

  function show(who, text) {
    var p = document.createElement("div");
    p.style.margin = "4px 0";
    p.style.textAlign = who === "me" ? "right" : "left";
    p.textContent = text; // never innerHTML: messages are untrusted
    log.appendChild(p);
    log.scrollTop = log.scrollHeight;
  }
  function seen(m) {
    if (m && m.id > state.lastSeen) { state.lastSeen = m.id; store.setItem("sb.lastSeen", String(m.id)); }
  }
  function send(f) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(f)); }

  function hello() {
    if (state.resume) return send({ type: "hello", resume: state.resume, last_seen: state.lastSeen });
    var token = script.getAttribute("data-token");
    if (token) return send({ type: "hello", token: token });
    var name = store.getItem("sb.name") || window.prompt("您的称呼 / Your name") || "Guest";
    var phone = store.getItem("sb.phone") || window.prompt("手机号（可选）/ Mobile (optional)") || "";
    store.setItem("sb.name", name); store.setItem("sb.phone", phone);
    send({ type: "hello", name: name, phone: phone, language: navigator.language.indexOf("zh") === 0 ? "zh" : "en" });
  }

  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        if (f.resume) { state.resume = f.resume; store.setItem("sb.resume", f.resume); }
        (f.messages || []).forEach(function (m) { seen(m); if (!state.pending[m.client_msg_id]) show(m.direction === "inbound" ? "me" : "agent", m.body); });
        Object.keys(state.pending).forEach(function (id) { send(state.pending[id]); });
        break;
      case "ack": delete state.pending[f.client_msg_id]; seen(f.message); break;
      case "message": seen(f.message); show("agent", f.message.body); break;
      case "typing": typingEl.textContent = f.typing ? "…" : ""; break;
      case "agent_joined": show("sys", (f.name || "Agent") + " 已接入 joined"); break;
      case "offer_sms":
        if (window.confirm(f.text)) send({ type: "sms", accept: true });
        break;
      case "closed": show("sys", "会话已结束 The chat has ended."); store.removeItem("sb.resume"); state.resume = ""; break;
      case "error": show("sys", f.error.message); break;
    }
  }

  function connect() {
    ws = new WebSocket(wsURL);
    ws.onopen = function () { retry = 0; hello(); };
    ws.onmessage = function (e) { try { onFrame(JSON.parse(e.data)); } catch (err) {} };
    ws.onclose = function () { setTimeout(connect, Math.min(30000, 500 * Math.pow(2, retry++))); };
  }

  box.querySelector("form").onsubmit = function (e) {
    e.preventDefault();
    var body = input.value.trim();
    if (!body) return;
    var f = { type: "message", client_msg_id: "m" + Date.now().toString(36) + "-" + (state.seq++), body: body };
    state.pending[f.client_msg_id] = f;
    show("me", body);
    send(f);
    input.value = "";
  };
  input.oninput = function () {
    var now = Date.now();
    if (now - typingSent > 2000) { typingSent = now; send({ type: "typing", typing: true }); }
  };
  document.body.appendChild(box);
  connect();
})();
