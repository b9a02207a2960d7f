// tasks.js: "My tasks", the agent's outbound tasks (campaign previews and
// triggered outreach such as a large withdrawal). The server pushes the
// whole open list whenever it changes, and the sync carries it, so the list
// is replaced, never patched.
"use strict";

S.tasks = [];
S.taskDispositions = [];
S.taskView = null; // {task, pop, interaction}: the opened task's customer

function onTasks(d) {
  S.tasks = d.tasks || [];
  if (S.taskView && !S.tasks.some(x => x.id === S.taskView.task.id)) S.taskView = null;
  renderTasks();
  renderPop();
}

function taskReason(x) {
  if (x.event_kind) return tcode("alert", x.event_kind) + (x.amount ? " · " + fmtMoney(x.amount, "CNY") : "");
  return el("span", { "data-free": "" }, x.title);
}

function renderTasks() {
  const box = document.getElementById("tasks");
  if (!box) return;
  box.replaceChildren();
  if (!S.tasks.length) { box.append(el("p", { class: "empty" }, t("tasks.none"))); return; }
  for (const x of S.tasks) {
    const open = S.taskView && S.taskView.task.id === x.id;
    box.append(el("div", { class: "item task" + (open ? " sel" : ""), id: "task-" + x.id, "data-tier": x.tier },
      el("div", { class: "row" }, el("b", {}, x.customer_name), tierChip(x.tier)),
      el("div", { class: "row" }, el("span", {}, tcode("task", x.kind)), el("span", { class: "chip" }, tcode("task.state", x.state))),
      el("div", { class: "task-reason" }, taskReason(x)),
      el("div", { class: "task-due" }, t("task.due") + ": " + fmtTime(x.due_at)),
      el("div", { class: "actions" },
        el("button", { class: "task-open", onclick: () => openTask(x.id) }, t("task.open")),
        x.state === "open" ? el("button", { class: "ok task-dial", onclick: () => dialTask(x.id) }, t("task.dial")) : null),
      open ? outcomeForm(x) : null));
  }
}

// openTask shows the task's customer in the customer panel: the server
// reads the unified view through the audited path a screen pop uses.
async function openTask(id) {
  try {
    const v = await S.sock.request("task_view", { task_id: id });
    S.taskView = { task: v.task, pop: v.pop, interaction: { id: 0, channel: "voice", direction: "outbound", tier: v.task.tier, state: "queued" } };
    S.selected = 0;
    render();
  } catch (e) { toast(errText(e), true); }
}

async function dialTask(id) {
  try { await S.sock.request("task_dial", { task_id: id }); toast(t("task.dialing")); } catch (e) { toast(errText(e), true); }
}

function outcomeForm(x) {
  const k = f => "task:" + x.id + ":" + f; // drafts: a redraw keeps what is typed
  const code = draft("select", { name: "code", class: "task-code", id: "task-code", required: true }, k("code"), null,
    el("option", { value: "" }, t("wrap.choose")), S.taskDispositions.map(d => el("option", { value: d }, tcode("tdisp", d))));
  const when = draft("input", { type: "datetime-local", name: "callback_at", id: "task-when" }, k("when"));
  const note = draft("textarea", { name: "note", class: "task-note", id: "task-note" }, k("note"));
  const product = draft("input", { name: "product", class: "lead-product", id: "lead-product" }, k("product"));
  const prospect = draft("input", { name: "prospect_name", id: "lead-prospect" }, k("prospect"));
  const relation = draft("input", { name: "relation", id: "lead-relation" }, k("relation"));
  const submit = async ev => {
    ev.preventDefault();
    const data = { task_id: x.id, code: code.value, note: note.value };
    if (when.value) data.callback_at = new Date(when.value).toISOString();
    if (product.value) data.lead = { product: product.value, prospect_name: prospect.value, relation: relation.value };
    try {
      await S.sock.request("task_outcome", data);
      toast(t("task.saved"));
      for (const f of ["code", "when", "note", "product", "prospect", "relation"]) S.drafts.delete(k(f));
      S.taskView = null;
      render();
    } catch (e) { toast(errText(e), true); }
  };
  return el("form", { class: "task-outcome", onsubmit: submit },
    el("h3", {}, t("task.outcome")),
    el("label", {}, t("wrap.disposition"), code), el("label", {}, t("task.callback_at"), when),
    el("label", {}, t("wrap.notes"), note),
    el("h3", {}, t("task.lead")),
    el("div", { class: "row2" }, el("label", {}, t("task.lead.product"), product), el("label", {}, t("task.lead.prospect"), prospect)),
    el("label", {}, t("task.lead.relation"), relation),
    el("button", { class: "primary task-save" }, t("task.save")));
}
