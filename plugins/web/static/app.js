// The dashboard's pages: fetch the JSON API, render with DOM calls (never innerHTML with
// data: names and transcripts come from the network), and stay live with EventSource.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const page = document.body.dataset.page;
const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api(path, options = {}) {
  const init = { headers: { "Accept": "application/json" }, ...options };
  if (options.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (init.method && init.method !== "GET") init.headers["X-CSRF-Token"] = csrf;
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) location.href = "/login";
  return { ok: response.ok, status: response.status, data };
}

function notice(text) {
  const n = $("#notice");
  n.textContent = text;
  n.hidden = !text;
}

const when = (t) => t ? new Date(t * 1000).toLocaleString() : "–";
const stateText = (s) => Object.entries(s).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");

// --- rooms ----------------------------------------------------------------------------------
async function showRooms() {
  const { data } = await api("/api/rooms");
  const m = data.mood;
  $("#mood").replaceChildren(m ? el("p", {}, "The house feels ", el("strong", {}, m.feels),
    ` (warmth ${m.warmth.toFixed(2)}, energy ${m.energy.toFixed(2)})`) : "");
  $("#rooms").replaceChildren(...data.rooms.map((r) => {
    const sat = r.satellite;
    return el("div", { class: "card", id: `room-${r.id}` },
      el("h2", {}, r.name),
      el("span", { class: `activity ${r.activity}`, "data-activity": r.activity }, r.activity),
      el("p", { class: "muted-text" }, `${r.devices} devices` + (r.floor ? ` · ${r.floor}` : "")),
      el("p", {}, sat ? `Satellite ${sat.site}: ${sat.connected ? "connected" : "offline"}` +
        (sat.level_db !== null ? ` · mic ${sat.level_db.toFixed(0)} dBFS` : "") : "No satellite"),
      el("p", { class: "muted-text" }, (r.people.length ? `With ${r.people.join(", ")}` : "Nobody known here") +
        (r.persona ? ` · persona ${r.persona}` : "")));
  }));
}

// --- live turns -------------------------------------------------------------------------------
function turnNode(t) {
  const steps = t.steps.filter((s) => s.step !== "partial").map((s) =>
    el("span", { class: "step", "data-step": s.step }, `${s.step} +${s.ms} ms`));
  const heard = t.heard && t.heard.toLowerCase() !== (t.text || "").toLowerCase() ? el("div", { class: "muted-text" }, `heard “${t.heard}”, snapped to “${t.text}”`) : null;
  const wake = t.wake ? el("div", { class: "muted-text" }, `wake “${t.wake.phrase}”` +
    (t.wake.confidence !== null ? ` (${Number(t.wake.confidence).toFixed(2)})` : "")) : null;
  const commands = t.commands.map((c) => el("li", {}, `${c.action} ${c.device} ${Object.keys(c.params).length ? JSON.stringify(c.params) : ""}`));
  return el("li", { class: "turn", id: `turn-${t.id}`, "data-room": t.room },
    el("div", { class: "muted-text" }, `${t.room} · ${t.source} · ${when(t.started)}`),
    wake,
    t.text ? el("div", { class: "said" }, `“${t.text}”`) : null,
    heard,
    t.intent ? el("div", {}, el("code", {}, t.intent), " ", el("code", {}, JSON.stringify(t.slots))) : null,
    commands.length ? el("ul", { class: "commands" }, commands) : null,
    t.reply ? el("div", { class: "reply" }, t.reply) : null,
    t.audio ? el("audio", { controls: true, preload: "none", src: `/api/turns/${t.id}/audio` }) : null,
    el("div", { class: "steps" }, steps));
}

function putTurn(t) {
  const list = $("#turns");
  if (!list) return;
  const node = turnNode(t);
  const old = document.getElementById(`turn-${t.id}`);
  // Keep a player that is already there: an update must not stop audio someone is hearing.
  const playing = old?.querySelector("audio");
  const fresh = node.querySelector("audio");
  if (playing && fresh) fresh.replaceWith(playing);
  if (old) old.replaceWith(node); else list.prepend(node);
}

async function showTurns() {
  const [{ data: rooms }, { data: turns }] = await Promise.all([api("/api/rooms"), api("/api/turns")]);
  $("#say-room").replaceChildren(...rooms.rooms.map((r) => el("option", { value: r.id }, r.name)));
  $("#turns").replaceChildren(...turns.map(turnNode));
  $("#say").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("#say-text").value;
    const result = await api("/api/say", { method: "POST", body: { room: $("#say-room").value, text } });
    notice(result.ok ? "" : result.data.error);
    if (result.ok) $("#say-text").value = "";
  });
}

// --- devices ------------------------------------------------------------------------------------
async function control(d, action, params = {}, confirmed = false) {
  const result = await api(`/api/devices/${encodeURIComponent(d.id)}`, { method: "POST", body: { action, params, confirm: confirmed } });
  if (result.status === 409 && !confirmed) {
    if (window.confirm(`${result.data.error}\n\nReally ${action.replace("_", " ")} ${d.name}?`)) return control(d, action, params, true);
    return;
  }
  notice(result.ok ? "" : result.data.error);
}

