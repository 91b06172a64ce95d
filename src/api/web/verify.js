// Checks a miner's PPLNS window proof (GET /api/blocks/{hash}/proof/{address}) in the browser,
// trusting nothing the pool computed: each leaf hash from its fields (leaf encoding v1), each
// Merkle path to the root, the address's weight and the credit (docs/transparency.md).
// Pure functions, no DOM: the dashboard (app.js) and the Node test (tests/dashboard) share them.
"use strict";
(() => {
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  function unhex(text) {
    if (typeof text !== "string" || !/^([0-9a-f]{2})*$/i.test(text)) throw new Error("not hex: " + text);
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
    return out;
  }
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  // An unsigned integer (BigInt) as `size` bytes, least significant first.
  function uintLe(value, size) {
    if (value < 0n || value >> BigInt(8 * size) !== 0n) throw new Error("out of range: " + value);
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) { out[i] = Number(value & 0xffn); value >>= 8n; }
    return out;
  }
  function compactSize(n) {
    if (n < 0xfd) return Uint8Array.of(n);
    if (n <= 0xffff) return concat(Uint8Array.of(0xfd), uintLe(BigInt(n), 2));
    if (n <= 0xffffffff) return concat(Uint8Array.of(0xfe), uintLe(BigInt(n), 4));
    return concat(Uint8Array.of(0xff), uintLe(BigInt(n), 8));
  }
  // Integers from the JSON: numbers (ids, counts, satoshis) or decimal strings (128-bit weights).
  function big(v) {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === "string" && /^[0-9]+$/.test(v)) return BigInt(v);
    throw new Error("not an unsigned integer: " + v);
  }
  const utf8 = (s) => new TextEncoder().encode(s);

  /// The v1 leaf bytes: "PPLNS-leaf-v1" ‖ CompactSize+address ‖ CompactSize+worker ‖
  /// u64le first_share_id ‖ u64le last_share_id ‖ u64le shares ‖ u128le weight.
  function leafEncoding(address, leaf) {
    const a = utf8(address), w = utf8(leaf.worker);
    return concat(utf8("PPLNS-leaf-v1"), compactSize(a.length), a, compactSize(w.length), w,
                  uintLe(big(leaf.first_share_id), 8), uintLe(big(leaf.last_share_id), 8),
                  uintLe(big(leaf.shares), 8), uintLe(big(leaf.weight), 16));
  }
  async function sha256d(bytes) {
    const once = await crypto.subtle.digest("SHA-256", bytes);
    return new Uint8Array(await crypto.subtle.digest("SHA-256", once));
  }
  /// Folds a leaf hash up its path: at level k, bit k of the index says whether the node is the
  /// right child (1: sha256d(sibling ‖ node)) or the left one (0: sha256d(node ‖ sibling)).
  async function foldPath(leafHash, index, path) {
    let node = leafHash;
    for (let k = 0; k < path.length; k++) {
      const sibling = unhex(path[k]);
      node = await sha256d(Math.floor(index / 2 ** k) % 2 === 0 ? concat(node, sibling) : concat(sibling, node));
    }
    return node;
  }
  /// credit = floor((reward − floor(reward·fee_ppm/1e6)) · address_weight / total_weight).
  function credit(rewardSats, feePpm, addressWeight, totalWeight) {
    if (totalWeight === 0n) return 0n;
    const distributable = rewardSats - (rewardSats * feePpm) / 1000000n;
    return (distributable * addressWeight) / totalWeight;
  }

  /// Checks a proof. Returns {ok, failed, committed}: `failed` names the first check that did
  /// not hold ("leaf", "path", "weight", "credit" or "format"), null when all hold; `committed`
  /// is false while no pool block carries the root yet (the other checks still run).
  async function verifyProof(p) {
    const committed = p.commitment_block !== null && p.commitment_block !== undefined;
    const fail = (failed) => ({ ok: false, failed, committed });
    let sum = 0n;
    try {
      if (!Array.isArray(p.leaves) || p.leaves.length === 0) return fail("format");
      const root = unhex(p.root);
      for (const leaf of p.leaves) {
        const hash = await sha256d(leafEncoding(p.address, leaf));
        if (hex(hash) !== String(leaf.hash).toLowerCase()) return fail("leaf");
        const index = Number(big(leaf.index));
        if (!Array.isArray(leaf.path) || index >= 2 ** leaf.path.length) return fail("path");
        if (hex(await foldPath(hash, index, leaf.path)) !== hex(root)) return fail("path");
        sum += big(leaf.weight);
      }
      if (sum !== big(p.address_weight)) return fail("weight");
      const expected = credit(big(p.reward_sats), big(p.fee_ppm), sum, big(p.total_weight));
      if (expected !== big(p.credited_sats)) return fail("credit");
    } catch (e) {
      return fail("format");
    }
    return { ok: true, failed: null, committed };
  }

  globalThis.proofCheck = { hex, unhex, leafEncoding, sha256d, foldPath, credit, verifyProof };
})();
