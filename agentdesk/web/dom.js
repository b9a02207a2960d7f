// dom.js: building the page's elements from data. Whatever the server or a
// customer sent is set as text, never parsed as HTML.
"use strict";

// bidiControls are the invisible characters that reorder text around them
// (embeddings, overrides, isolates and marks). In a customer's message or
// name they can make "ecnalab" read as "balance" or flip an amount; the
// desk shows each as a visible ⟨?⟩ instead, so the agent reads what was sent.
const bidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

function plainText(s) {
  return String(s).replace(bidiControls, "\u27E8?\u27E9");
}

// el builds an element: el("div", {class: "x"}, "text", child...). Text is
// always set as text, never parsed as HTML, with bidi controls neutralised.
// Text people wrote (data-free) keeps its own direction inside its element
// (dir=auto, isolated by the style sheet), so Arabic or Hebrew reads right
// without reordering what is around it.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  if (attrs && "data-free" in attrs) e.setAttribute("dir", "auto");
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(plainText(c)));
  }
  return e;
}
