//! A scripted HTTP/1.1 server on loopback, for what the emulator does not model (resets, stalls,
//! odd responses, redirects to another host) and for capturing the requests a client builds.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the server does with one connection, once it has read the request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Write these bytes (possibly none: the connection is closed before any response), then close.
    Bytes(Vec<u8>),
    /// Write the first bytes, wait, then write the rest (if the client is still there), then close.
    Stall(Vec<u8>, Duration, Vec<u8>),
    /// Write nothing; hold the connection open this long, then close.
    Silence(Duration),
}

impl From<Vec<u8>> for Reply {
    fn from(bytes: Vec<u8>) -> Self {
        Reply::Bytes(bytes)
    }
}

/// One request as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The request line and headers, up to and including the blank line (lossy UTF-8).
    pub head: String,
    /// The body, as long as its `Content-Length` says (empty without one, e.g. when chunked).
    pub body: Vec<u8>,
}

/// A loopback server whose connections each serve one request: it reads the head (and a
/// `Content-Length` body), records it, and answers with what the test's handler returns for
/// `(index of the connection, request head)`. Stopped when dropped.
pub struct ScriptedServer {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    /// The address it listens on.
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ScriptedServer {
    /// Starts a server on a free loopback port (on the current tokio runtime) answering each
    /// connection with `handler(index, head)`: raw response bytes (see [`http_response`]) or a
    /// [`Reply`].
    pub async fn start<F, R>(handler: F) -> ScriptedServer
    where
        F: Fn(usize, &str) -> R + Send + Sync + 'static,
        R: Into<Reply>,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let record = received.clone();
        let handler = Arc::new(handler);
        let task = tokio::spawn(async move {
            for index in 0usize.. {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let (record, handler) = (record.clone(), handler.clone());
                tokio::spawn(async move {
                    serve_one(sock, |head| handler(index, head).into(), &record).await;
                });
            }
        });
        ScriptedServer {
            url: format!("http://{addr}"),
            addr,
            received,
            task,
        }
    }

    /// The requests read so far, in the order they were read.
    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The heads of the requests read so far.
    pub fn heads(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.head).collect()
    }
}

/// Reads one request from `sock`, records it, writes the reply and closes.
async fn serve_one(
    mut sock: tokio::net::TcpStream,
    reply: impl FnOnce(&str) -> Reply,
    record: &Mutex<Vec<Received>>,
) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        match sock.read(&mut tmp).await {
            Ok(0) | Err(_) => return,
            Ok(k) => buf.extend_from_slice(&tmp[..k]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf.split_off(head_end);
    while body.len() < len {
        match sock.read(&mut tmp).await {
            Ok(0) | Err(_) => return,
            Ok(k) => body.extend_from_slice(&tmp[..k]),
        }
    }
    record.lock().unwrap().push(Received {
        head: head.clone(),
        body,
    });
    match reply(&head) {
        Reply::Bytes(b) => {
            let _ = sock.write_all(&b).await;
        }
        Reply::Stall(first, wait, rest) => {
            let _ = sock.write_all(&first).await;
            let _ = sock.flush().await;
            tokio::time::sleep(wait).await;
            let _ = sock.write_all(&rest).await;
        }
        Reply::Silence(d) => tokio::time::sleep(d).await,
    }
    let _ = sock.flush().await;
    let _ = sock.shutdown().await;
}

/// A raw HTTP/1.1 response: the status (`"200 OK"`), `connection: close`, the given headers, then
/// the body (no `content-length` unless given).
pub fn http_response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A `200 OK` response with a JSON body and its `content-length`.
pub fn json_200(body: &str) -> Vec<u8> {
    http_response(
        "200 OK",
        &[
            ("content-type", "application/json".to_string()),
            ("content-length", body.len().to_string()),
        ],
        body.as_bytes(),
    )
}

/// `http://127.0.0.1:PORT` for a port that was free a moment ago and has no listener: connecting
/// to it is refused.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    drop(listener);
    url
}
