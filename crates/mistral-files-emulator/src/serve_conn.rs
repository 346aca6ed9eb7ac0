//! Serves the router on the listener, one task per connection, through hyper's connection
//! builder rather than `axum::serve`, so that each connection's read buffer can be capped
//! (`axum::serve` leaves hyper's default of about 400 KiB, which an upload's body fills: 6.4 MiB
//! for 16 concurrent uploads). Everything else is as `axum::serve` does it: TCP_NODELAY
//! on every connection, HTTP/1.1 (and HTTP/2 with prior knowledge when hyper-util's `http2`
//! feature is on in the build, as another crate of the build may turn it on), upgrades, and a
//! graceful shutdown: once told to stop, no new connection is accepted, each open one finishes
//! the request it is in and closes, and the serving future ends when the last has.
//!
//! A leaf on the request side: it knows the router only as a `tower` service.

use std::future::Future;
use std::io;
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The most a connection buffers of what it reads (and queues to write). The request head must
/// fit in it, so it bounds that too: 64 KiB is more than any head the service accepts (the
/// usual front ends refuse heads of 8 to 32 KiB) and lets a body arrive in reads as large as a
/// socket's default receive buffer, while 16 connections hold at most 1 MiB of it between them.
/// hyper's floor is 8 KiB; its default is about 400 KiB.
const MAX_BUF_SIZE: usize = 64 * 1024;

/// How long to wait before accepting again after an error that is not one connection's (the
/// process out of file descriptors, say): the error would come straight back.
const ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Serves `app` on `listener` until `stop` completes, then shuts down gracefully: stops
/// accepting, lets each connection finish its request in flight, and returns once every
/// connection is closed. The caller bounds that wait (see `RunningEmulator::stop`).
pub(crate) async fn serve(listener: TcpListener, app: Router, stop: impl Future<Output = ()>) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().max_buf_size(MAX_BUF_SIZE);
    // Turned to `true` to tell the connections to finish.
    let (stopping_tx, stopping) = watch::channel(false);
    // Every connection holds a receiver; `closed()` completes when the last one is dropped.
    let (open_tx, open) = watch::channel(());
    let mut stop = pin!(stop);
    loop {
        let tcp = tokio::select! {
            tcp = accept(&listener) => tcp,
            () = &mut stop => break,
        };
        tokio::spawn(connection(
            builder.clone(),
            tcp,
            app.clone(),
            stopping.clone(),
            open.clone(),
        ));
    }
    drop(listener);
    drop(open);
    let _ = stopping_tx.send(true);
    tracing::trace!(
        open = open_tx.receiver_count(),
        "not accepting; waiting for the open connections"
    );
    open_tx.closed().await;
}

/// The next connection, with TCP_NODELAY set (answers are written whole, and a small one must
/// not wait for the client's ACK of the previous packet). Errors of one connection are skipped;
/// any other is logged and waited out.
async fn accept(listener: &TcpListener) -> TcpStream {
    loop {
        match listener.accept().await {
            Ok((tcp, peer)) => {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::trace!(error = %e, "TCP_NODELAY not set");
                }
                tracing::trace!(%peer, "connection accepted");
                return tcp;
            }
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                tracing::error!(error = %e, "accept error");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

/// Errors of the connection being accepted only (it went away before it was accepted).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serves one connection until the client closes it or, once `stopping` turns `true` (or the
/// server is gone), until its request in flight is answered. `_open` is dropped at the end,
/// which tells `serve` this connection is closed.
async fn connection(
    builder: Builder<TokioExecutor>,
    tcp: TcpStream,
    app: Router,
    mut stopping: watch::Receiver<bool>,
    _open: watch::Receiver<()>,
) {
    let service = TowerToHyperService::new(app);
    let mut conn = pin!(builder.serve_connection_with_upgrades(TokioIo::new(tcp), service));
    let ended = tokio::select! {
        ended = conn.as_mut() => Some(ended),
        // `is_ok` drops the watch's read guard here, before any await
        _ = async { stopping.wait_for(|stop| *stop).await.is_ok() } => None,
    };
    let ended = match ended {
        Some(ended) => ended,
        None => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::trace!(error = %e, "connection ended with an error");
    }
}
