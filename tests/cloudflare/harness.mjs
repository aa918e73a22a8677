// The Worker's Python under Pyodide in Node, on miniflare's real local D1.
//
//   node harness.mjs PERSIST_DIR ISOLATES
//
// Runs on Node >= 24 (JSPI: Pyodide's run_sync, which the Workers SDK's WSGI
// adapter and tangopass.worker.d1 need). Starts miniflare with the D1 database
// bound as DB (persisted under PERSIST_DIR/v3/d1, where `wrangler d1 migrations
// apply --local --persist-to PERSIST_DIR` writes), and ISOLATES independent
// Pyodide interpreters, each loading the staged Worker (.worker/ and
// python_modules/ from cloudflare/stage.py) and the Workers SDK. Each isolate
// reaches D1 through a small JavaScript Worker holding the binding: one round
// trip per call, as in production.
//
// Protocol: one JSON object per line on stdin, one answer per line on stdout,
// matched by "id". Ops: request, clock, sql, rebuild, held, release. Every
// request answer carries what it cost: D1 round trips, statements, the most
// bound parameters of one statement, rows read and written (D1's own meta), CPU
// ms in Node, batches D1 refused and the command runner's retries.
//
// A request may name a "gate" and "hold" its first N writing batches there: each waits,
// unsent, until a "release" op for that gate; a "held" op answers once the gated
// request waits at a batch. Tests use it to make two isolates' commands
// interleave for certain (A has read and decided, B commits, then A's batch goes).
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { loadPyodide } from "pyodide";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const [persistDir, isolateCount = "2"] = process.argv.slice(2);

// A small JavaScript Worker holds the D1 binding; each D1 call of the Python
// Worker is one request to it (one round trip, as in production). miniflare's
// synchronous binding proxy is not used: it loses track of replies under load.
const D1_WORKER = `
const blob = (v) => (v && typeof v === "object" && "$blob" in v)
  ? Uint8Array.from(atob(v.$blob), (c) => c.charCodeAt(0)) : v;
const plain = (results) => (results ?? []).map((row) => Object.fromEntries(Object.entries(row).map(
  ([k, v]) => [k, v instanceof ArrayBuffer ? Array.from(new Uint8Array(v)) : v])));
export default {
  async fetch(request, env) {
    const { statements, batch } = await request.json();
    const prepared = statements.map(([sql, params]) =>
      params.length ? env.DB.prepare(sql).bind(...params.map(blob)) : env.DB.prepare(sql));
    try {
      const results = batch ? await env.DB.batch(prepared) : [await prepared[0].all()];
      return Response.json({ ok: true, results: results.map((r) => ({ results: plain(r.results), meta: r.meta })) });
    } catch (error) {
      return Response.json({ ok: false, error: String(error?.message ?? error) });
    }
  },
};`;
const mf = new Miniflare({
  modules: true,
  script: D1_WORKER,
  compatibilityDate: "2026-04-26",
  d1Databases: { DB: "DB" },
  d1Persist: path.join(persistDir, "v3", "d1"),
});
await mf.ready;

const encode = (v) => (v instanceof Uint8Array) ? { $blob: Buffer.from(v).toString("base64") } : v;
async function d1(statements, batch) {
  const response = await mf.dispatchFetch("http://d1.local/", {
    method: "POST", body: JSON.stringify({ batch, statements: statements.map(([sql, params]) => [sql, params.map(encode)]) }),
  });
  const answer = await response.json();
  if (!answer.ok) throw new Error(answer.error);
  return answer.results;
}

// CPU of Node while it waits for one D1 call: the bridge to workerd, not the Worker's CPU.
async function timed(cost, call) {
  const started = process.cpuUsage();
  try { return await call(); } finally {
    const used = process.cpuUsage(started);
    cost.d1_wait_cpu_ms += (used.user + used.system) / 1000;
  }
}

