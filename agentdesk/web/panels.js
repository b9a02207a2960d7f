// panels.js: the conversation, call controls, transfer and wrap-up panels
// of the selected interaction.
"use strict";

// renderConversation builds the panel once per conversation, state and
// language; a message or typing event only refills the list, so the reply
// being typed keeps its text, focus and caret.
function renderConversation() {
  const box = document.getElementById("conversation");
  const it = current();
  const key = it ? [it.interaction.id, it.interaction.state, it.interaction.channel, LANG].join(":") : "none:" + LANG;
  if (box.dataset.key === key) { if (it) fillMessages(it); return; }
  box.dataset.key = key;
  box.replaceChildren(el("h2", {}, t("conv.title")));
  if (!it || it.interaction.channel === "voice") { box.hidden = !it ? false : true; if (!it) box.append(el("p", { class: "empty" }, t("work.none"))); return; }
  box.hidden = false;
  const id = it.interaction.id;
  const connected = it.interaction.state === "connected";
  const input = draft("input", { id: "reply", placeholder: t("conv.placeholder"), "aria-label": t("conv.reply_label"), disabled: !connected }, "reply:" + id);
  let typingSent = 0;
  input.addEventListener("input", () => {
    if (Date.now() - typingSent > 3000) { typingSent = Date.now(); S.sock.request("typing", { interaction_id: id, typing: true }).catch(() => {}); }
  });
  const send = async ev => {
    ev.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    const client_msg_id = "m" + Date.now() + Math.random().toString(36).slice(2, 8);
    try {
      const m = await S.sock.request("send", { interaction_id: id, body, client_msg_id });
      if (input.value.trim() === body) { input.value = ""; S.drafts.delete("reply:" + id); }
      onMessage({ interaction_id: id, message: m });
    } catch (e) { toast(errText(e), true); }
  };
  box.append(el("div", { class: "msgs", id: "msgs" }), el("div", { class: "typing", id: "typing" }),
    el("form", { class: "compose", onsubmit: send }, input, el("button", { class: "primary", id: "send", disabled: !connected }, t("conv.send"))),
    connected ? el("p", {}, el("button", { class: "bad", id: "end", onclick: () => endConversation(it) }, t("conv.end"))) : ""); // append would write a null as "null"
  fillMessages(it);
}

// fillMessages redraws the message list and the typing line, and follows
// the newest message unless the agent has scrolled up to read.
function fillMessages(it) {
  const msgs = document.getElementById("msgs");
  if (!msgs) return;
  const follow = !msgs.childElementCount || msgs.scrollTop + msgs.clientHeight >= msgs.scrollHeight - 8;
  const list = it.pop ? it.pop.messages : [];
  msgs.replaceChildren();
  if (!list.length) msgs.append(el("p", { class: "empty" }, t("conv.none")));
  for (const m of list) msgs.append(el("div", { class: "msg " + m.direction, "data-id": m.id }, el("span", { "data-free": "" }, m.body),
    el("small", {}, fmtTime(m.at) + (m.status ? " · " + tcode("msg", m.status) : ""))));
  document.getElementById("typing").textContent = S.typing.has(it.interaction.id) ? t("conv.typing") : "";
  if (follow) msgs.scrollTop = msgs.scrollHeight;
}

async function endConversation(it) {
  try { await S.sock.request("end", { interaction_id: it.interaction.id }); it.interaction.state = "wrapup"; render(); } catch (e) { toast(errText(e), true); }
}

