// page.js: what the desk and the wallboard share around their own panels:
// the header's language switch and connection badge, the toast, and
// startPage, which puts the page in its language and signs in (login.js).
"use strict";

// showConn shows the socket's status in the bar; it is redrawn when the
// language changes.
function showConn(status) {
  const c = document.getElementById("conn");
  c.dataset.status = status;
  c.className = "conn " + status;
  c.textContent = t("conn." + status);
}

// toast shows a short message at the bottom of the page.
function toast(msg, bad) {
  const box = document.getElementById("toast");
  box.textContent = msg;
  box.className = "toast show" + (bad ? " bad" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.className = "toast"; box.textContent = ""; }, 4000);
}

// startPage shows the page in its language with the sign-in form, until
// there is a session, then start(me).
async function startPage(start) {
  renderLogin(document.querySelector("section.login"));
  applyI18n();
  document.getElementById("lang").addEventListener("click", () => setLang(LANG === "zh" ? "en" : "zh"));
  document.addEventListener("langchange", () => {
    const c = document.getElementById("conn");
    if (c.dataset.status) showConn(c.dataset.status);
    // What was said in the other language is not left on the page.
    document.getElementById("toast").textContent = "";
    document.getElementById("announce").textContent = "";
  });
  await startSession(start);
}