// Gates by name: { remaining, held: {resolve, sql} | null, done, onHeld: [callbacks] }.
const gates = new Map();
function gateNamed(name) {
  if (!gates.has(name)) gates.set(name, { remaining: 0, held: null, done: false, onHeld: [] });
  return gates.get(name);
}
const notifyGate = (gate) => gate.onHeld.splice(0).forEach((notify) => notify());
const writes = (statements) => statements.some((s) => !/^\s*SELECT\b/i.test(s.sql));
async function passGate(gate, statements) {
  if (!gate || gate.remaining <= 0 || !writes(statements)) return;  // reads pass
  gate.remaining -= 1;
  await new Promise((resolve) => {
    gate.held = { resolve, sql: statements.map((s) => s.sql) };
    notifyGate(gate);
  });
}

// A D1 binding that counts what one request costs (and may hold its batches at a gate).
function countingDb(cost, gate = null) {
  const meta = (result) => {
    cost.rows_read += result?.meta?.rows_read ?? 0;
    cost.rows_written += result?.meta?.rows_written ?? 0;
  };
  const statement = (sql, params = []) => ({
    sql, params,
    bind(...values) { return statement(sql, values); },
    async all() {
      cost.round_trips += 1; cost.statements += 1;
      cost.max_params = Math.max(cost.max_params, params.length);
      const [result] = await timed(cost, () => d1([[sql, params]], false)); meta(result); return result;
    },
  });
  return {
    prepare(sql) { return statement(sql); },
    async batch(statements) {
      await passGate(gate, statements);
      cost.round_trips += 1; cost.statements += statements.length;
      for (const s of statements) cost.max_params = Math.max(cost.max_params, s.params.length);
      let results;
      try {
        results = await timed(cost, () => d1(statements.map((s) => [s.sql, s.params]), true));
      } catch (error) { cost.refused_batches += 1; throw error; }
      results.forEach(meta); return results;
    },
  };
}

async function startIsolate() {
  const py = await loadPyodide({ stdout: (t) => process.stderr.write(t + "\n"), stderr: (t) => process.stderr.write(t + "\n") });
  const mounts = { "/worker": path.join(root, ".worker"), "/vendor": path.join(root, "python_modules"),
                   "/sdk": path.join(root, ".cache", "harness-sdk") };
  for (const [target, source] of Object.entries(mounts)) {
    py.FS.mkdirTree(target);
    py.FS.mount(py.FS.filesystems.NODEFS, { root: source }, target);
  }
  // What the Cloudflare runtime provides to the SDK; the harness has no waitUntil.
  py.registerJsModule("_cloudflare_compat_flags", { python_workflows_implicit_dependencies: false,
                                                    python_request_headers_preserve_commas: false });
  py.registerJsModule("_pyodide_entrypoint_helper", { patchWaitUntil() {}, doAnImport() { throw new Error("no JS imports in the harness"); } });
  py.runPython(`
import sys
sys.path[:0] = ["/worker", "/vendor", "/sdk"]
import entry
from datetime import datetime
import tangopass.worker.app as worker_app
CLOCK = [None]
def test_clock():
    return CLOCK[0] or datetime.now().astimezone()
def rebuild(env, url):
    worker_app._app.clear()
    worker_app._app.append(worker_app.build_app(env, url, clock=test_clock))
def set_clock(iso):
    CLOCK[0] = datetime.fromisoformat(iso)
def retries():
    return worker_app.RETRIES[0]
`);
  return py;
}

const newCost = () => ({ round_trips: 0, statements: 0, max_params: 0, rows_read: 0, rows_written: 0,
                         d1_wait_cpu_ms: 0, refused_batches: 0, retries: 0 });
const isolates = [];
for (let i = 0; i < Number(isolateCount); i++) isolates.push(await startIsolate());
const envOf = (cost, vars, gate = null) => ({ DB: countingDb(cost, gate), ...vars });
let vars = {};