function renderCall() {
  const box = document.getElementById("call");
  const it = current();
  if (!it || it.interaction.channel !== "voice" || !["connected", "held"].includes(it.interaction.state)) { box.hidden = true; return; }
  box.hidden = false;
  const held = it.call === "held";
  const toggle = async () => {
    try { const r = await S.sock.request(held ? "resume" : "hold", { interaction_id: it.interaction.id }); it.call = r.state; renderCall(); } catch (e) { toast(errText(e), true); }
  };
  const id = it.interaction.id;
  const sdk = softphoneCall(id);
  const hangup = () => { softphoneHangup(id); endConversation(it); };
  box.replaceChildren(el("h2", {}, t("call.title")),
    el("p", {}, el("span", { class: "chip " + (held ? "warn" : "ok") }, held ? t("call.held") : t("call.connected")), " ",
      el("span", { class: "empty", id: "call-leg" }, sdk ? t("phone.leg.sdk") : phoneLeg())),
    el("div", { class: "row2" },
      el("button", { onclick: toggle, id: "hold" }, held ? t("call.resume") : t("call.hold")),
      sdk ? el("button", { onclick: () => softphoneMute(id), id: "mute" }, Phone.muted.has(id) ? t("phone.unmute") : t("phone.mute")) : null,
      el("button", { class: "bad", id: "hangup", onclick: hangup }, t("call.hangup"))));
}

function renderTransfer() {
  const box = document.getElementById("transfer");
  const it = current();
  if (!it || it.interaction.state !== "connected") { box.hidden = true; return; }
  box.hidden = false;
  const id = it.interaction.id, channel = it.interaction.channel;
  const queue = draft("select", { name: "queue", id: "transfer-queue" }, "tqueue:" + id, null, queueOptions(S.directory));
  const agent = draft("select", { name: "agent", id: "transfer-agent" }, "tagent:" + id, null, agentOptions(S.directory, channel, S.me && S.me.id));
  const mode = draft("select", { name: "mode", id: "transfer-mode" }, "tmode:" + id, null,
    el("option", { value: "cold" }, t("transfer.cold")), el("option", { value: "warm" }, t("transfer.warm")));
  const note = draft("textarea", { name: "note", id: "transfer-note" }, "tnote:" + id);
  const submit = async ev => {
    ev.preventDefault();
    if (!agent.value && !queue.value) { toast(t("pick.none"), true); return; }
    const data = { interaction_id: it.interaction.id, mode: mode.value, note: note.value };
    if (agent.value) data.to_agent = Number(agent.value); else data.to_queue = queue.value;
    try { await S.sock.request("transfer", data); S.items.delete(it.interaction.id); toast(t("transfer.done")); render(); } catch (e) { toast(errText(e), true); }
  };
  // Opening a picker asks again, so its states are as of now.
  for (const sel of [queue, agent]) sel.addEventListener("focus", () => loadDirectory(true));
  box.replaceChildren(el("h2", {}, t("transfer.title")), el("form", { onsubmit: submit },
    el("div", { class: "row2" }, el("label", {}, t("transfer.queue"), queue), el("label", {}, t("transfer.agent"), agent)),
    el("label", {}, "", mode), el("label", {}, t("transfer.note"), note),
    el("button", { class: "primary" }, t("transfer.submit"))));
  loadDirectory(false);
}

// loadDirectory asks the server where the interaction can go (at most
// every five seconds unless now) and refills the transfer pickers in place,
// so a picker being used keeps its focus and choice.
async function loadDirectory(now) {
  if (S.directoryBusy || (!now && S.directoryAt && Date.now() - S.directoryAt < 5000)) return;
  S.directoryBusy = true;
  try {
    S.directory = await S.sock.request("directory", {});
    S.directoryAt = Date.now();
  } catch (e) { return; } finally { S.directoryBusy = false; }
  const it = current(), queue = document.getElementById("transfer-queue"), agent = document.getElementById("transfer-agent");
  if (!it || !queue || !agent) return;
  refill(queue, queueOptions(S.directory));
  refill(agent, agentOptions(S.directory, it.interaction.channel, S.me && S.me.id));
  // A draft chosen before the list arrived is chosen now.
  for (const [sel, key] of [[queue, "tqueue:"], [agent, "tagent:"]]) {
    const v = S.drafts.get(key + it.interaction.id);
    if (v && !sel.value) sel.value = v;
  }
}

