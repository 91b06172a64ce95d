const texts = {
  en: { hashrate: "Pool hashrate", miners: "Miners", workers: "Workers", shares: "Shares/s", height: "Network height",
        difficulty: "Network difficulty", blocks: "Blocks found", scheme: "Payout scheme / fee", chart: "Pool hashrate over time",
        lookup: "Look up a miner", search: "Search", recentBlocks: "Recent blocks", recentPayments: "Recent payouts",
        status: "Status", confirmations: "Confirmations", reward: "Reward (BTC)", finder: "Finder", total: "Total (BTC)",
        recipients: "Recipients", balance: "Balance", pending: "Pending payout", paid: "Paid", worker: "Worker",
        accepted: "Accepted", rejected: "Rejected", noWorkers: "No active workers", payouts: "Payouts", workerHashrate: "Hashrate",
        st_pending: "pending", st_confirmed: "confirmed", st_orphaned: "orphaned", st_rejected: "rejected",
        st_sent: "sent", st_released: "released",
        jobTitle: "What you are mining now", jobHelp: "The block template every miner works on, decoded from the coinbase sent in mining.notify (GET /api/job).",
        jobHeight: "Height", jobPrev: "Previous block", jobTxs: "Transactions", jobFees: "Fees (BTC)", jobTag: "Coinbase tag",
        jobRoot: "Window commitment root", jobRole: "Role", jobAddress: "Address", jobValue: "Value (BTC)", jobNone: "none",
        jobWaiting: "no work yet", role_pool_reward: "Pool reward", role_miner_reward: "Miner reward",
        role_window_commitment: "PPLNS window commitment", role_witness_commitment: "Witness commitment", role_other: "Other",
        proofTitle: "Your blocks: PPLNS window proofs", proofHelp: "Each block whose window holds your shares, with its proof. Your browser recomputes the leaf hashes, the Merkle paths to the committed root, your weight and your credit itself.",
        proofBlock: "Block", proofCredit: "Your credit (BTC)", proofCredited: "credited", proofExpected: "not credited yet",
        proofLink: "proof", proofCheck: "Check", proofNone: "No recent block's window holds your shares.", verified: "verified", mismatch: "mismatch", notCommitted: "not committed yet",
        check_leaf: "a leaf hash differs from its fields", check_path: "a Merkle path does not lead to the root",
        check_weight: "the leaf weights do not add up to your weight", check_credit: "the credit does not follow the formula",
        check_format: "the proof is malformed" },
  ja: { hashrate: "プールのハッシュレート", miners: "マイナー数", workers: "ワーカー数", shares: "シェア/秒", height: "ネットワークの高さ",
        difficulty: "ネットワーク難易度", blocks: "発見したブロック", scheme: "支払い方式 / 手数料", chart: "プールのハッシュレートの推移",
        lookup: "マイナーを検索", search: "検索", recentBlocks: "最近のブロック", recentPayments: "最近の支払い",
        status: "状態", confirmations: "承認数", reward: "報酬 (BTC)", finder: "発見者", total: "合計 (BTC)",
        recipients: "受取人数", balance: "残高", pending: "支払い待ち", paid: "支払い済み", worker: "ワーカー",
        accepted: "受理", rejected: "拒否", noWorkers: "稼働中のワーカーはありません", payouts: "支払い", workerHashrate: "ハッシュレート",
        st_pending: "成熟待ち", st_confirmed: "確定", st_orphaned: "孤立", st_rejected: "拒否",
        st_sent: "送金済み", st_released: "取り消し",
        jobTitle: "いま採掘しているもの", jobHelp: "全マイナーが採掘中のブロックテンプレート。mining.notify で送ったコインベースを解読したものです (GET /api/job)。",
        jobHeight: "高さ", jobPrev: "前のブロック", jobTxs: "トランザクション数", jobFees: "手数料 (BTC)", jobTag: "コインベースのタグ",
        jobRoot: "ウィンドウのコミットメント (root)", jobRole: "役割", jobAddress: "アドレス", jobValue: "金額 (BTC)", jobNone: "なし",
        jobWaiting: "まだ作業がありません", role_pool_reward: "プールの報酬", role_miner_reward: "マイナーの報酬",
        role_window_commitment: "PPLNS ウィンドウのコミットメント", role_witness_commitment: "ウィットネスコミットメント", role_other: "その他",
        proofTitle: "あなたのブロック: PPLNS ウィンドウの証明", proofHelp: "あなたのシェアがウィンドウに入っているブロックと、その証明です。リーフのハッシュ、コミットされた root までのマークルパス、あなたの重みと報酬額を、ブラウザが自分で計算し直します。",
        proofBlock: "ブロック", proofCredit: "あなたの報酬 (BTC)", proofCredited: "計上済み", proofExpected: "未計上",
        proofLink: "証明", proofCheck: "検証", proofNone: "最近のブロックのウィンドウにあなたのシェアはありません。", verified: "検証済み", mismatch: "不一致", notCommitted: "まだコミットされていません",
        check_leaf: "リーフのハッシュがその内容と合いません", check_path: "マークルパスが root に届きません",
        check_weight: "リーフの重みの合計があなたの重みと合いません", check_credit: "報酬額が計算式と合いません",
        check_format: "証明の形式が正しくありません" },
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
  soloPool = pool.payout_scheme === "solo";
  await showJob();
  if (shownAddress) await lookup(shownAddress);
}
let soloPool = false;
// "What you are mining now": the current job's coinbase outputs and template facts.
// On a SOLO pool with a miner looked up, the coinbase personalized for that miner's address.
async function showJob() {
  let [status, job] = soloPool && shownAddress ? await getJson("/api/job?address=" + encodeURIComponent(shownAddress)) : [0, null];
  if (status !== 200) [status, job] = await getJson("/api/job");
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  if (status !== 200) { set("job-height", t("jobWaiting")); document.getElementById("job-outputs").replaceChildren(); return; }
  set("job-height", job.height);
  set("job-prev", job.previous_block_hash);
  set("job-txs", job.transaction_count);
  set("job-fees", btc(job.total_fees_sats));
  set("job-tag", job.coinbase_tag);
  set("job-root", job.window_commitment_root || t("jobNone"));
  rows("job-outputs", job.outputs, o => {
    const cells = [cell(o.index), cell(t("role_" + o.role)), cell(o.address || (o.root ? "PPLN " + o.root : "-"), true), cell(btc(o.value_sats))];
    cells[1].dataset.role = o.role;
    return cells;
  });
}
async function lookup(address) {
  shownAddress = address;
  const out = document.getElementById("miner");
  const [status, m] = await getJson("/api/miners/" + encodeURIComponent(address));
  if (status !== 200) { out.innerHTML = ""; const p = document.createElement("p"); p.className = "error"; p.textContent = m.error; out.appendChild(p); return; }
  const proofs = soloPool ? null : await proofSection(address);
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
  if (proofs) out.appendChild(proofs);
}
// The looked-up miner's blocks: each recent pool block whose committed window holds the address
// (its proof answers 200), linked to the proof and checked in the browser (verify.js).
const finalProofs = new Map();  // "hash/address" -> [proof, result, url]: credited, committed and verified
async function checkedProof(hash, address) {
  const key = hash + "/" + address;
  if (finalProofs.has(key)) return finalProofs.get(key);
  const url = "/api/blocks/" + hash + "/proof/" + encodeURIComponent(address);
  const [status, proof] = await getJson(url);
  if (status !== 200) return null;
  const result = await proofCheck.verifyProof(proof);
  const entry = [proof, result, url];
  if (proof.credited && proof.commitment_block && result.ok) finalProofs.set(key, entry);
  return entry;
}
async function proofSection(address) {
  const section = document.createElement("div");
  section.id = "miner-proofs";
  const title = document.createElement("h3");
  title.textContent = t("proofTitle");
  const help = document.createElement("p");
  help.className = "muted";
  help.textContent = t("proofHelp");
  const [, blocks] = await getJson("/api/blocks");
  // The 50 most recent PPLNS blocks, four requests at a time (proofs already checked final are cached).
  const found = blocks.filter(b => b.scheme === "pplns" && b.status !== "rejected").slice(0, 50);
  const proofs = [];
  for (let i = 0; i < found.length; i += 4) {
    const batch = found.slice(i, i + 4);
    const checked = await Promise.all(batch.map(b => checkedProof(b.hash, address)));
    checked.forEach((e, j) => { if (e) proofs.push([batch[j], ...e]); });
  }
  const table = document.createElement("table");
  table.innerHTML = `<thead><tr><th>${t("height")}</th><th>${t("status")}</th><th>${t("proofCredit")}</th><th>${t("proofLink")}</th><th>${t("proofCheck")}</th></tr></thead>`;
  const body = document.createElement("tbody");
  body.id = "proof-rows";
  table.appendChild(body);
  section.append(title, help, table);
  if (proofs.length === 0) { const p = document.createElement("p"); p.className = "muted"; p.textContent = t("proofNone"); section.appendChild(p); }
  for (const [b, proof, result, url] of proofs) {
    const tr = document.createElement("tr");
    tr.dataset.block = b.hash;
    const link = document.createElement("a");
    link.href = url;
    link.textContent = b.hash.slice(0, 16) + "…";
    link.className = "mono";
    const linkCell = document.createElement("td");
    linkCell.appendChild(link);
    const check = document.createElement("td");
    const badge = document.createElement("span");
    badge.className = "badge " + (result.ok ? "ok" : "bad");
    badge.dataset.state = result.ok ? "verified" : "mismatch";
    badge.textContent = result.ok ? t("verified") : t("mismatch") + ": " + t("check_" + result.failed);
    check.appendChild(badge);
    if (!result.committed) {
      const note = document.createElement("span");
      note.className = "muted uncommitted";
      note.textContent = " · " + t("notCommitted");
      check.appendChild(note);
    }
    const credit = cell(btc(proof.credited_sats) + " (" + t(proof.credited ? "proofCredited" : "proofExpected") + ")");
    tr.append(cell(proof.height ?? b.height), cell(statusText(proof.block_status ?? b.status)), credit, linkCell, check);
    body.appendChild(tr);
  }
  return section;
}
document.getElementById("lookup").onsubmit = async (e) => {
  e.preventDefault();
  await lookup(document.getElementById("address").value.trim());
  if (soloPool) await showJob();
};
applyLang();
refresh();
setInterval(refresh, 5000);