async function request(msg) {
  const py = isolates[msg.isolate ?? 0];
  if (msg.now) py.globals.get("set_clock")(msg.now);
  const cost = newCost();
  let gate = null;
  if (msg.gate) {
    gate = gateNamed(msg.gate);
    Object.assign(gate, { remaining: msg.hold ?? 1, held: null, done: false });
  }
  const env = envOf(cost, vars, gate);
  const init = { method: msg.method, headers: msg.headers ?? {} };
  if (msg.body_b64 != null) {
    init.body = Buffer.from(msg.body_b64, "base64");
    // As a real client sends it (the runtime's requests carry it too).
    if (!Object.keys(init.headers).some((k) => k.toLowerCase() === "content-length")) {
      init.headers = { ...init.headers, "Content-Length": String(init.body.length) };
    }
  }
  const req = new Request(msg.url, init);
  const Default = py.globals.get("entry").Default;
  // The app was built with a counting binding of its own; point it at this request's.
  py.globals.get("worker_app").DATABASES.get("DB").binding = env.DB;
  const retriesBefore = py.globals.get("retries")();
  const started = process.cpuUsage();
  const worker = Default({}, env);
  let response, body;
  try {
    response = await worker.fetch(req);
    body = Buffer.from(await response.arrayBuffer());
  } finally {
    if (gate) { gate.done = true; notifyGate(gate); }
  }
  const used = process.cpuUsage(started);
  worker.destroy(); Default.destroy();
  cost.retries = py.globals.get("retries")() - retriesBefore;
  return { status: response.status, headers: [...response.headers.entries()], body_b64: body.toString("base64"),
           cost: { ...cost, cpu_ms: (used.user + used.system) / 1000 - cost.d1_wait_cpu_ms } };
}

async function handle(msg) {
  switch (msg.op) {
    case "request": return await request(msg);
    case "clock": for (const py of isolates) py.globals.get("set_clock")(msg.now); return {};
    case "rebuild": {
      vars = msg.vars ?? {};
      for (const py of isolates) py.globals.get("rebuild")(envOf(newCost(), vars), msg.url);
      return {};
    }
    case "held": {
      // The statements of the batch now held, or null once the request has finished.
      const gate = gateNamed(msg.gate);
      if (!gate.held && !gate.done) await new Promise((notify) => gate.onHeld.push(notify));
      return { sql: gate.held ? gate.held.sql : null };
    }
    case "release": {
      const gate = gateNamed(msg.gate);
      if (!gate.held) throw new Error(`nothing is held at gate ${msg.gate}`);
      const { resolve } = gate.held;
      gate.held = null;
      resolve();
      return {};
    }
    case "sql": {
      if (msg.batch) return { results: (await d1(msg.batch, true)).map((r) => r.results) };
      const [result] = await d1([[msg.sql, msg.params ?? []]], false);
      return { results: result.results };
    }
    default: throw new Error(`unknown op ${msg.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
const pending = new Set();
lines.on("line", (line) => {
  const msg = JSON.parse(line);
  const done = handle(msg).then(
    (answer) => process.stdout.write(JSON.stringify({ id: msg.id, ok: true, ...answer }) + "\n"),
    (error) => process.stdout.write(JSON.stringify({ id: msg.id, ok: false, error: String(error?.stack ?? error) }) + "\n"),
  ).finally(() => pending.delete(done));
  pending.add(done);
});
// End of input: finish what was asked, then stop miniflare (no stray workerd).
// A test that failed with a batch held at a gate leaves it there: let it go first.
lines.on("close", async () => {
  for (const gate of gates.values()) {
    gate.remaining = 0;
    if (gate.held) { const { resolve } = gate.held; gate.held = null; resolve(); }
  }
  await Promise.allSettled([...pending]); await mf.dispose(); process.exit(0);
});
process.stdout.write(JSON.stringify({ ready: true, isolates: isolates.length }) + "\n");
