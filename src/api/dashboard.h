#pragma once
// The dashboard page served at "/": plain HTML, CSS and JavaScript with no external assets (no
// CDN, nothing fetched at run time). It reads the JSON API every 5 seconds; English/Japanese.
namespace pool::api {

inline constexpr const char* kDashboardHtml = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bitcoin-mining-pool</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #10141a; color: #e6e6e6; }
  header { display: flex; justify-content: space-between; align-items: center; padding: 12px 20px; background: #1b2230; }
  h1 { font-size: 20px; margin: 0; color: #f7931a; }
  main { padding: 16px 20px; max-width: 1200px; margin: auto; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
  .card { background: #1b2230; border-radius: 8px; padding: 12px; }
  .card .label { font-size: 12px; color: #9aa4b2; }
  .card .value { font-size: 22px; margin-top: 4px; }
  section { margin-top: 20px; }
  h2 { font-size: 16px; color: #f7931a; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 6px; border-bottom: 1px solid #2a3344; }
  td.mono { font-family: monospace; }
  svg { background: #1b2230; border-radius: 8px; width: 100%; height: 160px; }
  input { width: 60%; padding: 6px; background: #0b0f14; color: #e6e6e6; border: 1px solid #2a3344; border-radius: 4px; }
  button { padding: 6px 12px; background: #f7931a; border: 0; border-radius: 4px; cursor: pointer; }
  .muted { color: #9aa4b2; }
  .error { color: #ff6b6b; }
</style>
</head>
<body>
<header>
  <h1>bitcoin-mining-pool</h1>
  <div><button id="lang-en">English</button> <button id="lang-ja">日本語</button></div>
</header>
<main>
  <div class="cards">
    <div class="card"><div class="label" data-i18n="hashrate">Pool hashrate</div><div class="value" id="hashrate">-</div></div>
    <div class="card"><div class="label" data-i18n="miners">Miners</div><div class="value" id="miners">-</div></div>
    <div class="card"><div class="label" data-i18n="workers">Workers</div><div class="value" id="workers">-</div></div>
    <div class="card"><div class="label" data-i18n="shares">Shares/s</div><div class="value" id="shares">-</div></div>
    <div class="card"><div class="label" data-i18n="height">Network height</div><div class="value" id="height">-</div></div>
    <div class="card"><div class="label" data-i18n="difficulty">Network difficulty</div><div class="value" id="difficulty">-</div></div>
    <div class="card"><div class="label" data-i18n="blocks">Blocks found</div><div class="value" id="blocks">-</div></div>
    <div class="card"><div class="label" data-i18n="scheme">Payout scheme / fee</div><div class="value" id="scheme">-</div></div>
  </div>
  <section>
    <h2 data-i18n="chart">Pool hashrate over time</h2>
    <svg id="chart" viewBox="0 0 1000 160" preserveAspectRatio="none"><polyline id="line" fill="none" stroke="#f7931a" stroke-width="2" points=""/></svg>
  </section>
  <section>
    <h2 data-i18n="lookup">Look up a miner</h2>
    <form id="lookup"><input id="address" placeholder="bc1q..."> <button type="submit" data-i18n="search">Search</button></form>
    <div id="miner"></div>
  </section>
  <section>
    <h2 data-i18n="recentBlocks">Recent blocks</h2>
    <table><thead><tr><th data-i18n="height">Height</th><th data-i18n="status">Status</th><th data-i18n="confirmations">Confirmations</th><th data-i18n="reward">Reward (BTC)</th><th data-i18n="finder">Finder</th></tr></thead><tbody id="block-rows"></tbody></table>
  </section>
  <section>
    <h2 data-i18n="recentPayments">Recent payouts</h2>
    <table><thead><tr><th>ID</th><th data-i18n="status">Status</th><th data-i18n="total">Total (BTC)</th><th data-i18n="recipients">Recipients</th><th>txid</th></tr></thead><tbody id="payment-rows"></tbody></table>
  </section>
</main>
<script>
const texts = {
  en: { hashrate: "Pool hashrate", miners: "Miners", workers: "Workers", shares: "Shares/s", height: "Network height",
        difficulty: "Network difficulty", blocks: "Blocks found", scheme: "Payout scheme / fee", chart: "Pool hashrate over time",
        lookup: "Look up a miner", search: "Search", recentBlocks: "Recent blocks", recentPayments: "Recent payouts",
        status: "Status", confirmations: "Confirmations", reward: "Reward (BTC)", finder: "Finder", total: "Total (BTC)",
        recipients: "Recipients", balance: "Balance", pending: "Pending payout", paid: "Paid", worker: "Worker",
        accepted: "Accepted", rejected: "Rejected", noWorkers: "No active workers", payouts: "Payouts", workerHashrate: "Hashrate",
        st_pending: "pending", st_confirmed: "confirmed", st_orphaned: "orphaned", st_rejected: "rejected",
        st_sent: "sent", st_released: "released" },
  ja: { hashrate: "プールのハッシュレート", miners: "マイナー数", workers: "ワーカー数", shares: "シェア/秒", height: "ネットワークの高さ",
        difficulty: "ネットワーク難易度", blocks: "発見したブロック", scheme: "支払い方式 / 手数料", chart: "プールのハッシュレートの推移",
        lookup: "マイナーを検索", search: "検索", recentBlocks: "最近のブロック", recentPayments: "最近の支払い",
        status: "状態", confirmations: "承認数", reward: "報酬 (BTC)", finder: "発見者", total: "合計 (BTC)",
        recipients: "受取人数", balance: "残高", pending: "支払い待ち", paid: "支払い済み", worker: "ワーカー",
        accepted: "受理", rejected: "拒否", noWorkers: "稼働中のワーカーはありません", payouts: "支払い", workerHashrate: "ハッシュレート",
        st_pending: "成熟待ち", st_confirmed: "確定", st_orphaned: "孤立", st_rejected: "拒否",
        st_sent: "送金済み", st_released: "取り消し" },
};
let lang = localStorage.getItem("lang") || (navigator.language.startsWith("ja") ? "ja" : "en");
const t = (k) => texts[lang][k] || k;
const statusText = (s) => texts[lang]["st_" + s] || s;
let shownAddress = null;  // the miner on display, refreshed with the page and on a language switch
function applyLang() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach(e => e.textContent = t(e.dataset.i18n));
}
document.getElementById("lang-en").onclick = () => { lang = "en"; localStorage.setItem("lang", lang); applyLang(); refresh(); };
document.getElementById("lang-ja").onclick = () => { lang = "ja"; localStorage.setItem("lang", lang); applyLang(); refresh(); };
const btc = (sats) => (sats / 1e8).toFixed(8);
function rate(h) {
  const units = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s", "EH/s"];
  let i = 0;
  while (h >= 1000 && i < units.length - 1) { h /= 1000; i++; }
  return h.toFixed(2) + " " + units[i];
}
const cell = (text, mono) => { const td = document.createElement("td"); td.textContent = text; if (mono) td.className = "mono"; return td; };
function rows(id, items, make) {
  const body = document.getElementById(id);
  body.replaceChildren(...items.map(item => { const tr = document.createElement("tr"); make(item).forEach(c => tr.appendChild(c)); return tr; }));
}
async function getJson(path) { const r = await fetch(path); return [r.status, await r.json()]; }
async function refresh() {
  const [, pool] = await getJson("/api/pool");
  document.getElementById("hashrate").textContent = rate(pool.hashrate);
  document.getElementById("miners").textContent = pool.miners;
  document.getElementById("workers").textContent = pool.workers;
  document.getElementById("shares").textContent = pool.shares_per_second.toFixed(2);
  document.getElementById("height").textContent = pool.network ? pool.network.height : "-";
  document.getElementById("difficulty").textContent = pool.network ? pool.network.difficulty.toPrecision(4) : "-";
  document.getElementById("blocks").textContent = pool.blocks_found;
  document.getElementById("scheme").textContent = pool.payout_scheme.toUpperCase() + " / " + pool.fee_percentage + "%";
  const [, samples] = await getJson("/api/pool/history");
  const history = samples.length === 1 ? [samples[0], samples[0]] : samples;  // one sample: a flat line
  const max = Math.max(1, ...history.map(p => p[1]));
  document.getElementById("line").setAttribute("points",
      history.map((p, i) => (history.length > 1 ? i * 1000 / (history.length - 1) : 0) + "," + (155 - p[1] / max * 150)).join(" "));
  const [, blocks] = await getJson("/api/blocks");
  rows("block-rows", blocks.slice(0, 20), b => [cell(b.height), cell(statusText(b.status)), cell(b.confirmations), cell(btc(b.reward_sats)), cell(b.finder, true)]);
  const [, payments] = await getJson("/api/payments");
  rows("payment-rows", payments.slice(0, 20), p => [cell(p.id), cell(statusText(p.status)), cell(btc(p.total_sats)), cell(Object.keys(p.amounts).length), cell(p.txid, true)]);
  if (shownAddress) await lookup(shownAddress);
}
async function lookup(address) {
  shownAddress = address;
  const out = document.getElementById("miner");
  const [status, m] = await getJson("/api/miners/" + encodeURIComponent(address));
  if (status !== 200) { out.innerHTML = ""; const p = document.createElement("p"); p.className = "error"; p.textContent = m.error; out.appendChild(p); return; }
  out.innerHTML = "";
  const summary = document.createElement("p");
  summary.id = "miner-summary";
  summary.textContent = `${t("workerHashrate")}: ${rate(m.hashrate)} · ${t("balance")}: ${btc(m.balance_sats)} BTC · ${t("pending")}: ${btc(m.pending_sats)} BTC · ${t("paid")}: ${btc(m.paid_sats)} BTC`;
  out.appendChild(summary);
  const table = document.createElement("table");
  table.innerHTML = `<thead><tr><th>${t("worker")}</th><th>${t("workerHashrate")}</th><th>${t("accepted")}</th><th>${t("rejected")}</th></tr></thead><tbody id="worker-rows"></tbody>`;
  out.appendChild(table);
  rows("worker-rows", m.workers, w => [cell(w.name, true), cell(rate(w.hashrate)), cell(w.accepted), cell(w.rejected)]);
  if (m.workers.length === 0) { const p = document.createElement("p"); p.className = "muted"; p.textContent = t("noWorkers"); out.appendChild(p); }
  const pays = document.createElement("p");
  pays.textContent = t("payouts") + ": " + m.payments.map(p => btc(p.sats) + " BTC (" + p.txid.slice(0, 12) + "…)").join(", ");
  out.appendChild(pays);
}
document.getElementById("lookup").onsubmit = (e) => { e.preventDefault(); lookup(document.getElementById("address").value.trim()); };
applyLang();
refresh();
setInterval(refresh, 5000);
</script>
</body>
</html>
)HTML";

}  // namespace pool::api
