// desk.js: the agent desk. All state comes from the server: "sync" replaces
// it (on every connect), pushes update it, and every list is keyed by
// interaction or message id, so a frame seen twice changes nothing.
"use strict";

const S = { me: null, sock: null, offers: new Map(), items: new Map(), selected: 0, dispositions: [], typing: new Map(), drafts: new Map() };

function start(me) {
  S.me = me;
  document.getElementById("me").textContent = me.name;
  document.getElementById("wallboard-link").hidden = !["supervisor", "admin"].includes(me.role);
  document.getElementById("app").hidden = false;
  showState({ state: "offline" }); // until the agent chooses
  S.sock = new DeskSocket({
    hello: d => { S.me = Object.assign(S.me, d.agent); softphoneStart(d.softphone); },
    sync: onSync, offer: onOffer, offer_withdrawn: onWithdrawn, interaction: onInteraction,
    message: onMessage, message_status: onStatus, typing: onTyping, agent_state: onAgentState, call: onCall, tasks: onTasks,
    error: e => toast(errText(e), true),
  }, showConn);
  document.getElementById("state").addEventListener("change", setState);
  document.getElementById("break-reason").addEventListener("change", setState);
  document.addEventListener("langchange", render);
  setInterval(renderCountdowns, 250);
  render();
}

// setState sends the agent's choice. Choosing a break reason is going on
// a break; choosing "Not ready" waits for a reason.
async function setState(ev) {
  const sel = document.getElementById("state"), rs = document.getElementById("break-reason");
  if (ev && ev.target === rs) sel.value = "break";
  const state = sel.value;
  const reason = state === "break" ? rs.value : "";
  if (state === "break" && !reason) { rs.focus(); toast(t("break.choose_first")); return; }
  try { await S.sock.request("set_state", { state, reason }); } catch (e) { toast(errText(e), true); }
}

const breakReasons = ["lunch", "training", "meeting"];

// showState shows the agent's presence in the selectors. The reason select
// shows its placeholder unless the agent is on a break; a break routing
// chose (a missed offer, a closed desk) is named in the placeholder.
function showState(p) {
  S.presence = p;
  document.getElementById("state").value = p.state;
  const rs = document.getElementById("break-reason");
  const known = p.state === "break" && breakReasons.includes(p.reason);
  rs.value = known ? p.reason : "";
  rs.options[0].textContent = p.state === "break" && p.reason && !known ? tcode("break", p.reason) : t("break.reason") + "…";
}

function onAgentState(d) {
  if (!S.me || d.agent_id !== S.me.id) return;
  showState(d);
  if (d.reason === "missed_offer") toast(t("break.missed_offer"), true);
}

function onSync(d) {
  QUEUES = d.queues || QUEUES;
  S.dispositions = d.dispositions || [];
  S.taskDispositions = d.task_dispositions || [];
  S.tasks = d.tasks || [];
  if (d.presence) showState(d.presence); // the agent's own state, right after a reconnect too
  S.offers.clear();
  for (const o of d.offers) S.offers.set(o.interaction.id, withDeadline(o));
  const keep = new Map();
  for (const it of d.interactions) {
    const id = it.interaction.id;
    if (it.wrapup) it.wrapDeadline = Date.now() + it.wrapup.countdown_ms;
    if (it.draft) { // the server's copy, unless this desk has a newer one
      if (!S.drafts.has("disp:" + id) && it.draft.disposition) S.drafts.set("disp:" + id, it.draft.disposition);
      if (!S.drafts.has("notes:" + id) && it.draft.notes) S.drafts.set("notes:" + id, it.draft.notes);
    }
    keep.set(id, Object.assign(S.items.get(id) || {}, it));
  }
  S.items = keep;
  if (!S.items.has(S.selected)) S.selected = S.items.size ? S.items.keys().next().value : 0;
  render();
}

function withDeadline(o) {
  o.deadline = Date.now() + (o.countdown_ms || 0);
  return o;
}

function onOffer(o) { S.offers.set(o.interaction.id, withDeadline(o)); render(); }

function onWithdrawn(d) {
  if (S.offers.delete(d.interaction_id)) { toast(t("offer.withdrawn")); render(); }
}

