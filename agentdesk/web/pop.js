// pop.js: the screen pop, the unified customer view shown with an offer and
// beside a conversation.
"use strict";

function renderPop() {
  const box = document.getElementById("pop");
  box.replaceChildren(el("h2", {}, t("pop.title")));
  const it = current() || S.taskView || (S.offers.size ? S.offers.values().next().value : null);
  if (!it) { box.append(el("p", { class: "empty" }, t("pop.none"))); return; }
  const p = it.pop;
  if (!p) { box.append(el("p", { class: "error" }, t("pop.error"))); return; }
  if (p.unidentified || !p.customer) { box.append(...handovers(p), ...unidentified(it)); return; }
  const v = p.customer, c = v.customer, i = it.interaction;
  box.append(...handovers(p), ...[
    el("div", { class: "pop-head" },
      el("div", {},
        el("div", { class: "pop-name", id: "pop-name" }, LANG === "zh" && c.name_zh ? c.name_zh + " (" + c.name + ")" : c.name + (c.name_zh ? " (" + c.name_zh + ")" : "")),
        el("div", { class: "pop-sub" }, tcode("channel", i.channel) + " · " + tcode("dir", i.direction || "inbound") + " · " + (c.phone || ""))),
      el("div", {}, el("span", { id: "pop-tier" }, tierChip(c.value_tier)), " ", el("span", { class: "chip" }, tcode("layer", c.activity_layer)))),
    el("div", { class: "kv" },
      kv(t("pop.rm"), v.rm ? v.rm.name : t("pop.rm.none"), "pop-rm"),
      kv(t("pop.aum"), fmtMoney(v.holdings.aum, "CNY")),
      kv(t("pop.profit"), fmtMoney(v.holdings.profit_12m, "CNY")),
      kv(t("pop.risk_preference"), tcode("riskpref", c.risk_preference)),
      kv(t("pop.lifecycle"), tcode("life", c.lifecycle_stage)),
      kv(t("pop.language"), tcode("language", c.language))),
    v.masked ? el("p", { class: "empty" }, t("pop.masked")) : null,
    section("pop.next", p.next_actions.map(a => el("div", { class: "next" }, t("next." + a.code, { ref: a.ref }), el("small", {}, tcode("why", a.why))))),
    riskAndConsent(v),
    section("pop.alerts", p.alerts.length ? p.alerts.map(a => el("div", { class: "alert" },
      el("b", {}, tcode("alert", a.kind)), " ", a.amount ? fmtMoney(a.amount, a.currency) : "", " · ", fmtTime(a.occurred_at))) : [el("p", { class: "empty" }, t("pop.alerts.none"))]),
    ivrPath(i),
    section("pop.holdings", [holdings(v)]),
    section("pop.complaints", v.open_complaints.length ? [table(["#", t("wb.state"), ""], v.open_complaints.map(x => ["#" + x.id, tcode("cstate", x.status), el("span", { "data-free": "" }, x.summary)]))] : [el("p", { class: "empty" }, t("pop.complaints.none"))]),
    section("pop.timeline", v.interactions.length ? [table([t("pop.when"), t("pop.channel"), t("wb.state"), t("wrap.disposition")],
      v.interactions.slice(0, 8).map(x => [fmtTime(x.created_at), tcode("channel", x.channel), tcode("istate", x.state), x.disposition ? tcode("disp", x.disposition) : ""]))] : [el("p", { class: "empty" }, t("pop.timeline.none"))]),
    v.notes.length ? section("pop.notes", v.notes.slice(0, 3).map(n => el("p", {}, fmtTime(n.created_at) + " — ", el("span", { "data-free": "" }, n.body)))) : null].filter(Boolean));
}

