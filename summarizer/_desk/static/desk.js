// The editor's desk. Everything from the server (article text included) is hostile input: it is
// only ever put in the page as text (textContent, text nodes), never parsed as HTML.
"use strict";

const TOKEN_KEY = "summarizer-desk-token";
const token = new URLSearchParams(location.search).get("token") || sessionStorage.getItem(TOKEN_KEY) || "";
sessionStorage.setItem(TOKEN_KEY, token);
// Out of the address bar, so that history, a shared screen or a printed page does not carry it.
if (location.search) history.replaceState(null, "", `/${location.hash}`);
const main = () => document.getElementById("main");
let pollTimer = null;
let generation = 0; // bumped by every route: an answer for an older one is dropped

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key.startsWith("data-")) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const options = { headers: { "X-Desk-Token": token } };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.error || response.statusText);
  return payload;
}

function show(...nodes) {
  main().replaceChildren(...nodes);
}

function failure(error) {
  return el("p", { class: "error", role: "alert", text: String(error.message || error) });
}

// -- marks: a figure or a name, tied to its form in the source --------------------------------

const WORD = /[\p{L}\p{N}]/u;

// `text` as a fragment in which every occurrence of a term is a clickable span (longest first,
// never overlapping, whole words only: "5%" is not marked inside "15%", nor "Vietnam" in "Vietnamese").
function marked(text, terms) {
  const found = [];
  for (const term of terms) {
    if (!term.text) continue;
    for (let at = text.indexOf(term.text); at !== -1; at = text.indexOf(term.text, at + 1)) {
      const end = at + term.text.length;
      const before = at > 0 && WORD.test(text[at - 1]) && WORD.test(term.text[0]);
      const after = end < text.length && WORD.test(text[end]) && WORD.test(term.text[term.text.length - 1]);
      if (!before && !after) found.push({ start: at, end, term });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const fragment = document.createDocumentFragment();
  let position = 0;
  for (const hit of found) {
    if (hit.start < position) continue;
    fragment.append(text.slice(position, hit.start));
    fragment.append(
      el("span", {
        class: `mark mark-${hit.term.kind}`,
        "data-mark": hit.term.id,
        title: hit.term.label,
        tabIndex: 0,
        text: text.slice(hit.start, hit.end),
      }),
    );
    position = hit.end;
  }
  fragment.append(text.slice(position));
  return fragment;
}

function terms(marks, side, paragraph) {
  const list = [];
  for (const mark of marks) {
    if (paragraph !== undefined && mark.paragraph !== null && mark.paragraph !== paragraph) continue;
    for (const text of mark[side]) list.push({ text, id: mark.id, kind: mark.kind, label: mark.label });
  }
  return list.sort((a, b) => b.text.length - a.text.length);
}

function light(selector) {
  for (const node of document.querySelectorAll(".lit")) node.classList.remove("lit");
  const nodes = [...document.querySelectorAll(selector)];
  for (const node of nodes) node.classList.add("lit");
  return nodes;
}

// Bring `node` into view: within the source pane when it scrolls on its own (the brief stays
// where the editor is reading), else by scrolling the page.
function reveal(node) {
  if (!node) return;
  const pane = node.closest("section.source");
  if (pane && pane.scrollHeight > pane.clientHeight) {
    const offset = node.getBoundingClientRect().top - pane.getBoundingClientRect().top;
    pane.scrollBy({ top: offset - pane.clientHeight / 2 });
  }
  const box = node.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) node.scrollIntoView({ block: "center" });
}

function lightMark(id) {
  const lit = light(`[data-mark="${CSS.escape(id)}"]`);
  reveal(lit.find((node) => node.closest(".source")) || lit[0]);
}

function lightParagraph(number) {
  reveal(light(`[data-paragraph="${Number(number)}"]`)[0]);
}

// A file dropped anywhere but the article box must not make the browser leave the page to show it.
for (const type of ["dragover", "drop"]) document.addEventListener(type, (event) => event.preventDefault());

document.addEventListener("click", (event) => {
  const mark = event.target.closest("[data-mark]");
  if (mark) lightMark(mark.getAttribute("data-mark"));
});
document.addEventListener("keydown", (event) => {
  const mark = event.target.closest?.("[data-mark]");
  if (mark && event.key === "Enter") lightMark(mark.getAttribute("data-mark"));
});

// -- the listing ------------------------------------------------------------------------------

async function listing(mine) {
  const data = await api("/api/articles");
  if (mine !== generation) return;
  document.getElementById("folder").textContent = data.folder;
  const status = el(
    "select",
    { id: "filter-status", onchange: () => draw() },
    ["all", "done", "skipped", "failed", "not_started"].map((s) => el("option", { value: s, text: s })),
  );
  const warned = el("input", { type: "checkbox", id: "filter-warnings", onchange: () => draw() });
  const body = el("tbody");
  const count = el("span", { class: "count" });
  function draw() {
    const rows = data.articles.filter(
      (a) => (status.value === "all" || a.status === status.value) && (!warned.checked || a.warnings > 0),
    );
    count.textContent = `${rows.length} of ${data.articles.length}`;
    body.replaceChildren(
      ...rows.map((a) =>
        el(
          "tr",
          { class: `status-${a.status}`, "data-input": a.input },
          el("td", {}, a.task ? el("a", { href: `#/a/${encodeURIComponent(a.input)}`, text: a.input }) : a.input),
          el("td", { text: a.task || "" }),
          el("td", { class: "status", text: a.status }),
          el("td", { class: "num warnings" }, String(a.warnings), a.high ? el("span", { class: "high", text: ` (${a.high} high)` }) : ""),
          el("td", { class: "num", text: a.tokens.toLocaleString("en") }),
          el("td", { class: "num", text: a.seconds.toFixed(1) }),
          el("td", { class: "what", text: a.error || a.title }),
        ),
      ),
    );
  }
  draw();
  show(
    el("h1", { text: "Articles" }),
    el(
      "div",
      { class: "filters" },
      el("label", {}, "Status ", status),
      el("label", {}, warned, " has warnings"),
      count,
    ),
    data.articles.length
      ? el(
          "table",
          { class: "listing" },
          el("thead", {}, el("tr", {}, ["Article", "Task", "Status", "Warnings", "Tokens", "Seconds", ""].map((h) => el("th", { text: h })))),
          body,
        )
      : el("p", { text: "No results in this folder yet: run a batch into it, or start new work." }),
  );
}

// -- one result -------------------------------------------------------------------------------

function toolbar(view) {
  const done = el("span", { class: "done", role: "status" });
  const copy = async () => {
    let copied = true;
    try {
      await navigator.clipboard.writeText(view.markdown);
    } catch {
      const area = el("textarea", { value: view.markdown });
      document.body.append(area);
      area.select();
      copied = document.execCommand("copy");
      area.remove();
    }
    done.textContent = copied ? "Markdown copied" : "The browser did not allow copying";
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([view.json], { type: "application/json" }));
    const link = el("a", { href: url, download: view.json_name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return el(
    "div",
    { class: "toolbar" },
    el("a", { href: "#/", text: "← Articles" }),
    el("button", { id: "copy-markdown", onclick: copy, text: "Copy as Markdown" }),
    el("button", { id: "download-json", onclick: download, text: "Download JSON" }),
    el("button", { id: "print", onclick: () => window.print(), text: "Print" }),
    done,
  );
}

function warnings(view) {
  if (!view.notices.length) return el("p", { class: "clean", text: "No warnings." });
  return el(
    "ol",
    { class: "warnings", id: "warnings" },
    view.notices.map((n) =>
      el(
        "li",
        { class: `notice severity-${n.severity}`, "data-kind": n.kind },
        el("span", { class: "severity", text: n.severity }),
        " ",
        el("span", { class: "text", text: n.text }),
        n.paragraph ? el("button", { class: "goto", onclick: () => lightParagraph(n.paragraph), text: `paragraph ${n.paragraph}` }) : "",
        n.mark ? el("button", { class: "goto", onclick: () => lightMark(n.mark), text: "show" }) : "",
      ),
    ),
  );
}

function sourcePane(view, title) {
  const source = terms(view.marks, "source");
  return el(
    "section",
    { class: "source", lang: view.language },
    el("h2", { text: title }),
    view.source.map((p, i) => el("p", { "data-paragraph": i + 1 }, el("span", { class: "pno", text: `${i + 1}` }), marked(p, source))),
  );
}

function entities(title, list, prefix) {
  if (!list.length) return "";
  return el(
    "div",
    { class: "entities" },
    el("h3", { text: title }),
    el(
      "ul",
      {},
      list.map((e, i) =>
        el(
          "li",
          {},
          el("span", { class: "mark", "data-mark": `${prefix}${i}`, tabIndex: 0, text: e.english }),
          e.source !== e.english ? ` (${e.source})` : "",
          e.role ? `: ${e.role}` : "",
        ),
      ),
    ),
  );
}

function briefView(view, brief) {
  const english = terms(view.marks, "english");
  const figures = brief.figures.length
    ? el(
        "table",
        { class: "figures" },
        el("thead", {}, el("tr", {}, ["Figure", "In the source", "Refers to"].map((h) => el("th", { text: h })))),
        el(
          "tbody",
          {},
          brief.figures.map((f, i) =>
            el(
              "tr",
              {},
              el("td", {}, el("span", { class: "mark mark-figure", "data-mark": `f${i}`, tabIndex: 0, text: f.english })),
              el("td", { text: f.source }),
              el("td", { text: f.refers_to }),
            ),
          ),
        ),
      )
    : "";
  return el(
    "section",
    { class: "result brief" },
    el("h1", { class: "headline" }, marked(brief.headline, english)),
    el("p", { class: "summary" }, marked(brief.summary, english)),
    el("h2", { text: "Key points" }),
    el("ul", { class: "points" }, brief.key_points.map((p) => el("li", {}, marked(p, english)))),
    el("h2", { text: "Warnings" }),
    warnings(view),
    figures ? el("h2", { text: "Figures" }) : "",
    figures,
    entities("People", brief.people, "person"),
    entities("Organizations", brief.organizations, "org"),
    entities("Places", brief.places, "place"),
  );
}

function summaryView(view, summary) {
  const english = terms(view.marks, "english");
  return el(
    "section",
    { class: "result summary-result" },
    el("h1", { class: "headline" }, marked(summary.title, english)),
    el("p", { class: "lead" }, marked(summary.lead, english)),
    el("p", { class: "summary" }, marked(summary.summary, english)),
    el("ul", { class: "points" }, summary.key_points.map((p) => el("li", {}, marked(p, english)))),
    el("h2", { text: "Warnings" }),
    warnings(view),
  );
}

function translationView(view, translation) {
  const rows = translation.paragraphs.map((pair, i) => {
    const number = i + 1;
    return el(
      "tr",
      { class: pair.flags.length ? "flagged" : "", "data-paragraph": number },
      el("td", { class: "pno", text: String(number) }),
      el("td", { class: "source" }, marked(pair.source, terms(view.marks, "source", number))),
      el(
        "td",
        { class: "target" },
        pair.translation ? marked(pair.translation, terms(view.marks, "english", number)) : el("em", { text: "not translated" }),
        pair.flags.map((flag) => el("p", { class: "flag", text: `⚠ ${flag}` })),
      ),
    );
  });
  return el(
    "section",
    { class: "result translation" },
    el("h2", { text: "Warnings" }),
    warnings(view),
    el(
      "table",
      { class: "aligned" },
      el("thead", {}, el("tr", {}, el("th", { text: "#" }), el("th", { text: "Source" }), el("th", { text: "Translation" }))),
      el("tbody", {}, rows),
    ),
  );
}

async function result(input, mine) {
  const view = await api(`/api/result?input=${encodeURIComponent(input)}`);
  if (mine !== generation) return;
  const data = JSON.parse(view.json);
  view.language = data.meta.source_language;
  const meta = data.meta;
  const footer = el(
    "p",
    { class: "meta" },
    `${meta.source_name}; model ${meta.model}, prompt ${meta.prompt_version}; `,
    `${meta.usage.prompt_tokens.toLocaleString("en")} + ${meta.usage.completion_tokens.toLocaleString("en")} tokens, `,
    `${meta.attempts} answer(s), ${meta.seconds.toFixed(1)} s`,
  );
  if (view.task === "translation") {
    show(toolbar(view), translationView(view, data), footer);
    return;
  }
  const body = view.task === "brief" ? briefView(view, data) : summaryView(view, data);
  show(toolbar(view), el("div", { class: "columns" }, body, sourcePane(view, "Source article")), footer);
}

// -- new work ---------------------------------------------------------------------------------

function newWork() {
  const text = el("textarea", { id: "article-text", rows: 16, placeholder: "Paste an article here, or drop a .txt, .md or .html file." });
  let file = null;
  const fileLabel = el("span", { class: "file-name" });
  const fileInput = el("input", {
    type: "file",
    id: "article-file",
    accept: ".txt,.md,.html,.htm",
    onchange: () => take(fileInput.files[0]),
  });
  function take(chosen) {
    if (!chosen) return;
    file = chosen;
    fileLabel.textContent = `${chosen.name} (${chosen.size.toLocaleString("en")} bytes)`;
    text.value = "";
    text.disabled = true;
  }
  text.addEventListener("dragover", (event) => event.preventDefault());
  text.addEventListener("drop", (event) => {
    event.preventDefault();
    take(event.dataTransfer.files[0]);
  });
  const task = el("select", { id: "task" }, ["brief", "translate", "summarize"].map((t) => el("option", { value: t, text: t })));
  const language = el("select", { id: "language" }, [["en", "English"], ["vi", "Vietnamese"]].map(([v, t]) => el("option", { value: v, text: t })));
  const problem = el("p", { class: "error", role: "alert" });
  async function start() {
    problem.textContent = "";
    const request = { task: task.value, to: language.value, lang: language.value };
    if (file) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      request.name = file.name;
      request.data = btoa(binary);
    } else {
      request.name = "pasted.txt";
      request.text = text.value;
    }
    try {
      const job = await api("/api/jobs", request);
      location.hash = `#/job/${job.id}`;
    } catch (error) {
      problem.textContent = error.message;
    }
  }
  show(
    el("h1", { text: "New work" }),
    text,
    el("div", { class: "controls" }, el("label", {}, "or a file ", fileInput), fileLabel),
    el(
      "div",
      { class: "controls" },
      el("label", {}, "Task ", task),
      el("label", {}, "Into ", language),
      el("button", { id: "start", onclick: start, text: "Start" }),
    ),
    problem,
    el("p", { class: "hint", text: "Runs on the backend summarizer is configured with; the result is saved in this folder, as a batch's are." }),
  );
}

async function jobView(id, mine) {
  const stage = el("p", { id: "job-stage", class: "stage" });
  const cancel = el("button", { id: "cancel", text: "Cancel", onclick: async () => { await api(`/api/jobs/${encodeURIComponent(id)}/cancel`, {}); } });
  const title = el("h1", { text: "Working" });
  show(title, stage, cancel);
  async function poll() {
    let job;
    try {
      job = await api(`/api/jobs/${encodeURIComponent(id)}`);
    } catch (error) {
      if (mine === generation) show(title, failure(error));
      return;
    }
    if (mine !== generation) return; // the editor has gone elsewhere
    title.textContent = `${job.task}: ${job.name}`;
    const counted = job.total > 1 ? ` ${job.done}/${job.total}` : "";
    const speed = job.tokens_per_second ? ` · ${job.tokens_per_second.toFixed(1)} tok/s` : "";
    stage.textContent = job.state === "running" ? `${job.stage}${counted}${speed} · ${job.seconds} s` : job.state;
    stage.dataset.state = job.state;
    if (job.state === "done") {
      location.hash = `#/a/${encodeURIComponent(job.input)}`;
    } else if (job.state === "failed") {
      cancel.remove();
      main().append(failure(new Error(job.error)));
    } else if (job.state === "cancelled") {
      cancel.remove();
    } else {
      pollTimer = setTimeout(poll, 500);
    }
  }
  poll();
}

// -- routes -----------------------------------------------------------------------------------

async function route() {
  clearTimeout(pollTimer);
  const mine = ++generation;
  const hash = location.hash || "#/";
  if (!token) {
    show(el("p", { class: "error", role: "alert", text: "Open the address summarizer desk printed: it carries the desk's key." }));
    return;
  }
  try {
    if (hash.startsWith("#/a/")) await result(decodeURIComponent(hash.slice(4)), mine);
    else if (hash === "#/new") newWork();
    else if (hash.startsWith("#/job/")) await jobView(decodeURIComponent(hash.slice(6)), mine);
    else await listing(mine);
  } catch (error) {
    if (mine === generation) show(failure(error));
  }
  if (mine === generation) document.body.dataset.ready = hash;
}

window.addEventListener("hashchange", route);
route();
