// The TypeScript SDK side of `cargo xtask bench`: one operation of the provider's official
// TypeScript SDK (@mistralai/mistralai) per process.
//
// Run by the driver (crates/mistral-files-bench/src/driver/node.rs), which writes this file into
// the directory the SDK is installed in (so that `import` finds its node_modules), as
//     node sdk_client.mjs upload URL PATH | download URL ID OUT | list URL PAGE_SIZE
//                         | download-all URL DIR PAGE_SIZE | delete-all URL PAGE_SIZE
// Prints one JSON line like the crate's `bench-client` and the Python script; `secs` is the
// operation's own time (client construction included; node start-up and imports excluded).
// The API key comes from the BENCH_KEY environment variable, which the driver sets to
// `mistral_files_bench::BENCH_KEY`.

import { openAsBlob, createWriteStream } from "node:fs";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Mistral } from "@mistralai/mistralai";

const KEY = process.env["BENCH_KEY"];

// Every file, with the page loop the SDK's docs show; also the number of requests.
async function listAll(client, pageSize) {
  let page = 0, requests = 0;
  const files = [];
  for (;;) {
    const r = await client.files.list({ page, pageSize });
    requests += 1;
    files.push(...r.data);
    if (r.data.length < pageSize || (r.total != null && files.length >= r.total)) break;
    page += 1;
  }
  return { files, requests };
}

// One file's content, streamed to `target` chunk by chunk (with backpressure); its size.
async function downloadTo(client, id, target) {
  const body = await client.files.download({ fileId: id });
  let n = 0;
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
  return n;
}

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
    out.bytes = await downloadTo(client, id, target);
  } else if (op === "list") {
    const { files, requests } = await listAll(client, Number(rest[0]));
    out.count = files.length;
    out.requests = requests;
  } else if (op === "download-all") {
    // The loop the SDK's docs suggest: list, then fetch each file in turn.
    const [dir, pageSize] = rest;
    const { files, requests } = await listAll(client, Number(pageSize));
    let n = 0;
    for (const f of files) {
      n += await downloadTo(client, f.id, join(dir, f.filename));
    }
    out.count = files.length;
    out.bytes = n;
    out.requests = requests + files.length;
  } else if (op === "delete-all") {
    // Listed completely first: deleting while paging by offset would skip files.
    const { files, requests } = await listAll(client, Number(rest[0]));
    for (const f of files) {
      await client.files.delete({ fileId: f.id });
    }
    out.count = files.length;
    out.requests = requests + files.length;
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
