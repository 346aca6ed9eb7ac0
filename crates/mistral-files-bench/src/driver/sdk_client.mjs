// The TypeScript SDK side of `cargo xtask bench`: one operation of the provider's official
// TypeScript SDK (@mistralai/mistralai) per process.
//
// Run by the driver (crates/mistral-files-bench/src/driver/node.rs), which writes this file into
// the directory the SDK is installed in (so that `import` finds its node_modules), as
//     node sdk_client.mjs upload URL PATH | download URL ID OUT | list URL PAGE_SIZE
// Prints one JSON line like the crate's `bench-client` and the Python script; `secs` is the
// operation's own time (client construction included; node start-up and imports excluded).
// The API key comes from the BENCH_KEY environment variable, which the driver sets to
// `mistral_files_bench::BENCH_KEY`.

import { openAsBlob, createWriteStream } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Mistral } from "@mistralai/mistralai";

const KEY = process.env["BENCH_KEY"];

async function main() {
  const [op, url, ...rest] = process.argv.slice(2);
  const started = performance.now();
  const client = new Mistral({ apiKey: KEY, serverURL: url });
  const out = {};
  if (op === "upload") {
    const path = rest[0];
    // A file-backed Blob (the SDK README's advice): the body is read from disk as it is sent.
    // Wrapped in a File for the part's file name (the emulator checks the .jsonl extension).
    const blob = await openAsBlob(path);
    const file = new File([blob], basename(path));
    const r = await client.files.upload({ file });
    out.id = String(r.id);
  } else if (op === "download") {
    const [id, target] = rest;
    const body = await client.files.download({ fileId: id });
    let n = 0;
    // Streamed to the file chunk by chunk (with backpressure), never held whole in memory.
    await pipeline(
      Readable.fromWeb(body),
      async function* (chunks) {
        for await (const c of chunks) {
          n += c.length;
          yield c;
        }
      },
      createWriteStream(target),
    );
    out.bytes = n;
  } else if (op === "list") {
    const pageSize = Number(rest[0]);
    let page = 0, n = 0, requests = 0;
    for (;;) {
      const r = await client.files.list({ page, pageSize });
      requests += 1;
      n += r.data.length;
      if (r.data.length < pageSize || (r.total != null && n >= r.total)) break;
      page += 1;
    }
    out.count = n;
    out.requests = requests;
  } else {
    throw new Error(`unknown operation ${op}`);
  }
  out.op = op;
  out.secs = (performance.now() - started) / 1000;
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(`sdk_client.mjs: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
