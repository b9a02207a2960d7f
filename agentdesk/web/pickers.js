// pickers.js: the queue and agent pickers of a "directory" answer, which
// the desk's transfer and the wallboard's move share.
"use strict";

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
