// Verifies a DocExchange receipt bundle in the browser, without the hub: the checkpoint's Ed25519
// signature under the verifier key, and each entry's inclusion in the checkpoint's Merkle tree
// (RFC 9162), with WebCrypto's SHA-256 and Ed25519, over the formats in the README.
"use strict";
(function () {
  const enc = new TextEncoder();
  const form = document.getElementById("verify-form");
  const out = document.getElementById("verify-result");
  const progress = document.getElementById("verify-progress");
  const t = (vi, en) => (document.documentElement.lang === "en" ? en : vi);

  const hex = (s) => Uint8Array.from(s.match(/../g).map((b) => parseInt(b, 16)));
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const concat = (...parts) => { const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { all.set(p, o); o += p.length; } return all; };
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const escape = (v) => (v == null ? "" : String(v).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r"));

  // The entry's time as the ledger wrote it: UTC, milliseconds, truncated.
  function ledgerTime(iso) {
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]00:00)$/.exec(iso);
    if (m) return m[1] + "." + ((m[2] || "") + "000").slice(0, 3) + "Z";
    return new Date(iso).toISOString();
  }

  function entryBytes(e) {
    return enc.encode("dxl/1\n" + "seq " + e.seq + "\n" + "time " + ledgerTime(e.time) + "\n" + "event " + escape(e.event) + "\n" +
      "document " + String(e.document).toLowerCase() + "\n" + "documentId " + escape(e.documentId) + "\n" + "sender " + escape(e.sender) + "\n" +
      "recipient " + escape(e.recipient) + "\n" + "sha256 " + escape(e.sha256) + "\n" + "detail " + escape(e.detail) + "\n");
  }

  async function node(left, right) { return sha256(concat(Uint8Array.of(1), left, right)); }

  // RFC 9162 2.1.3.2: verifying an inclusion proof.
  async function included(index, size, leaf, proof, root) {
    if (index >= size) return false;
    let fn = index, sn = size - 1, r = leaf;
    for (const p of proof) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await node(p, r);
        if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        r = await node(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && same(r, root);
  }

  async function checkpoint(note, verifierKey) {
    // name+hex(key hash)+base64(0x01 || key): the base64 may itself hold '+'.
    const first = verifierKey.indexOf("+"), second = verifierKey.indexOf("+", first + 1);
    const name = verifierKey.slice(0, first), keyHashHex = verifierKey.slice(first + 1, second), keyB64 = verifierKey.slice(second + 1);
    const key = b64(keyB64);
    if (key.length !== 33 || key[0] !== 1) throw new Error(t("Khóa kiểm tra không phải Ed25519.", "The verifier key is not an Ed25519 key."));
    const split = note.indexOf("\n\n");
    const body = note.slice(0, split + 1);
    const [origin, size, root] = body.split("\n");
    const signatures = note.slice(split + 2).split("\n").filter((l) => l.length > 0);
    const mine = signatures.map((l) => /^\u2014 (\S+) (\S+)$/.exec(l)).find((m) => m && m[1] === name);
    if (!mine) return { ok: false, why: t("Điểm chốt không có chữ ký của khóa này.", "The checkpoint has no signature by this key."), origin, size: Number(size), root: b64(root) };
    const sig = b64(mine[2]);
    const publicKey = await crypto.subtle.importKey("raw", key.slice(1), { name: "Ed25519" }, false, ["verify"]);
    const hashOk = same(sig.slice(0, 4), hex(keyHashHex));
    const ok = hashOk && (await crypto.subtle.verify({ name: "Ed25519" }, publicKey, sig.slice(4), enc.encode(body)));
    return { ok, why: ok ? "" : t("Chữ ký của điểm chốt không đúng.", "The checkpoint's signature does not verify."), origin, size: Number(size), root: b64(root) };
  }

  function line(ok, text) {
    const li = document.createElement("li");
    li.className = ok ? "ok" : "bad";
    li.textContent = (ok ? "✔ " : "✘ ") + text;
    return li;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    const file = document.getElementById("receipt").files[0];
    if (!file) return;
    const list = document.createElement("ul");
    out.appendChild(list);
    const verdict = document.createElement("p");
    verdict.setAttribute("role", "status");
    try {
      const bundle = JSON.parse(await file.text());
      if (bundle.format !== "docexchange-receipt/1") throw new Error(t("Không phải biên nhận DocExchange.", "Not a DocExchange receipt."));
      const published = document.getElementById("hub-key").textContent.trim();
      const sameKey = bundle.verifierKey === published;
      list.appendChild(line(sameKey, t("Khóa kiểm tra trùng với khóa trục công bố", "The verifier key is the one the hub publishes")));
      const cp = await checkpoint(bundle.checkpoint, bundle.verifierKey);
      list.appendChild(line(cp.ok, t(`Điểm chốt ${cp.origin}, ${cp.size} mục: chữ ký hợp lệ`, `Checkpoint ${cp.origin}, ${cp.size} entries: signature holds`) + (cp.ok ? "" : " — " + cp.why)));
      let all = sameKey && cp.ok;
      progress.max = bundle.entries.length;
      progress.value = 0;
      for (const e of bundle.entries) {
        const leaf = await sha256(concat(Uint8Array.of(0), entryBytes(e)));
        const ok = cp.ok && (await included(e.seq, cp.size, leaf, e.proof.map(hex), cp.root));
        all = all && ok;
        const item = line(ok, t(`Mục ${e.seq}: ${e.event} ${e.recipient || ""} nằm trong sổ cái`, `Entry ${e.seq}: ${e.event} ${e.recipient || ""} is in the ledger`));
        item.dataset.seq = e.seq;
        list.appendChild(item);
        progress.value += 1;
      }
      verdict.className = all ? "ok" : "bad";
      verdict.id = "verdict";
      verdict.textContent = all ? t("Biên nhận hợp lệ: mọi mục đều có trong sổ cái đã ký.", "The receipt holds: every entry is in the signed ledger.")
        : t("Biên nhận KHÔNG hợp lệ: xem các dòng đánh dấu ✘.", "The receipt does NOT hold: see the lines marked ✘.");
    } catch (error) {
      verdict.className = "bad";
      verdict.id = "verdict";
      verdict.textContent = t("Không kiểm tra được: ", "Cannot verify: ") + error.message;
    }
    out.prepend(verdict);
  });
})();
