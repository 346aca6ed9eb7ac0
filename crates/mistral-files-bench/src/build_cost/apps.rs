//! The throwaway apps `build-cost` builds: the same small program written on `mistral-files`
//! and on reqwest + tokio + serde_json directly, each with either rustls provider, and the TLS
//! transfer program. Only sources here (manifests and `main.rs`); `mod.rs` writes and builds
//! them.

use std::path::Path;

/// A rustls crypto provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// aws-lc-rs (reqwest's and rustls' default).
    AwsLc,
    /// ring.
    Ring,
}

impl Tls {
    /// Both, in the order they are reported.
    pub const ALL: [Tls; 2] = [Tls::AwsLc, Tls::Ring];

    /// The name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Tls::AwsLc => "aws-lc-rs",
            Tls::Ring => "ring",
        }
    }

    /// The provider's module in `rustls::crypto` and its feature name in rustls/tokio-rustls.
    fn rustls_feature(self) -> &'static str {
        match self {
            Tls::AwsLc => "aws-lc-rs",
            Tls::Ring => "ring",
        }
    }

    fn rustls_module(self) -> &'static str {
        match self {
            Tls::AwsLc => "aws_lc_rs",
            Tls::Ring => "ring",
        }
    }

    /// reqwest's TLS feature for this provider (with ring, reqwest has no provider of its own:
    /// the program installs ring as the process default).
    fn reqwest_feature(self) -> &'static str {
        match self {
            Tls::AwsLc => "rustls",
            Tls::Ring => "rustls-no-provider",
        }
    }
}

/// Which library the app is written on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lib {
    /// `mistral-files` (a path dependency on this checkout).
    MistralFiles,
    /// reqwest, tokio, serde and serde_json, used directly.
    Plain,
}

impl Lib {
    /// The name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Lib::MistralFiles => "mistral-files",
            Lib::Plain => "reqwest + tokio + serde_json",
        }
    }
}

/// `Cargo.toml` of the list app on `lib` with `tls`; `root` is this checkout.
pub fn list_manifest(lib: Lib, tls: Tls, root: &Path) -> String {
    let deps = match lib {
        Lib::MistralFiles => mistral_files_deps(tls, root),
        Lib::Plain => plain_deps(tls),
    };
    let package = package_section("list-app");
    format!("{package}[dependencies]\n{deps}{LIST_TOKIO}")
}

/// The `[package]` section of a throwaway app called `name`, and an empty `[workspace]` so that
/// it builds on its own.
fn package_section(name: &str) -> String {
    let package = format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
    format!("{package}edition = \"2021\"\npublish = false\n\n[workspace]\n\n")
}

/// The list app's dependency on this checkout's `mistral-files`, with the provider named
/// explicitly so that the figures do not depend on the default.
fn mistral_files_deps(tls: Tls, root: &Path) -> String {
    let path = root.join("crates/mistral-files");
    let features = match tls {
        Tls::AwsLc => ", default-features = false, features = [\"rustls-aws-lc\"]",
        Tls::Ring => ", default-features = false, features = [\"rustls-ring\"]",
    };
    format!(
        "mistral-files = {{ path = {:?}{features} }}\n",
        path.display()
    )
}

/// The list app's dependencies when written on reqwest and serde directly (with ring, rustls
/// too, to install ring as the process default).
fn plain_deps(tls: Tls) -> String {
    let features = format!("[\"http2\", \"json\", \"{}\"]", tls.reqwest_feature());
    let mut d = format!(
        "reqwest = {{ version = \"0.13.5\", default-features = false, features = {features} }}\n"
    );
    d.push_str(SERDE_DEPS);
    if tls == Tls::Ring {
        d.push_str(RING_RUSTLS);
    }
    d
}

const SERDE_DEPS: &str =
    "serde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\n";

const LIST_TOKIO: &str =
    "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n";

const RING_RUSTLS: &str =
    "rustls = { version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\"] }\n";

/// `src/main.rs` of the list app: list the files of `MISTRAL_BASE_URL` and print them.
pub fn list_main(lib: Lib, tls: Tls) -> String {
    match lib {
        Lib::MistralFiles => MISTRAL_FILES_MAIN.to_string(),
        Lib::Plain => {
            let init = match tls {
                Tls::AwsLc => "",
                Tls::Ring => {
                    "    let _ = rustls::crypto::ring::default_provider().install_default();\n"
                }
            };
            PLAIN_MAIN.replace("    // provider\n", init)
        }
    }
}