// handovers lists how the interaction came to this agent: each transfer
// with its note, and each overflow to another queue.
function handovers(p) {
  const hs = p.handovers || [];
  if (!hs.length) return [];
  return [el("div", { class: "handovers", id: "pop-handovers" }, el("h3", {}, t("pop.handovers")), hs.map(h => {
    const what = h.kind === "overflow" ? t("handover.overflow", { queue: queueName(h.to_queue) })
      : t("handover.transfer", { name: h.by || t("unknown"), to: h.to_agent || queueName(h.to_queue) }) + (h.mode ? " · " + tcode("transfer", h.mode) : "");
    return el("div", { class: "handover" }, el("small", {}, fmtTime(h.at) + " · " + what), h.note ? el("p", { class: "handover-note", "data-free": "" }, h.note) : null);
  }))];
}

// ivrPath is the section with the caller's path through the IVR menus.
function ivrPath(i) {
  const path = i.ivr_path || [];
  return section("pop.ivr", [el("p", { id: "pop-ivr" }, path.length ? path.map(ivrStep).join(" → ") : t("pop.ivr.none"))]);
}

function kv(label, value, id) { return el("div", {}, el("span", {}, label), el("b", { id }, value)); }

function section(key, children) { return el("div", {}, el("h3", {}, t(key)), ...children); }

function table(head, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, head.map(h => el("th", {}, h)))),
    el("tbody", {}, rows.map(r => el("tr", {}, r.map(c => el("td", {}, c))))));
}

function holdings(v) {
  if (!v.holdings.by_product.length) return el("p", { class: "empty" }, "—");
  return table([t("pop.holdings"), t("pop.accounts"), ""], v.holdings.by_product.map(h => [tcode("product", h.product), String(h.count), fmtMoney(h.balance, "CNY")]));
}

function riskAndConsent(v) {
  const chips = [];
  if (v.risk.flag) chips.push(el("span", { class: "chip bad" }, tcode("risk", v.risk.flag)));
  else chips.push(el("span", { class: "chip ok" }, t("pop.risk") + ": " + t("pop.risk.none")));
  const c = v.consent;
  if (c.do_not_call) chips.push(el("span", { class: "chip bad" }, t("pop.dnc")));
  if (c.opt_out_call) chips.push(el("span", { class: "chip warn" }, t("pop.optout_call")));
  if (c.opt_out_sms) chips.push(el("span", { class: "chip warn" }, t("pop.optout_sms")));
  if (!c.do_not_call && !c.opt_out_call && !c.opt_out_sms) chips.push(el("span", { class: "chip ok" }, t("pop.consent.ok")));
  return el("div", { class: "chips" }, chips);
}

// unidentified is the pop of a contact no customer matched: a search, and
// a link button on each result.
function unidentified(it) {
  const results = el("div", { id: "search-results" });
  const input = draft("input", { id: "search-q", placeholder: t("pop.search.placeholder"), "aria-label": t("pop.search_label") }, "search:" + it.interaction.id);
  const go = async () => {
    try {
      const found = await S.sock.request("search", { q: input.value });
      results.replaceChildren();
      if (!found || !found.length) { results.append(el("p", { class: "empty" }, t("pop.search.none"))); return; }
      for (const c of found) {
        results.append(el("div", { class: "item" }, el("div", { class: "row" },
          el("span", {}, (c.name_zh ? c.name_zh + " " : "") + c.name + " · " + (c.phone || "")), tierChip(c.value_tier),
          el("button", { class: "primary", onclick: () => link(it, c.id) }, t("pop.link")))));
      }
    } catch (e) { toast(errText(e), true); }
  };
  return [el("p", {}, el("b", {}, t("pop.unidentified")), " · " + fromLabel(it.interaction.from)),
    el("div", { class: "compose" }, input, el("button", { class: "primary", onclick: go }, t("pop.search"))), results,
    ivrPath(it.interaction)];
}

async function link(it, customerID) {
  try {
    const r = await S.sock.request("link", { interaction_id: it.interaction.id, customer_id: customerID });
    it.interaction = r.interaction;
    it.pop = r.pop;
    toast(t("pop.linked"));
    render();
  } catch (e) { toast(errText(e), true); }
}
