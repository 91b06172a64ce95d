// The dashboard in a real browser (Debian's headless Chromium through playwright-core) against a
// live pool: test node + poold + the built-in miner. Checks that numbers appear after shares,
// that the address lookup works, that the Japanese switch works, and keeps a screenshot.
// Environment: POOL_BUILD_DIR (the CMake build directory), SCREENSHOT (where to save the PNG).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const build = process.env.POOL_BUILD_DIR;
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const address = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function until(what, check, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try { const v = await check(); if (v) return v; } catch { /* not ready yet */ }
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("dashboard shows a live pool", { timeout: 120000 }, async (t) => {
  if (!existsSync(chromiumPath)) {
    if (process.env.CI === "true") assert.fail("Chromium is required in CI (" + chromiumPath + ")");
    t.skip("SKIP: no Chromium at " + chromiumPath);
    return;
  }
  const { chromium } = await import("playwright-core");
  const dir = mkdtempSync(join(tmpdir(), "pool-dashboard-"));
  const [rpc, zmq, stratum, api] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const children = [];
  const start = (cmd, args) => { const c = spawn(cmd, args, { stdio: "ignore" }); children.push(c); return c; };
  t.after(() => children.forEach((c) => c.kill("SIGTERM")));

  start(join(build, "tools/testnode/testnode"), ["--port", String(rpc), "--zmq-hashblock", `tcp://127.0.0.1:${zmq}`]);
  writeFileSync(join(dir, "pool.ini"), `[bitcoin]
port = ${rpc}
user = pool
password = pool
zmq_hashblock = tcp://127.0.0.1:${zmq}
[stratum]
host = 127.0.0.1
port = ${stratum}
difficulty = 0.001
vardiff_target_seconds = 1
[pool]
address = ${address}
[database]
db_path = sqlite:///${join(dir, "pool.db")}
[api]
port = ${api}
`);
  start(join(build, "src/app/poold"), ["--config", join(dir, "pool.ini")]);
  const base = `http://127.0.0.1:${api}`;
  await until("the API", async () => (await fetch(base + "/api/pool")).ok);
  start(join(build, "tools/pool_miner/pool-miner"), ["-o", `stratum+tcp://127.0.0.1:${stratum}`, "-u", `${address}.browser`]);
  await until("accepted shares", async () => (await (await fetch(base + "/api/pool")).json()).accepted_shares > 2);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: "en-US" });
  await page.goto(base + "/");
  await page.waitForFunction(() => document.getElementById("workers").textContent === "1");
  const hashrate = await page.textContent("#hashrate");
  assert.match(hashrate, /[1-9]/, "hashrate shows a non-zero number: " + hashrate);
  await page.waitForFunction(() => Number(document.getElementById("blocks").textContent) > 0);
  assert.ok(Number(await page.textContent("#height")) > 0);
  await page.waitForFunction(() => document.querySelectorAll("#block-rows tr").length > 0);

  // "What you are mining now": the current job's height and its pool reward output paying the
  // pool's address the whole coinbase value, as /api/job decodes it.
  // (Blocks come fast on regtest, so the height is checked against the chain, not one fetch.)
  const job = await (await fetch(base + "/api/job")).json();
  await page.waitForFunction(() => Number(document.getElementById("job-height").textContent) > 0);
  const shownHeight = Number(await page.textContent("#job-height"));
  assert.ok(shownHeight >= 1 && shownHeight <= job.height + 10, "job height " + shownHeight + " near " + job.height);
  const reward = await page.waitForSelector("#job-outputs td[data-role=pool_reward]");
  assert.equal(await reward.textContent(), "Pool reward");
  const rewardRow = await page.$$eval("#job-outputs tr", (trs) => {
    const tr = trs.find((r) => r.querySelector("td[data-role=pool_reward]"));
    return [...tr.children].map((td) => td.textContent);
  });
  assert.equal(rewardRow[0], "0", "the pool reward is output 0");
  assert.equal(rewardRow[2], address);
  assert.ok(Number(rewardRow[3]) > 0, "the reward output carries the coinbase value: " + rewardRow[3]);
  assert.equal(await page.textContent("#job-tag"), job.coinbase_tag);
  assert.match(await page.textContent("#job-prev"), /^[0-9a-f]{64}$/);

  await page.fill("#address", address);
  await page.click("#lookup button");
  await page.waitForSelector("#miner-summary");
  assert.match(await page.textContent("#miner-summary"), /BTC/);
  assert.equal(await page.textContent("#worker-rows tr td"), `${address}.browser`);

  await page.fill("#address", "not-an-address");
  await page.click("#lookup button");
  await page.waitForSelector("#miner .error");

  await page.fill("#address", address);
  await page.click("#lookup button");
  await page.waitForSelector("#miner-summary");
  const shot = process.env.SCREENSHOT || join(dir, "dashboard.png");
  await page.screenshot({ path: shot, fullPage: true });
  // The same page in Japanese, kept next to it (dashboard.ja.png).
  await page.click("#lang-ja");
  assert.equal(await page.textContent("[data-i18n=hashrate]"), "プールのハッシュレート");
  // Everything on the page follows the switch, the miner shown too, not only the static labels.
  await page.waitForFunction(() => document.querySelector("#miner-summary")?.textContent.includes("残高"));
  assert.equal(await page.textContent("#miner thead th"), "ワーカー");
  assert.equal(await page.textContent("#block-rows tr td:nth-child(2)"), "成熟待ち");
  await page.waitForFunction(() => document.querySelector("#job-outputs td[data-role=pool_reward]")?.textContent === "プールの報酬");
  await page.screenshot({ path: shot.replace(/\.png$/, ".ja.png"), fullPage: true });
  await page.click("#lang-en");
  assert.equal(await page.textContent("[data-i18n=hashrate]"), "Pool hashrate");
  await page.waitForFunction(() => document.querySelector("#miner-summary")?.textContent.includes("Balance"));
});