function onInteraction(u) {
  S.offers.delete(u.interaction_id);
  const it = S.items.get(u.interaction_id);
  if (it) {
    it.interaction.state = u.state;
    if (u.state === "wrapup" && u.countdown_ms) it.wrapDeadline = Date.now() + u.countdown_ms;
    if (u.state === "done") {
      S.items.delete(u.interaction_id);
      if (!it.wrapped) toast(t("wrap.timed_out")); // the server recorded the saved draft
    }
    if (u.state === "transferred" || u.state === "abandoned") S.items.delete(u.interaction_id);
  } else if (u.state === "connected" || u.state === "wrapup") {
    S.sock.request("sync").then(onSync).catch(() => {});
  }
  render();
}

function onMessage(d) {
  const it = S.items.get(d.interaction_id) || S.offers.get(d.interaction_id);
  if (!it || !d.message) return;
  const msgs = it.pop.messages;
  const i = msgs.findIndex(m => m.id === d.message.id);
  if (i >= 0) Object.assign(msgs[i], d.message); else msgs.push(d.message);
  S.typing.delete(d.interaction_id);
  if (d.interaction_id === S.selected) renderConversation();
}

// onStatus updates a sent message's delivery status; it carries no body.
function onStatus(d) {
  const it = S.items.get(d.interaction_id);
  if (!it || !d.message) return;
  const m = it.pop.messages.find(x => x.id === d.message.id);
  if (m) { m.status = d.message.status; if (d.interaction_id === S.selected) renderConversation(); }
}

function onTyping(d) {
  if (d.typing) S.typing.set(d.interaction_id, Date.now()); else S.typing.delete(d.interaction_id);
  if (d.interaction_id === S.selected) renderConversation();
}

function onCall(d) {
  const it = S.items.get(d.interaction_id);
  if (it) { it.call = d.state; renderCall(); }
}

async function accept(id) {
  try {
    await S.sock.request("accept", { interaction_id: id });
    const o = S.offers.get(id);
    S.offers.delete(id);
    if (o) { o.interaction.state = "connected"; S.items.set(id, o); }
    if (o && o.interaction.channel === "voice") softphoneExpect(id);
    S.selected = id;
    render();
  } catch (e) { toast(errText(e), true); }
}

async function decline(id) {
  try { await S.sock.request("decline", { interaction_id: id }); S.offers.delete(id); render(); } catch (e) { toast(errText(e), true); }
}

function tierChip(tier) { return el("span", { class: "tier tier-" + tier }, tcode("tier", tier)); }

// contactTier is the tier chip of an offer or conversation; a contact no
// customer matched has no tier to show (routing's default is not theirs).
function contactTier(x) {
  const unidentified = !x.interaction.customer_id || (x.pop && x.pop.unidentified);
  return unidentified ? null : tierChip(x.interaction.tier);
}

function who(x) {
  const c = x.pop && x.pop.customer && x.pop.customer.customer;
  if (c) return LANG === "zh" && c.name_zh ? c.name_zh : c.name;
  return fromLabel(x.interaction.from) || t("pop.unidentified");
}

// fromLabel is who a contact came from: a phone number, or for a web chat
// visitor who gave none, words rather than the chat's internal id.
function fromLabel(from) {
  return String(from || "").startsWith("chat:") ? t("from.web_visitor") : from || "";
}

// render redraws every panel. What the agent is typing lives in S.drafts
// (see draft), and the focused field gets its focus and caret back, so
// nothing arriving around the agent moves them.
function render() {
  const focus = focusState();
  if (S.presence) showState(S.presence); // the placeholder's language
  renderOffers();
  renderWork();
  renderTasks();
  renderPop();
  renderConversation();
  renderCall();
  renderTransfer();
  renderWrapUp();
  restoreFocus(focus);
}

function focusState() {
  const a = document.activeElement;
  if (!a || !a.id || a === document.body) return null;
  let start = null, end = null;
  try { start = a.selectionStart; end = a.selectionEnd; } catch (_) { /* not a text field */ }
  return { id: a.id, start, end };
}

function restoreFocus(f) {
  if (!f) return;
  const e = document.getElementById(f.id);
  if (!e || e === document.activeElement || e.disabled) return;
  e.focus();
  try { if (f.start !== null) e.setSelectionRange(f.start, f.end); } catch (_) { /* not a text field */ }
}

// draft builds a field whose value is kept in S.drafts under key (field
// and interaction id), so a redraw, a switch of conversation or of
// language never loses what was typed. onchange, if given, hears of every
// change (the wrap-up saves its draft to the server).
function draft(tag, attrs, key, onchange, ...children) {
  const e = el(tag, attrs, ...children);
  if (S.drafts.has(key)) e.value = S.drafts.get(key);
  const keep = () => {
    if (e.value) S.drafts.set(key, e.value); else S.drafts.delete(key);
    if (onchange) onchange();
  };
  e.addEventListener("input", keep);
  e.addEventListener("change", keep);
  return e;
}

