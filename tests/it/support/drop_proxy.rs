//! A TCP proxy in front of the fake Graph that can drop a connection instead of passing an
//! answer on: a create that Graph stored but whose answer never arrived.
//!
//! In: the upstream address and a flag the fake sets while it answers. Out: the proxy's base URL.
//! Tests run one request at a time, so "the next answer" is the one the fake just produced.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub async fn start(upstream: String, drop_next: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            tokio::spawn(pump(inbound, upstream.clone(), drop_next.clone()));
        }
    });
    format!("http://{addr}")
}

async fn pump(inbound: TcpStream, upstream: String, drop_next: Arc<AtomicBool>) {
    let Ok(outbound) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (mut client_read, mut client_write) = inbound.into_split();
    let (mut server_read, mut server_write) = outbound.into_split();
    let to_server = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if drop_next.swap(false, Ordering::SeqCst) {
            break; // the answer is thrown away and both connections are closed
        }
        if client_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    to_server.abort();
}