// SOLO: after looking up a miner, "What you are mining now" shows the coinbase personalized for
// that miner's address (GET /api/job?address=), which pays it the whole reward.
test("dashboard shows a SOLO miner its own coinbase", { timeout: 120000 }, async (t) => {
  if (!existsSync(chromiumPath)) {
    if (process.env.CI === "true") assert.fail("Chromium is required in CI (" + chromiumPath + ")");
    t.skip("SKIP: no Chromium at " + chromiumPath);
    return;
  }
  const { chromium } = await import("playwright-core");
  const dir = mkdtempSync(join(tmpdir(), "pool-dashboard-solo-"));
  const [rpc, stratum, api] = [await freePort(), await freePort(), await freePort()];
  const children = [];
  const start = (cmd, args) => { const c = spawn(cmd, args, { stdio: "ignore" }); children.push(c); return c; };
  t.after(() => children.forEach((c) => c.kill("SIGTERM")));
  start(join(build, "tools/testnode/testnode"), ["--port", String(rpc)]);
  writeFileSync(join(dir, "pool.ini"), `[bitcoin]
port = ${rpc}
user = pool
password = pool
[stratum]
host = 127.0.0.1
port = ${stratum}
[pool]
payout_scheme = solo
address = ${address}
[database]
db_path = sqlite:///${join(dir, "pool.db")}
[api]
port = ${api}
`);
  start(join(build, "src/app/poold"), ["--config", join(dir, "pool.ini")]);
  const base = `http://127.0.0.1:${api}`;
  await until("the first job", async () => (await fetch(base + "/api/job")).ok);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: "en-US" });
  await page.goto(base + "/");
  const miner = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";
  await page.waitForSelector("#job-outputs td[data-role=miner_reward]");
  await page.fill("#address", miner);
  await page.click("#lookup button");
  await page.waitForFunction((m) => {
    const td = document.querySelector("#job-outputs td[data-role=miner_reward]");
    return td && td.nextElementSibling.textContent === m;
  }, miner);
  assert.equal(await page.textContent("#job-outputs td[data-role=miner_reward]"), "Miner reward");
});