// renderWrapUp builds the wrap-up form once per interaction and language.
// Every field is a draft, saved to the server as it is typed (debounced),
// so what the agent typed is recorded even if the wrap-up time runs out.
function renderWrapUp() {
  const box = document.getElementById("wrapup");
  const it = current();
  if (!it || !["connected", "wrapup"].includes(it.interaction.state)) { box.hidden = true; box.dataset.key = ""; return; }
  const id = it.interaction.id;
  const key = id + ":" + LANG;
  if (box.dataset.key === key && !box.hidden) { renderWrapUpClock(it); return; }
  box.hidden = false;
  box.dataset.key = key;
  const save = () => saveWrapUpDraft(id);
  const disp = draft("select", { name: "disposition", id: "disposition", required: true }, "disp:" + id, save,
    el("option", { value: "" }, t("wrap.choose")), S.dispositions.map(d => el("option", { value: d }, tcode("disp", d))));
  const notes = draft("textarea", { name: "notes", id: "notes", maxlength: "4000" }, "notes:" + id, save);
  const due = draft("input", { type: "datetime-local", name: "due", id: "followup-due" }, "due:" + id);
  const fnote = draft("input", { name: "fnote", id: "followup-note" }, "fnote:" + id);
  const submit = async ev => {
    ev.preventDefault();
    const data = { interaction_id: id, disposition: disp.value, notes: notes.value };
    if (due.value) data.follow_up = { due_at: new Date(due.value).toISOString(), note: fnote.value };
    try {
      await S.sock.request("wrapup", data);
      it.wrapped = true;
      S.items.delete(id);
      clearTimeout(wrapUpSaves.get(id));
      for (const f of ["disp", "notes", "due", "fnote"]) S.drafts.delete(f + ":" + id);
      box.dataset.key = "";
      toast(t("wrap.done"));
      render();
    } catch (e) { toast(errText(e), true); }
  };
  const clock = el("p", { class: "wrap-clock", id: "wrapup-clock" }, t("wrap.left"), " ",
    el("span", { class: "countdown", id: "wrapup-left", role: "timer", "aria-live": "off", "data-announce": "wrap.announce" }), " ",
    el("button", { type: "button", id: "wrapup-extend", onclick: () => extendWrapUp(it) }, t("wrap.extend")));
  box.replaceChildren(el("h2", {}, t("wrap.title")), clock, el("form", { onsubmit: submit, id: "wrapup-form" },
    el("label", {}, t("wrap.disposition"), disp), el("label", {}, t("wrap.notes"), notes),
    el("h3", {}, t("wrap.followup")), el("div", { class: "row2" }, el("label", {}, t("wrap.due"), due), el("label", {}, t("wrap.followup.note"), fnote)),
    el("button", { class: "primary", id: "wrapup-submit" }, t("wrap.submit"))));
  renderWrapUpClock(it);
}

// renderWrapUpClock shows the wrap-up's time left (renderCountdowns ticks
// it) while the interaction is in wrap-up.
function renderWrapUpClock(it) {
  const clock = document.getElementById("wrapup-clock"), left = document.getElementById("wrapup-left");
  const on = it.interaction.state === "wrapup" && !!it.wrapDeadline;
  clock.hidden = !on;
  if (on) left.dataset.deadline = it.wrapDeadline; else delete left.dataset.deadline;
  renderCountdowns();
}

async function extendWrapUp(it) {
  try {
    const r = await S.sock.request("extend_wrapup", { interaction_id: it.interaction.id });
    it.wrapDeadline = Date.now() + r.countdown_ms;
    renderWrapUpClock(it);
  } catch (e) { toast(errText(e), true); }
}

const wrapUpSaves = new Map(); // interaction id -> pending save timer

// saveWrapUpDraft sends the wrap-up draft half a second after the last
// keystroke; a failed save is retried by the next keystroke.
function saveWrapUpDraft(id) {
  clearTimeout(wrapUpSaves.get(id));
  wrapUpSaves.set(id, setTimeout(() => {
    wrapUpSaves.delete(id);
    const data = { interaction_id: id, disposition: S.drafts.get("disp:" + id) || "", notes: S.drafts.get("notes:" + id) || "" };
    S.sock.request("wrapup_draft", data).catch(() => {});
  }, 500));
}

startPage(start);
