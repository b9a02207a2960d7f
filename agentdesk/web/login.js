// login.js: the sign-in form, the same on the desk and the wallboard, and
// the session: the page starts once there is one, and "Sign out" ends it.
"use strict";

// renderLogin fills box (the page's hidden section.login) with the form.
// Its words come from data-i18n keys, filled in by applyI18n.
function renderLogin(box) {
  box.replaceChildren(el("form", { id: "login", class: "card" },
    el("h1", { "data-i18n": "login.title" }),
    el("label", {}, el("span", { "data-i18n": "login.username" }),
      el("input", { name: "username", autocomplete: "username", required: true })),
    el("label", {}, el("span", { "data-i18n": "login.password" }),
      el("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    el("button", { type: "submit", class: "primary", "data-i18n": "login.submit" }),
    el("p", { id: "login-error", class: "error" })));
}

let loginError = null; // the last refused sign-in, worded again when the language changes

function showLoginError() {
  if (!loginError) return;
  const e = loginError;
  document.getElementById("login-error").textContent = t("login.failed") + ": " + (e.code === "unauthorized" ? t("login.wrong") : errText(e));
}

// startSession runs the sign-in form until there is a session, then
// start(me); a page reload after "Sign out" shows the form again.
async function startSession(start) {
  const form = document.getElementById("login");
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    try {
      const r = await api("POST", "/api/v1/login", { username: form.username.value, password: form.password.value });
      form.closest(".login").hidden = true;
      start(r.agent);
    } catch (e) { loginError = e; showLoginError(); }
  });
  document.addEventListener("langchange", showLoginError);
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("POST", "/api/v1/logout"); } catch (e) { /* already signed out */ }
    location.reload();
  });
  try {
    const me = await api("GET", "/api/v1/me");
    start(me);
  } catch (e) { form.closest(".login").hidden = false; form.username.focus(); }
}