function deviceRow(d) {
  const buttons = d.actions.filter((a) => !a.startsWith("set_")).map((a) =>
    el("button", { type: "button", "data-action": a, onclick: () => control(d, a) }, a.replace("_", " ")));
  return el("tr", { id: `device-${d.id}` },
    el("td", {}, d.name, d.sensitive ? " 🔒" : "", d.available ? "" : el("span", { class: "errors" }, " (unavailable)")),
    el("td", {}, d.room || "–"),
    el("td", { class: "state" }, stateText(d.state)),
    el("td", {}, buttons));
}

let devices = {};
async function showDevices() {
  const { data } = await api("/api/devices");
  devices = Object.fromEntries(data.map((d) => [d.id, d]));
  $("#devices tbody").replaceChildren(...data.map(deviceRow));
}

// --- automations --------------------------------------------------------------------------------
async function showTraces(id) {
  const { data } = await api(`/api/automations/${encodeURIComponent(id)}/traces`);
  $("#traces").replaceChildren(el("h2", {}, `Traces of ${id}`), ...(data.length ? data.reverse().map((t) =>
    el("div", { class: "card" }, el("strong", {}, `run ${t.run} · ${when(t.started)} · ${t.outcome}`),
      t.error ? el("div", { class: "errors" }, t.error) : null,
      el("ol", {}, ...t.conditions.map((c) => el("li", {}, `condition ${c.path} (${c.type}): ${c.result ? "pass" : "fail"}`)),
        ...t.steps.map((s) => el("li", {}, `${s.path} (${s.type}): ${s.outcome} ${s.duration_ms.toFixed(1)} ms${s.error ? " – " + s.error : ""}`))))) : [el("p", {}, "No runs yet.")]));
}

async function showAutomations() {
  const { data } = await api("/api/automations");
  $("#reload").disabled = !data.reloadable;
  const errors = $("#reload-errors");
  errors.hidden = !data.errors.length;
  errors.textContent = data.errors.join("\n");
  $("#automations tbody").replaceChildren(...data.automations.map((a) => el("tr", { id: `automation-${a.id}` },
    el("td", {}, a.alias || a.id, el("div", { class: "muted-text" }, a.id)),
    el("td", {}, a.triggers.join(", ")),
    el("td", {}, `${when(a.last_run)} ${a.last_outcome || ""}`),
    el("td", {}, el("input", { type: "checkbox", checked: a.enabled, onchange: async (e) => {
      const r = await api(`/api/automations/${encodeURIComponent(a.id)}/enabled`, { method: "POST", body: { enabled: e.target.checked } });
      notice(r.ok ? "" : r.data.error);
    } })),
    el("td", {}, el("button", { type: "button", onclick: () => showTraces(a.id) }, "traces")))));
}

async function reload() {
  const r = await api("/api/automations/reload", { method: "POST" });
  const errors = $("#reload-errors");
  errors.hidden = r.ok;
  errors.textContent = r.ok ? "" : (r.data.errors || [r.data.error]).join("\n");
  notice(r.ok ? `Reloaded ${r.data.automations.length} automations.` : "Not reloaded: the previous automations keep running.");
  if (r.ok) showAutomations();
}

// --- people and memory ------------------------------------------------------------------------
async function showMemory() {
  const [{ data: p }, { data: memories }] = await Promise.all([api("/api/persona"), api("/api/memory")]);
  $("#persona").replaceChildren(el("p", {}, `Persona ${p.default}` + (p.mood ? `, feeling ${p.mood.feels}` : "") + ". Model: " +
    (p.model ? `${p.model.model} at ${p.model.base_url} (${p.model_connected ? "connected" : "not started"})` : "none (the offline self answers)") +
    `. People: ${p.people.join(", ") || "none configured"}.`));
  $("#memories tbody").replaceChildren(...memories.map((m) => el("tr", { id: `memory-${m.id}` },
    el("td", {}, m.owner), el("td", {}, m.text), el("td", {}, m.source), el("td", {}, when(m.created)),
    el("td", {}, el("button", { type: "button", onclick: async () => {
      if (!window.confirm(`Forget “${m.text}”?`)) return;
      const r = await api(`/api/memory/${m.id}`, { method: "DELETE" });
      notice(r.ok ? "" : r.data.error);
      showMemory();
    } }, "forget")))));
}

// --- live updates -----------------------------------------------------------------------------
function connect() {
  const source = new EventSource("/api/events");
  source.onopen = () => $("#live").className = "on";
  source.onerror = () => $("#live").className = "off";
  source.addEventListener("turn", (e) => putTurn(JSON.parse(e.data)));
  source.addEventListener("device", (e) => {
    const u = JSON.parse(e.data);
    const d = devices[u.id];
    if (d) { d.state = u.state; document.getElementById(`device-${d.id}`)?.replaceWith(deviceRow(d)); }
  });
  source.addEventListener("room", (e) => {
    const u = JSON.parse(e.data);
    const badge = document.querySelector(`#room-${CSS.escape(u.id)} .activity`);
    if (badge) { badge.textContent = u.activity; badge.className = `activity ${u.activity}`; badge.dataset.activity = u.activity; }
  });
}

$("#logout")?.addEventListener("click", async () => {
  await fetch("/logout", { method: "POST", headers: { "X-CSRF-Token": csrf } });
  location.href = "/login";
});
$("#reload")?.addEventListener("click", reload);
const shows = { rooms: showRooms, turns: showTurns, devices: showDevices, automations: showAutomations, memory: showMemory };
shows[page]().then(() => { document.body.dataset.ready = "1"; }).catch((err) => notice(String(err)));
connect();