const MISTRAL_FILES_MAIN: &str = r#"#[tokio::main]
async fn main() -> mistral_files::Result<()> {
    let client = mistral_files::Client::from_env()?;
    for f in client.list().send().await?.data {
        println!("{} {} {:?}", f.id, f.filename, f.bytes);
    }
    Ok(())
}
"#;

const PLAIN_MAIN: &str = r#"#[derive(serde::Deserialize)]
struct File {
    id: String,
    filename: String,
    bytes: Option<u64>,
}

#[derive(serde::Deserialize)]
struct Page {
    data: Vec<File>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // provider
    let base = std::env::var("MISTRAL_BASE_URL").unwrap_or_else(|_| "https://api.mistral.ai".into());
    let key = std::env::var("MISTRAL_API_KEY")?;
    let page: Page = reqwest::Client::new()
        .get(format!("{base}/v1/files"))
        .bearer_auth(key)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    for f in page.data {
        println!("{} {} {:?}", f.id, f.filename, f.bytes);
    }
    println!("{}", serde_json::json!({ "listed": true }));
    Ok(())
}
"#;

/// `Cargo.toml` of the TLS transfer program with `tls` on both ends.
pub fn transfer_manifest(tls: Tls) -> String {
    let p = tls.rustls_feature();
    let package = package_section("tls-transfer");
    format!(
        "{package}[dependencies]\n\
         reqwest = {{ version = \"0.13.5\", default-features = false, features = [\"stream\", \"{}\"] }}\n\
         rustls = {{ version = \"0.23\", default-features = false, features = [\"{p}\", \"std\", \"tls12\"] }}\n\
         tokio-rustls = {{ version = \"0.26\", default-features = false, features = [\"{p}\", \"tls12\"] }}\n\
         tokio = {{ version = \"1\", features = [\"full\"] }}\n\
         futures-util = \"0.3\"\n",
        tls.reqwest_feature()
    )
}

/// `src/main.rs` of the TLS transfer program: a TLS server on loopback sends `MIB` MiB of
/// zeros, reqwest downloads them, `RUNS` times; prints the median seconds.
/// Arguments: `CERT.pem KEY.pem MIB RUNS`.
pub fn transfer_main(tls: Tls) -> String {
    TRANSFER_MAIN.replace("PROVIDER", tls.rustls_module())
}

const TRANSFER_MAIN: &str = r#"use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CHUNK: usize = 256 * 1024;

fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::PROVIDER::default_provider()
}

async fn serve(listener: tokio::net::TcpListener, acceptor: tokio_rustls::TlsAcceptor, bytes: u64) {
    while let Ok((tcp, _)) = listener.accept().await {
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(mut tls) = acceptor.accept(tcp).await else { return };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match tls.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {bytes}\r\nconnection: close\r\n\r\n");
            if tls.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![0u8; CHUNK];
            let mut left = bytes;
            while left > 0 {
                let n = left.min(CHUNK as u64) as usize;
                if tls.write_all(&chunk[..n]).await.is_err() {
                    return;
                }
                left -= n as u64;
            }
            let _ = tls.shutdown().await;
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mib, runs): (u64, usize) = (args[2].parse()?, args[3].parse()?);
    let _ = provider().install_default();
    let cert = CertificateDer::from_pem_file(&args[0])?;
    let key = PrivateKeyDer::from_pem_file(&args[1])?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let bytes = mib << 20;
    tokio::spawn(serve(listener, tokio_rustls::TlsAcceptor::from(Arc::new(config)), bytes));
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_der(&cert)?])
        .build()?;
    let mut secs = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let resp = client.get(format!("https://localhost:{port}/")).send().await?.error_for_status()?;
        let mut body = resp.bytes_stream();
        let mut n = 0u64;
        while let Some(chunk) = body.next().await {
            n += chunk?.len() as u64;
        }
        assert_eq!(n, bytes, "short body");
        secs.push(t.elapsed().as_secs_f64());
    }
    secs.sort_by(f64::total_cmp);
    println!("{}", secs[secs.len() / 2]);
    Ok(())
}
"#;
