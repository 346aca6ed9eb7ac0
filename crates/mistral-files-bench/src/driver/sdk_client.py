"""The Python SDK side of `cargo xtask bench`: one operation of the provider's SDK per process.

Run by the driver (crates/mistral-files-bench/src/driver/python.rs) in its own venv, as
    sdk_client.py upload URL PATH | download URL ID OUT | list URL PAGE_SIZE | concurrent URL PATH N
Prints one JSON line like the crate's `bench-client`; `secs` is the operation's own time
(interpreter start-up and imports excluded). The API key comes from the BENCH_KEY environment
variable, which the driver sets to `mistral_files_bench::BENCH_KEY`.
"""

import json, os, sys, time
from concurrent.futures import ThreadPoolExecutor

try:
    from mistralai.client import Mistral  # SDK 2.x and later
except ImportError:  # SDK 1.x
    from mistralai import Mistral

KEY = os.environ["BENCH_KEY"]

def main():
    op, url = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    client = Mistral(api_key=KEY, server_url=url)
    out = {}
    if op == "upload":
        path = sys.argv[3]
        with open(path, "rb") as f:
            r = client.files.upload(file={"file_name": path.rsplit("/", 1)[-1], "content": f})
        out["id"] = str(r.id)
    elif op == "download":
        file_id, target = sys.argv[3], sys.argv[4]
        resp = client.files.download(file_id=file_id)
        n = 0
        with open(target, "wb") as f:
            for chunk in resp.iter_bytes():
                f.write(chunk)
                n += len(chunk)
        resp.close()
        out["bytes"] = n
    elif op == "list":
        page_size = int(sys.argv[3])
        page, n, requests = 0, 0, 0
        while True:
            r = client.files.list(page=page, page_size=page_size)
            requests += 1
            n += len(r.data)
            if len(r.data) < page_size or (r.total is not None and n >= r.total):
                break
            page += 1
        out["count"] = n
        out["requests"] = requests
    elif op == "concurrent":
        path, count = sys.argv[3], int(sys.argv[4])
        def one(_):
            with open(path, "rb") as f:
                return str(client.files.upload(file={"file_name": path.rsplit("/", 1)[-1], "content": f}).id)
        with ThreadPoolExecutor(max_workers=count) as pool:
            out["ids"] = list(pool.map(one, range(count)))
    else:
        raise SystemExit(f"unknown operation {op}")
    out["op"] = op
    out["secs"] = time.perf_counter() - started
    print(json.dumps(out))

main()
