//! The Python SDK baseline: its own virtual environment under the target directory, with the
//! provider's official SDK (`pip install mistralai`), and a small driver script.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The driver: one operation per process, printing one JSON line like the crate's `bench-client`
/// (`secs` is the operation's own time, interpreter start-up and imports excluded).
pub const SCRIPT: &str = r#"
import json, sys, time
from concurrent.futures import ThreadPoolExecutor

try:
    from mistralai.client import Mistral  # SDK 2.x and later
except ImportError:  # SDK 1.x
    from mistralai import Mistral

KEY = "bench-key"

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
"#;

/// A ready virtual environment.
pub struct Venv {
    pub python: PathBuf,
    pub script: PathBuf,
    pub sdk_version: String,
}

/// Creates `dir` (a venv) if needed, installs `mistralai` if it is not importable, writes the
/// driver script into `work`.
pub fn setup(python3: &str, dir: &Path, work: &Path) -> Result<Venv> {
    let python = dir.join("bin").join("python");
    if !python.exists() {
        eprintln!(
            "bench: creating a Python virtual environment in {}",
            dir.display()
        );
        let st = Command::new(python3)
            .args(["-m", "venv"])
            .arg(dir)
            .status()
            .context("running python3 -m venv")?;
        if !st.success() {
            bail!("python3 -m venv {} failed", dir.display());
        }
    }
    let version = |py: &Path| -> Option<String> {
        let out = Command::new(py)
            .args([
                "-c",
                "import importlib.metadata as m; print(m.version('mistralai'))",
            ])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let sdk_version = match version(&python) {
        Some(v) => v,
        None => {
            eprintln!("bench: pip install mistralai (into {})", dir.display());
            let st = Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "mistralai",
                ])
                .status()
                .context("running pip")?;
            if !st.success() {
                bail!("pip install mistralai failed");
            }
            version(&python).context("mistralai is not importable after pip install")?
        }
    };
    let script = work.join("sdk_client.py");
    std::fs::write(&script, SCRIPT).with_context(|| format!("writing {}", script.display()))?;
    Ok(Venv {
        python,
        script,
        sdk_version,
    })
}
