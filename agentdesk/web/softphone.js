// softphone.js: the agent's voice in the browser through the Twilio Voice
// JS SDK, served by the server from vendor/ (no CDN). The server says in
// "hello" whether it is on ("twilio") or whether calls are driven from the
// server only ("server": the simulator's call leg). When the device cannot
// register (no route to Twilio, a refused token) the desk says so and the
// call controls keep working through the server.
"use strict";

const Phone = { mode: "server", device: null, starting: false, state: "off", error: "", calls: new Map(), expect: [], muted: new Set() };

// Every sound the SDK would fetch from Twilio's CDN comes from here instead.
const PHONE_SOUNDS = (() => {
  const names = ["incoming", "outgoing", "disconnect", "dtmfs", "dtmfh"].concat([...Array(10).keys()].map(i => "dtmf" + i));
  return Object.fromEntries(names.map(n => [n, "/agentdesk/sounds/tone.wav"]));
})();

function softphoneStart(mode) {
  Phone.mode = mode === "twilio" ? "twilio" : "server";
  if (Phone.mode !== "twilio" || Phone.device || Phone.starting) { renderPhone(); return; }
  Phone.starting = true;
  setPhone("loading");
  loadScript("/agentdesk/vendor/twilio.min.js")
    .then(() => api("GET", "/agentdesk/voice-token"))
    .then(tok => {
      const dev = new Twilio.Device(tok.token, { sounds: PHONE_SOUNDS, publishEvents: false, closeProtection: true,
        logLevel: "warn", tokenRefreshMs: 60000 });
      Phone.device = dev;
      dev.on("registering", () => setPhone("registering"));
      dev.on("registered", () => setPhone("registered"));
      dev.on("unregistered", () => { if (Phone.state !== "error") setPhone("unregistered"); });
      dev.on("error", e => setPhone("error", e));
      dev.on("incoming", onIncomingCall);
      dev.on("tokenWillExpire", refreshToken);
      setPhone("registering");
      return dev.register();
    })
    .catch(e => setPhone("error", e))
    .finally(() => { Phone.starting = false; });
}

function loadScript(src) {
  if (window.Twilio && window.Twilio.Device) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject({ message: t("phone.load_failed") });
    document.head.append(s);
  });
}

async function refreshToken() {
  try {
    const tok = await api("GET", "/agentdesk/voice-token");
    Phone.device.updateToken(tok.token);
  } catch (e) { setPhone("error", e); }
}

function setPhone(state, err) {
  Phone.state = state;
  Phone.error = err ? (err.message || err.code || String(err)) : "";
  if (state === "error") toast(t("phone.error"), true); // the SDK's English detail is in the badge's tooltip
  renderPhone();
  if (typeof renderCall === "function") renderCall();
}

// softphoneExpect notes that the agent accepted a voice offer: the bridge
// now rings this softphone, and that call is the one to answer.
function softphoneExpect(interactionId) {
  if (Phone.mode === "twilio" && !Phone.expect.includes(interactionId)) Phone.expect.push(interactionId);
}

// onIncomingCall answers the call the bridge places for an accepted offer;
// any other call to the softphone is refused.
function onIncomingCall(call) {
  const id = Phone.expect.shift();
  if (!id) { call.reject(); return; }
  Phone.calls.set(id, call);
  const gone = () => { Phone.calls.delete(id); Phone.muted.delete(id); renderCall(); };
  call.on("disconnect", gone);
  call.on("cancel", gone);
  call.on("error", e => { Phone.error = e.message || String(e.code || ""); toast(t("phone.error"), true); renderPhone(); });
  call.accept();
  renderCall();
}

function softphoneCall(id) { return Phone.calls.get(id) || null; }

function softphoneMute(id) {
  const call = softphoneCall(id);
  if (!call) return;
  const mute = !Phone.muted.has(id);
  call.mute(mute);
  if (mute) Phone.muted.add(id); else Phone.muted.delete(id);
  renderCall();
}

function softphoneHangup(id) {
  const call = softphoneCall(id);
  if (call) call.disconnect();
}

// phoneLeg is what carries the agent's voice now, for the call panel.
function phoneLeg() {
  if (Phone.mode !== "twilio") return t("call.sim");
  if (Phone.state === "registered") return t("phone.leg.sdk");
  return t("phone.leg.fallback");
}

function renderPhone() {
  const box = document.getElementById("phone");
  if (!box) return;
  box.hidden = Phone.mode !== "twilio";
  box.dataset.state = Phone.state;
  box.className = "conn phone " + (Phone.state === "registered" ? "online" : Phone.state === "error" ? "offline" : "");
  box.textContent = t("phone." + Phone.state);
  box.title = Phone.error;
}

document.addEventListener("langchange", renderPhone);
