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
