"""The Python SDK side of `cargo xtask bench`: one operation of the provider's SDK per process.

Run by the driver (crates/mistral-files-bench/src/driver/python.rs) in its own venv, as
    sdk_client.py upload URL PATH | download URL ID OUT | list URL PAGE_SIZE | concurrent URL PATH N
                | download-all URL DIR PAGE_SIZE | delete-all URL PAGE_SIZE
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

def list_all(client, page_size):
    """Every file, with the page loop the SDK's docs show; also the number of requests."""
    page, files, requests = 0, [], 0
    while True:
        r = client.files.list(page=page, page_size=page_size)
        requests += 1
        files.extend(r.data)
        if len(r.data) < page_size or (r.total is not None and len(files) >= r.total):
            return files, requests
        page += 1

def download_to(client, file_id, target):
    """One file's content, streamed into `target`; its size."""
    resp = client.files.download(file_id=file_id)
    n = 0
    with open(target, "wb") as f:
        for chunk in resp.iter_bytes():
            f.write(chunk)
            n += len(chunk)
    resp.close()
    return n

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
        out["bytes"] = download_to(client, file_id, target)
    elif op == "list":
        files, requests = list_all(client, int(sys.argv[3]))
        out["count"] = len(files)
        out["requests"] = requests
    elif op == "download-all":
        # The loop the SDK's docs suggest: list, then fetch each file in turn.
        target, page_size = sys.argv[3], int(sys.argv[4])
        files, requests = list_all(client, page_size)
        n = 0
        for f in files:
            n += download_to(client, f.id, os.path.join(target, f.filename))
        out["count"] = len(files)
        out["bytes"] = n
        out["requests"] = requests + len(files)
    elif op == "delete-all":
        # Listed completely first: deleting while paging by offset would skip files.
        files, requests = list_all(client, int(sys.argv[3]))
        for f in files:
            client.files.delete(file_id=f.id)
        out["count"] = len(files)
        out["requests"] = requests + len(files)
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
