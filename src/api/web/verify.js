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
  // SHA-256 (FIPS 180-4) for pages served over plain HTTP, where browsers hide crypto.subtle.
  const K = Uint32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  function sha256(bytes) {
    const length = bytes.length, padded = new Uint8Array(Math.ceil((length + 9) / 64) * 64);
    padded.set(bytes);
    padded[length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
    view.setUint32(padded.length - 4, (length * 8) >>> 0);
    const h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let block = 0; block < padded.length; block += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
      }
      [a, b, c, d, e, f, g, hh].forEach((v, i) => { h[i] = (h[i] + v) >>> 0; });
    }
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    h.forEach((v, i) => outView.setUint32(i * 4, v));
    return out;
  }
  /// sha256d with the browser's crypto.subtle where it has it (HTTPS, localhost), else sha256 above.
  async function sha256d(bytes) {
    if (!globalThis.crypto?.subtle) return sha256(sha256(bytes));
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

  globalThis.proofCheck = { hex, unhex, leafEncoding, sha256, sha256d, foldPath, credit, verifyProof };
})();
