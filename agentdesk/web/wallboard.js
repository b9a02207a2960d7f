// wallboard.js: the supervisors' live view. The server pushes a whole
// "wallboard" frame at least every second and soon after every routing
// change; the page only draws the latest one.
"use strict";

const W = { sock: null, board: null, editing: false };

function startBoard(me) {
  document.getElementById("me").textContent = me.name;
  document.getElementById("app").hidden = false;
  W.sock = new DeskSocket({
    sync: d => { QUEUES = d.queues || QUEUES; if (d.wallboard) draw(d.wallboard); },
    wallboard: draw,
    error: e => toast(errText(e), true),
  }, showConn);
  document.addEventListener("langchange", () => { if (W.board) draw(W.board, true); });
}

// draw renders a board; while a supervisor is using a control, the tables
// with controls wait for the next frame so the control is not replaced.
function draw(b, force) {
  W.board = b;
  document.getElementById("updated").textContent = fmtClock(b.at);
  totals(b);
  document.getElementById("queues").replaceChildren(queues(b.queues));
  document.getElementById("campaigns").replaceChildren(campaignRows(b.campaigns || []));
  if (W.editing && !force) return;
  document.getElementById("waiting").replaceChildren(waiting(b.waiting));
  document.getElementById("agents").replaceChildren(agents(b.agents));
}

function totals(b) {
  let waiting = 0, longest = 0, insl = 0, handled = 0;
  for (const q of b.queues) {
    waiting += q.waiting;
    longest = Math.max(longest, q.longest_wait_ms);
    insl += q.today.answered_in_sl;
    handled += q.today.answered + q.today.abandoned;
  }
  const available = b.agents.filter(a => a.state === "available").length;
  document.getElementById("t-waiting").textContent = waiting;
  document.getElementById("t-longest").textContent = fmtDuration(longest);
  document.getElementById("t-available").textContent = available;
  document.getElementById("t-sl").textContent = handled ? Math.round(100 * insl / handled) + "%" : "—";
}

function pct(x, n) { return n ? Math.round(100 * x) + "%" : "—"; }

function queues(rows) {
  const shown = rows.filter(q => q.waiting || q.today.offered || q.agents_available || q.agents_busy || q.agents_wrapup);
  if (!shown.length) return el("p", { class: "empty" }, t("wb.none"));
  return el("table", { id: "queue-table" },
    el("thead", {}, el("tr", {}, [t("wb.queue"), t("wb.tier"), t("wb.waiting"), t("wb.longest"), t("wb.sl"), t("wb.answered"), t("wb.abandoned"),
      t("wb.available"), t("wb.busy"), t("wb.wrapup")].map((h, i) => el("th", { class: i > 1 ? "num" : "" }, h)))),
    el("tbody", {}, shown.map(q => {
      const n = q.today.answered + q.today.abandoned;
      return el("tr", { "data-queue": q.queue, "data-tier": q.tier },
        el("td", {}, queueName(q.queue)), el("td", {}, el("span", { class: "tier tier-" + q.tier }, tcode("tier", q.tier))),
        el("td", { class: "num waiting" }, String(q.waiting)), el("td", { class: "num" }, fmtDuration(q.longest_wait_ms)),
        el("td", { class: "num " + (n && q.today.service_level < 0.8 ? "sl-bad" : "sl-good") }, pct(q.today.service_level, n)),
        el("td", { class: "num answered" }, String(q.today.answered)), el("td", { class: "num" }, String(q.today.abandoned)),
        el("td", { class: "num" }, String(q.agents_available)), el("td", { class: "num" }, String(q.agents_busy)), el("td", { class: "num" }, String(q.agents_wrapup)));
    })));
}

function guard(node) {
  node.addEventListener("focusin", () => { W.editing = true; });
  node.addEventListener("focusout", () => { W.editing = false; });
  return node;
}

function agents(rows) {
  if (!rows.length) return el("p", { class: "empty" }, t("wb.none"));
  rows.sort((a, b) => a.agent_id - b.agent_id);
  return el("table", { id: "agent-table" },
    el("thead", {}, el("tr", {}, [t("wb.agent"), t("wb.state"), t("wb.since"), t("wb.load"), t("wb.force")].map(h => el("th", {}, h)))),
    el("tbody", {}, rows.map(a => {
      const st = el("select", {}, ["available", "break", "offline"].map(s => el("option", { value: s, selected: s === a.state }, t("state." + s))));
      const load = Object.entries(a.load || {}).filter(([, n]) => n).map(([ch, n]) => tcode("channel", ch) + " " + n).join(", ");
      const held = Object.values(a.interactions || {});
      const label = held.length ? tcode("istate", held[0]) : tcode("state", a.state) + (a.reason ? " (" + tcode("break", a.reason) + ")" : "");
      return el("tr", { "data-agent": a.agent_id },
        el("td", {}, a.name || ("#" + a.agent_id)), el("td", { class: "st-" + a.state }, label),
        el("td", {}, fmtClock(a.since)), el("td", {}, load || "—"),
        el("td", {}, guard(el("span", { class: "inline" }, st, el("button", { onclick: () => force(a.agent_id, st.value) }, t("wb.apply"))))));
    })));
}