// The proof checker the dashboard runs (src/api/web/verify.js), on the leaf vector pool-verify's
// tests computed independently with Python (tests/pool_verify/verify_test.cpp).
test("verify.js recomputes the documented v1 leaf vector", async () => {
  await import(new URL("../../src/api/web/verify.js", import.meta.url));
  const { hex, leafEncoding, sha256d, credit } = globalThis.proofCheck;
  const leaf = { worker: "rig1", first_share_id: 7, last_share_id: 42, shares: 36, weight: (3n * (1n << 120n) + 12345n).toString() };
  const bytes = leafEncoding("bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d", leaf);
  assert.equal(hex(bytes), "50504c4e532d6c6561662d76312c62637274317137706468786e716132736a6b68667a356b35617373396a3079346a3433763467" +
      "303936713064047269673107000000000000002a00000000000000240000000000000039300000000000000000000000000003");
  assert.equal(hex(await sha256d(bytes)), "2d78dd7a6a2efe85e5692d1087b9d0075e7053dee76c4118f271b8a842f447f0");
  // The embedded SHA-256 a page served over plain HTTP uses (no crypto.subtle there).
  const { sha256 } = globalThis.proofCheck;
  assert.equal(hex(sha256(sha256(bytes))), "2d78dd7a6a2efe85e5692d1087b9d0075e7053dee76c4118f271b8a842f447f0");
  assert.equal(hex(sha256(new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // 1% fee of 50 BTC: 50,000,000 sats; a third of the rest, rounded down.
  assert.equal(credit(5000000000n, 10000n, 1n, 3n), 1650000000n);
});

// A miner with a credited PPLNS block looks itself up: the block links to its proof, the browser's
// own recomputation says "verified" (検証済み in Japanese), and a proof changed on the way
// (one leaf's weight, or the credit) says "mismatch" with the check that failed.
test("dashboard verifies a credited block's window proof", { timeout: 180000 }, async (t) => {
  if (!existsSync(chromiumPath)) {
    if (process.env.CI === "true") assert.fail("Chromium is required in CI (" + chromiumPath + ")");
    t.skip("SKIP: no Chromium at " + chromiumPath);
    return;
  }
  const { chromium } = await import("playwright-core");
  const dir = mkdtempSync(join(tmpdir(), "pool-dashboard-proof-"));
  const [rpc, zmq, stratum, api] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const children = [];
  const start = (cmd, args) => { const c = spawn(cmd, args, { stdio: "ignore" }); children.push(c); return c; };
  t.after(() => children.forEach((c) => c.kill("SIGTERM")));
  start(join(build, "tools/testnode/testnode"), ["--port", String(rpc), "--zmq-hashblock", `tcp://127.0.0.1:${zmq}`]);
  writeFileSync(join(dir, "pool.ini"), `[bitcoin]
port = ${rpc}
user = pool
password = pool
zmq_hashblock = tcp://127.0.0.1:${zmq}
[stratum]
host = 127.0.0.1
port = ${stratum}
difficulty = 0.001
vardiff_target_seconds = 1
[pool]
address = ${address}
# Regtest's difficulty is tiny: a window of 10^8 times it holds dozens of 0.001 shares.
pplns_window = 100000000
[database]
db_path = sqlite:///${join(dir, "pool.db")}
[api]
port = ${api}
`);
  start(join(build, "src/app/poold"), ["--config", join(dir, "pool.ini")]);
  const base = `http://127.0.0.1:${api}`;
  const getJson = async (path) => { const r = await fetch(base + path); return r.ok ? r.json() : null; };
  await until("the API", async () => (await fetch(base + "/api/pool")).ok);
  const miner = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";
  // Two workers of the miner and one of someone else: three leaves, so the proof has two leaves
  // with one-step paths (and the tree an odd level).
  const miners = [`${miner}.rig1`, `${miner}.rig2`, `${address}.other`].map((user) =>
    start(join(build, "tools/pool_miner/pool-miner"), ["-o", `stratum+tcp://127.0.0.1:${stratum}`, "-u", user]));
  // Regtest blocks come with nearly every share: mine until a found block's window holds all three
  // and is carried on-chain by a later pool block, then stop so it stays among the recent blocks.
  const block = await until("a block whose three-leaf window is committed on-chain", async () => {
    for (const b of (await getJson("/api/blocks")) || []) {
      const w = await getJson(`/api/blocks/${b.hash}/window?limit=1`);
      if (w && w.commitment_block && w.leaf_count === 3) return b.hash;
    }
    return null;
  }, 90000);
  miners.forEach((m) => m.kill("SIGTERM"));
  // Maturity takes 100 confirmations: the test node mines them (as any other miner would).
  const rpcCall = (method, params) => fetch(`http://127.0.0.1:${rpc}/`, {
    method: "POST", headers: { Authorization: "Basic " + Buffer.from("pool:pool").toString("base64") },
    body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }) }).then((r) => r.json());
  const generated = await rpcCall("generatetoaddress", [101, address]);
  assert.equal(generated.error, null, JSON.stringify(generated.error));
  const proof = await until("the block credited", async () => {
    const p = await getJson(`/api/blocks/${block}/proof/${miner}`);
    return p && p.credited ? p : null;
  }, 60000);
  assert.ok(proof.credited_sats > 0);
  assert.equal(proof.leaves.length, 2);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  t.after(() => browser.close());
  const lookUp = async (page) => {
    await page.goto(base + "/");
    await page.waitForFunction(() => document.getElementById("scheme").textContent !== "-");
    await page.fill("#address", miner);
    await page.click("#lookup button");
    return page.waitForSelector(`#proof-rows tr[data-block="${block}"] .badge`);
  };
  const row = (page, n) => page.textContent(`#proof-rows tr[data-block="${block}"] td:nth-child(${n})`);

  const page = await browser.newPage({ locale: "en-US" });
  const badge = await lookUp(page);
  assert.equal(await badge.textContent(), "verified");
  assert.equal(await row(page, 3), (proof.credited_sats / 1e8).toFixed(8) + " (credited)");
  assert.equal(await page.getAttribute(`#proof-rows tr[data-block="${block}"] a`, "href"), `/api/blocks/${block}/proof/${miner}`);
  assert.equal(await page.$(`#proof-rows tr[data-block="${block}"] .uncommitted`), null, "the window is committed");
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT.replace(/\.png$/, ".proof.png"), fullPage: true });
  await page.click("#lang-ja");
  await page.waitForFunction((b) => document.querySelector(`#proof-rows tr[data-block="${b}"] .badge`)?.textContent === "検証済み", block);

  // The same proof altered on its way to the browser.
  const tampered = async (change) => {
    const p = await browser.newPage({ locale: "en-US" });
    await p.route(`**/api/blocks/${block}/proof/*`, async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      change(json);
      await route.fulfill({ response, json });
    });
    return [p, await lookUp(p)];
  };
  let [, bad] = await tampered((p) => { p.leaves[0].weight = (BigInt(p.leaves[0].weight) + 1n).toString(); });
  assert.equal(await bad.textContent(), "mismatch: a leaf hash differs from its fields");
  [, bad] = await tampered((p) => { p.credited_sats += 1; });
  assert.equal(await bad.textContent(), "mismatch: the credit does not follow the formula");
  [, bad] = await tampered((p) => { p.leaves[0].path[0] = "00".repeat(32); });
  assert.equal(await bad.textContent(), "mismatch: a Merkle path does not lead to the root");
  [, bad] = await tampered((p) => { p.address_weight = (BigInt(p.address_weight) - BigInt(p.leaves[1].weight)).toString(); });
  assert.equal(await bad.textContent(), "mismatch: the leaf weights do not add up to your weight");
  // Not carried on-chain yet: said so, and the rest is still checked.
  const [uncommitted, ok] = await tampered((p) => { p.commitment_block = null; p.commitment_txid = null; });
  assert.equal(await ok.textContent(), "verified");
  assert.equal(await uncommitted.textContent(`#proof-rows tr[data-block="${block}"] .uncommitted`), " · not committed yet");
});