// renderOffers redraws the offers only when they change: the box is a live
// region, and a screen reader reads out whatever is redrawn in it.
function renderOffers() {
  const box = document.getElementById("offers");
  const key = [...S.offers.values()].map(o => o.interaction.id + "@" + o.deadline).join(",") + ":" + LANG;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren();
  if (!S.offers.size) { box.append(el("p", { class: "empty" }, t("offers.none"))); return; }
  for (const o of S.offers.values()) {
    const i = o.interaction;
    const rm = o.pop && o.pop.customer && o.pop.customer.rm;
    box.append(el("div", { class: "offer", id: "offer-" + i.id, "data-tier": i.tier },
      el("div", { class: "row" }, el("b", {}, who(o)), contactTier(o)),
      el("div", { class: "row" }, el("span", {}, tcode("channel", i.channel) + " · " + queueName(i.queue)),
        el("span", { class: "countdown", role: "timer", "aria-live": "off", "data-deadline": o.deadline, "data-announce": "offer.announce" }, "")),
      rm ? el("div", { class: "rm" }, t("pop.rm") + ": ", el("b", { class: "rm-name" }, rm.name)) : null,
      handoverNote(o),
      el("div", { class: "actions" },
        el("button", { class: "ok accept", onclick: () => accept(i.id) }, t("offer.accept")),
        el("button", { class: "bad decline", onclick: () => decline(i.id) }, t("offer.decline")))));
  }
  renderCountdowns();
}

// handoverNote is the latest handover note of an offer, shown on its card.
function handoverNote(o) {
  const hs = (o.pop && o.pop.handovers) || [];
  const h = hs.filter(x => x.note).pop();
  if (!h) return null;
  return el("div", { class: "handover-note" }, el("b", {}, t("handover.note_from", { name: h.by || t("unknown") }) + ": "), el("span", { "data-free": "" }, h.note));
}

// renderCountdowns ticks every countdown. A timer is not read out every
// second (role "timer" is not live); the live #announce region says how
// long is left at a few moments instead, so a screen reader hears it.
function renderCountdowns() {
  document.querySelectorAll(".countdown[data-deadline]").forEach(e => {
    const left = Math.max(0, Math.ceil((Number(e.dataset.deadline) - Date.now()) / 1000));
    const text = left + " " + t("offer.seconds");
    if (e.textContent !== text) e.textContent = text;
    if (e.dataset.announce && [30, 10, 5].includes(left) && e.dataset.said !== String(left)) {
      e.dataset.said = left;
      document.getElementById("announce").textContent = t(e.dataset.announce, { n: left });
    }
  });
}

function renderWork() {
  const box = document.getElementById("work");
  box.replaceChildren();
  if (!S.items.size) { box.append(el("p", { class: "empty" }, t("work.none"))); return; }
  for (const it of S.items.values()) {
    const i = it.interaction;
    const sel = i.id === S.selected;
    box.append(el("div", { class: "item" + (sel ? " sel" : ""), id: "item-" + i.id, role: "option", "aria-selected": String(sel),
      tabindex: sel || (!current() && box.childElementCount === 0) ? "0" : "-1", onclick: () => { S.selected = i.id; render(); }, onkeydown: workKey },
      el("div", { class: "row" }, el("b", {}, who(it)), contactTier(it)),
      el("div", { class: "row" }, el("span", {}, tcode("channel", i.channel)), el("span", { class: "chip state" }, tcode("istate", i.state)))));
  }
}

// workKey makes the conversation list a keyboard listbox: the arrow keys,
// Home and End move the focus, Enter or Space opens the focused one.
function workKey(ev) {
  const items = [...document.querySelectorAll("#work .item")];
  const i = items.indexOf(ev.currentTarget);
  const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: items.length - 1 }[ev.key];
  if (to !== undefined) {
    ev.preventDefault();
    const next = items[Math.max(0, Math.min(items.length - 1, to))];
    items.forEach(x => { x.tabIndex = x === next ? 0 : -1; });
    next.focus();
  } else if (ev.key === "Enter" || ev.key === " ") {
    ev.preventDefault();
    S.selected = Number(ev.currentTarget.id.slice("item-".length));
    render();
  }
}

function current() { return S.items.get(S.selected) || null; }