async function force(agentID, state) {
  try {
    await W.sock.request("force_state", { agent_id: agentID, state, reason: state === "break" ? "supervisor" : "" });
    toast(t("ok"));
  } catch (e) { toast(errText(e), true); }
  W.editing = false;
}

function waiting(rows) {
  if (!rows.length) return el("p", { class: "empty" }, t("wb.none"));
  loadDirectory(false);
  return el("table", { id: "waiting-table" },
    el("thead", {}, el("tr", {}, ["#", t("wb.queue"), t("wb.tier"), "", t("wb.wait"), t("wb.move")].map(h => el("th", {}, h)))),
    el("tbody", {}, rows.map(w => {
      const q = el("select", { class: "move-queue", "aria-label": t("wb.move.queue_label") }, queueOptions(W.directory));
      const a = el("select", { class: "move-agent", "aria-label": t("wb.move.agent_label"), "data-channel": w.channel }, agentOptions(W.directory, w.channel));
      // Opening a picker asks again, so its states are as of now.
      for (const sel of [q, a]) sel.addEventListener("focus", () => loadDirectory(true));
      return el("tr", { "data-interaction": w.interaction_id },
        el("td", {}, String(w.interaction_id)), el("td", {}, queueName(w.queue)), el("td", {}, el("span", { class: "tier tier-" + w.tier }, tcode("tier", w.tier))),
        el("td", {}, tcode("channel", w.channel)), el("td", { class: "num" }, fmtDuration(w.wait_ms)),
        el("td", {}, guard(el("span", { class: "inline" }, q, a, el("button", { class: "move", onclick: () => move(w.interaction_id, q.value, a.value) }, t("wb.move"))))));
    })));
}

// loadDirectory asks the server where a waiting interaction can go (at
// most every five seconds unless now) and refills the move pickers in
// place, so a picker being used keeps its focus and choice.
async function loadDirectory(now) {
  if (W.directoryBusy || (!now && W.directoryAt && Date.now() - W.directoryAt < 5000)) return;
  W.directoryBusy = true;
  try {
    W.directory = await W.sock.request("directory", {});
    W.directoryAt = Date.now();
  } catch (e) { return; } finally { W.directoryBusy = false; }
  document.querySelectorAll("#waiting-table .move-queue").forEach(sel => refill(sel, queueOptions(W.directory)));
  document.querySelectorAll("#waiting-table .move-agent").forEach(sel => refill(sel, agentOptions(W.directory, sel.dataset.channel)));
}

async function move(id, queue, agent) {
  if (!agent && !queue) { toast(t("pick.none"), true); return; }
  const data = { interaction_id: id };
  if (agent) data.to_agent = Number(agent); else data.to_queue = queue;
  try { await W.sock.request("move", data); toast(t("ok")); } catch (e) { toast(errText(e), true); }
  W.editing = false;
}

startPage(startBoard);

// campaignRows shows each running outbound campaign's live figures. The
// abandon rate turns red above 3 %, the default regulatory cap.
function campaignRows(rows) {
  if (!rows.length) return el("p", { class: "empty" }, t("wb.campaigns.none"));
  return el("table", { id: "campaign-table" },
    el("thead", {}, el("tr", {}, [t("wb.campaign"), t("wb.channel"), t("wb.dialled"), t("wb.connected"), t("wb.abandon_rate"),
      t("wb.conversions"), t("wb.remaining")].map((h, i) => el("th", { class: i > 1 ? "num" : "" }, h)))),
    el("tbody", {}, rows.map(c => el("tr", { "data-campaign": c.id },
      el("td", { "data-free": "" }, c.name), el("td", {}, tcode("channel", c.channel) + (c.dial_mode && c.channel === "voice" ? " · " + t("wb.mode." + c.dial_mode) : "")),
      el("td", { class: "num dialled" }, String(c.dialled)), el("td", { class: "num" }, String(c.channel === "sms" ? c.delivered : c.connected)),
      el("td", { class: "num " + (c.abandon_rate > 0.03 ? "sl-bad" : "sl-good") }, c.channel === "sms" ? "—" : (100 * c.abandon_rate).toFixed(1) + "%"),
      el("td", { class: "num" }, String(c.conversions)), el("td", { class: "num remaining" }, String(c.remaining))))));
}
