//! Pacing a provider account's requests within its published rate (17TRACK: 3 a second
//! per key). One pacer per account, shared by everything that talks to the provider (the
//! poller and the follow jobs), so together they never exceed it. Requests are spaced
//! evenly, one slot each: a burst of requests waits its turn instead of drawing a 429.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Hands out evenly spaced request slots.
#[derive(Debug)]
pub struct Pace {
    every: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pace {
    /// At most `per_second` requests a second (at least one).
    pub fn per_second(per_second: u32) -> Self {
        Self {
            every: Duration::from_secs(1) / per_second.max(1),
            next: Mutex::new(None),
        }
    }

    /// Reserves the next free slot at or after `now`, and returns it.
    fn reserve(&self, now: Instant) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let slot = next.map_or(now, |n| n.max(now));
        *next = Some(slot + self.every);
        slot
    }

    /// Waits for this request's slot.
    pub async fn wait(&self) {
        let slot = self.reserve(Instant::now());
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_spaced_by_the_rate_and_idle_time_is_not_saved_up() {
        let pace = Pace::per_second(3);
        let t0 = Instant::now();
        let every = Duration::from_secs(1) / 3;
        let burst: Vec<Duration> = (0..4).map(|_| pace.reserve(t0) - t0).collect();
        assert_eq!(burst, [Duration::ZERO, every, every * 2, every * 3]);
        // Long after the burst: served at once, then spaced again.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(pace.reserve(later), later);
        assert_eq!(pace.reserve(later), later + every);
    }
}
