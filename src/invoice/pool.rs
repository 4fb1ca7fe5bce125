//! The threads invoices render on: one per core, at a lower CPU priority (nice 10) than the
//! rest of aftercare. A batch of invoices keeps every core busy, yet a webhook arriving
//! meanwhile is verified, mirrored and acknowledged first: rendering takes what is left.

use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::oneshot;

type Work = Box<dyn FnOnce() + Send>;

/// How much lower than the service the render threads run (`nice`).
const NICENESS: libc::c_int = 10;

#[derive(Clone)]
pub struct RenderPool {
    work: mpsc::Sender<Work>,
}

impl RenderPool {
    /// Starts one render thread per core; they end when the last handle is dropped.
    pub fn start() -> RenderPool {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (work, queue) = mpsc::channel::<Work>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("invoice-render-{n}"))
                .spawn(move || {
                    // On Linux the priority is the calling thread's own (0: this thread).
                    // SAFETY: setpriority only reads its integer arguments.
                    unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, NICENESS) };
                    loop {
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match next {
                            Ok(work) => work(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("start an invoice render thread");
        }
        RenderPool { work }
    }

    /// Runs `f` on a render thread and returns what it returned; `None` if the pool is
    /// gone or `f` panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, result) = oneshot::channel();
        let work: Work = Box::new(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            if let Ok(value) = outcome {
                let _ = done.send(value);
            }
        });
        self.work.send(work).ok()?;
        result.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_on_lowered_threads_and_a_panic_is_only_its_own() {
        let pool = RenderPool::start();
        let (name, nice) = pool
            .run(|| {
                // SAFETY: getpriority only reads its integer arguments.
                let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
                (std::thread::current().name().map(str::to_owned), nice)
            })
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("invoice-render-"));
        assert_eq!(nice, NICENESS);
        assert_eq!(pool.run(|| -> u8 { panic!("a bad document") }).await, None);
        assert_eq!(pool.run(|| 7).await, Some(7), "the pool outlives a panic");
    }
}
