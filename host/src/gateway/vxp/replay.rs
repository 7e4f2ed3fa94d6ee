//! A bounded memory of recently accepted signed requests, so an identical one is refused.
//!
//! Why a cache and not a freshness check: the Government Office SDK sets `XroadVnpt-timestamp`
//! once per service object and reuses it for every call (§9.2), and integrators keep service
//! objects for hours, so a strict "timestamp within N minutes" rule would refuse real clients.
//! What the SDK does guarantee is that two *different* state-changing calls differ in a signed
//! header (another `hash-file`, `docId`, `status`, `AgencyCode`) or in the timestamp, and so in
//! `XroadVnpt-hash-header`. An exact repeat of a signed request is therefore either a replay or
//! a client retrying the very same call; refusing it is safe for both, because the exchange is
//! idempotent on the package's `DocumentId` anyway (this cache is defence in depth).
//!
//! A reservation is taken before the handler acts and only becomes permanent when the handler
//! commits it: if processing fails, the [`ReplayGuard`] is dropped and the same request may be
//! retried. Entries expire after a window and the cache holds at most a fixed number of them
//! (oldest evicted first), so memory stays bounded under any load.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// The identity of one signed request: a SHA-256 over what makes it unique (see `auth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReplayKey(pub [u8; 32]);

/// Why a reservation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The same request is being processed right now.
    InFlight,
    /// The same request was accepted this long ago.
    Accepted {
        /// Time since the first one arrived.
        ago: Duration,
    },
}

/// The cache; cheap to clone (all clones share one memory).
#[derive(Clone, Debug)]
pub struct ReplayCache {
    inner: Arc<Mutex<State>>,
    window: Duration,
    capacity: usize,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<ReplayKey, Entry>,
    /// Keys in arrival order, with the generation they were inserted under; stale items (whose
    /// entry was released or replaced) are skipped when met.
    order: VecDeque<(ReplayKey, u64)>,
    next_generation: u64,
}

#[derive(Debug)]
struct Entry {
    first_seen: Instant,
    generation: u64,
    committed: bool,
}

impl ReplayCache {
    /// A cache remembering requests for `window`, holding at most `capacity` of them.
    pub fn new(window: Duration, capacity: usize) -> ReplayCache {
        ReplayCache {
            inner: Arc::new(Mutex::new(State::default())),
            window,
            capacity: capacity.max(1),
        }
    }

    /// Reserves `key` at `now`, or says when the same request was seen.
    pub fn reserve(&self, key: ReplayKey, now: Instant) -> Result<ReplayGuard, Seen> {
        let mut state = self.inner.lock();
        self.expire(&mut state, now);
        if let Some(entry) = state.entries.get(&key) {
            return Err(if entry.committed {
                Seen::Accepted {
                    ago: now.saturating_duration_since(entry.first_seen),
                }
            } else {
                Seen::InFlight
            });
        }
        let generation = state.next_generation;
        state.next_generation += 1;
        state.entries.insert(
            key,
            Entry {
                first_seen: now,
                generation,
                committed: false,
            },
        );
        state.order.push_back((key, generation));
        while state.entries.len() > self.capacity {
            if !Self::pop_oldest(&mut state) {
                break;
            }
        }
        if state.order.len() > 2 * self.capacity + 16 {
            let State { entries, order, .. } = &mut *state;
            order.retain(|(k, g)| entries.get(k).is_some_and(|e| e.generation == *g));
        }
        Ok(ReplayGuard {
            inner: Arc::clone(&self.inner),
            key,
            generation,
            done: false,
        })
    }

