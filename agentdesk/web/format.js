// format.js: dates, times, durations and amounts in the page language.
"use strict";

function fmtTime(s) {
  if (!s) return "";
  return new Date(s).toLocaleString(locale(), { dateStyle: "short", timeStyle: "short" });
}

// fmtClock is the time of day of s, in the page language.
function fmtClock(s) {
  if (!s) return "";
  return new Date(s).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function fmtDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

// fmtMoney formats an amount in the page language with the currency's
// sign (¥ on a Chinese page, CN¥ on an English one).
function fmtMoney(v, cur) {
  return Number(v || 0).toLocaleString(locale(), { style: "currency", currency: cur || "CNY" });
}
