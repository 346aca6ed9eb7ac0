//! The upload buffers shared by all uploads of one emulator.
//!
//! Buffers of its own per upload would make the emulator's memory grow with the number of
//! concurrent uploads; a pool bounds it whatever that number. It lives apart from the upload
//! code because the shared state (`state`) owns the pool while the upload handler uses that state.
//!
//! Depends only on `download` (for [`CHUNK`], the size of every read and write of content).

use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::download::CHUNK;

/// Upload buffers (of [`CHUNK`] bytes) that may exist at once, all uploads together: 4 MiB.
/// One upload alone uses at most 4 (one filling, two queued, one being written), so a single
/// stream is never held back; many at once share them (FIFO) instead of each holding its own.
pub(crate) const POOL_BUFFERS: usize = 16;

/// A permit per buffer in use, and the buffers returned, reused rather than freed (no allocator
/// churn, no fragmentation).
pub(crate) struct BufferPool {
    permits: Arc<Semaphore>,
    free: Mutex<Vec<Vec<u8>>>,
}

impl std::fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BufferPool")
            .field("available", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl BufferPool {
    pub(crate) fn new(buffers: usize) -> Arc<BufferPool> {
        Arc::new(BufferPool {
            permits: Arc::new(Semaphore::new(buffers)),
            free: Mutex::new(Vec::with_capacity(buffers)),
        })
    }

    /// An empty buffer of [`CHUNK`] capacity, waiting while the pool's buffers are all in use.
    /// A caller must not hold another buffer while it waits (none does: the receiving task hands
    /// its full buffer to the writer, which always returns it, before asking for the next one).
    pub(crate) async fn get(self: &Arc<Self>) -> PooledBuf {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the pool's semaphore is never closed");
        let buf = self
            .free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(CHUNK));
        PooledBuf {
            buf,
            pool: self.clone(),
            _permit: permit,
        }
    }
}

/// A buffer lent by the [`BufferPool`]; back to the pool (cleared) when dropped.
pub(crate) struct PooledBuf {
    buf: Vec<u8>,
    pool: Arc<BufferPool>,
    _permit: OwnedSemaphorePermit,
}

impl PooledBuf {
    /// Appends as much of `bytes` as fits (never growing past [`CHUNK`], so the buffer can be
    /// reused); returns what did not fit.
    pub(crate) fn fill_from<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        let n = CHUNK.saturating_sub(self.buf.len()).min(bytes.len());
        self.buf.extend_from_slice(&bytes[..n]);
        &bytes[n..]
    }

    pub(crate) fn is_full(&self) -> bool {
        self.buf.len() >= CHUNK
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for PooledBuf {
    fn drop(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        if buf.capacity() == CHUNK {
            buf.clear();
            self.pool
                .free
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(buf);
        }
        // the permit is released after this, once the buffer is back in the free list
    }
}