    /// Number of remembered requests (committed or in flight).
    pub fn len(&self) -> usize {
        self.inner.lock().entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn expire(&self, state: &mut State, now: Instant) {
        while let Some(&(key, generation)) = state.order.front() {
            match state.entries.get(&key) {
                Some(e) if e.generation == generation => {
                    if now.saturating_duration_since(e.first_seen) < self.window {
                        break;
                    }
                    state.entries.remove(&key);
                }
                _ => {}
            }
            state.order.pop_front();
        }
    }

    /// Removes the oldest live entry; false when there is none.
    fn pop_oldest(state: &mut State) -> bool {
        while let Some((key, generation)) = state.order.pop_front() {
            if state
                .entries
                .get(&key)
                .is_some_and(|e| e.generation == generation)
            {
                state.entries.remove(&key);
                return true;
            }
        }
        false
    }
}

/// A reservation of one request; commit it once the request has been carried out.
///
/// Dropping it uncommitted forgets the request, so a client may retry after a failure.
#[derive(Debug)]
pub struct ReplayGuard {
    inner: Arc<Mutex<State>>,
    key: ReplayKey,
    generation: u64,
    done: bool,
}

impl ReplayGuard {
    /// Makes the reservation permanent (for the cache's window): a repeat is now a replay.
    pub fn commit(mut self) {
        let mut state = self.inner.lock();
        if let Some(e) = state.entries.get_mut(&self.key)
            && e.generation == self.generation
        {
            e.committed = true;
        }
        self.done = true;
    }
}

impl Drop for ReplayGuard {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut state = self.inner.lock();
        if state
            .entries
            .get(&self.key)
            .is_some_and(|e| e.generation == self.generation && !e.committed)
        {
            state.entries.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> ReplayKey {
        ReplayKey([n; 32])
    }

    #[test]
    fn a_committed_request_is_refused_with_its_age() {
        let cache = ReplayCache::new(Duration::from_secs(60), 10);
        let t0 = Instant::now();
        cache.reserve(key(1), t0).expect("first").commit();
        let again = cache.reserve(key(1), t0 + Duration::from_secs(5));
        assert_eq!(
            again.err(),
            Some(Seen::Accepted {
                ago: Duration::from_secs(5)
            })
        );
    }

    #[test]
    fn a_request_in_flight_refuses_its_twin_and_a_dropped_one_frees_it() {
        let cache = ReplayCache::new(Duration::from_secs(60), 10);
        let t0 = Instant::now();
        let guard = cache.reserve(key(1), t0).expect("first");
        assert_eq!(cache.reserve(key(1), t0).err(), Some(Seen::InFlight));
        drop(guard);
        assert!(cache.is_empty());
        assert!(cache.reserve(key(1), t0).is_ok());
    }

    #[test]
    fn entries_expire_after_the_window() {
        let cache = ReplayCache::new(Duration::from_secs(60), 10);
        let t0 = Instant::now();
        cache.reserve(key(1), t0).expect("first").commit();
        assert!(cache.reserve(key(1), t0 + Duration::from_secs(59)).is_err());
        cache
            .reserve(key(1), t0 + Duration::from_secs(60))
            .expect("expired")
            .commit();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn capacity_evicts_the_oldest_first() {
        let cache = ReplayCache::new(Duration::from_secs(3600), 3);
        let t0 = Instant::now();
        for n in 0..5 {
            cache.reserve(key(n), t0).expect("fresh").commit();
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.reserve(key(0), t0).is_ok(), "oldest was evicted");
        assert!(cache.reserve(key(4), t0).is_err(), "newest is remembered");
    }

    #[test]
    fn churn_of_released_reservations_keeps_the_order_queue_bounded() {
        let cache = ReplayCache::new(Duration::from_secs(3600), 4);
        let t0 = Instant::now();
        for n in 0..=255u8 {
            drop(cache.reserve(key(n), t0).expect("fresh"));
        }
        let order_len = cache.inner.lock().order.len();
        assert!(order_len <= 2 * 4 + 16, "order queue grew to {order_len}");
        assert!(cache.is_empty());
    }

    #[test]
    fn a_late_commit_after_eviction_does_not_resurrect_or_panic() {
        let cache = ReplayCache::new(Duration::from_secs(3600), 1);
        let t0 = Instant::now();
        let first = cache.reserve(key(1), t0).expect("first");
        cache.reserve(key(2), t0).expect("second").commit();
        first.commit();
        assert!(cache.reserve(key(1), t0).is_ok());
    }
}
