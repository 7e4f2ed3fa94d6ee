//! A per-adapter circuit breaker: after `threshold` consecutive misbehaviours (traps,
//! timeouts, limits) calls are refused for `cooldown`; then one trial call decides.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Breaker settings.
#[derive(Clone, Copy, Debug)]
pub struct BreakerSettings {
    /// Consecutive misbehaviours that open the breaker.
    pub threshold: u32,
    /// How long it stays open before a trial call.
    pub cooldown: Duration,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            threshold: 5,
            cooldown: Duration::from_secs(30),
        }
    }
}

/// The breaker's state, for metrics and the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BreakerState {
    /// Calls pass.
    Closed,
    /// Calls are refused.
    Open,
    /// One trial call is allowed.
    HalfOpen,
}

#[derive(Debug)]
struct Inner {
    failures: u32,
    open_until: Option<Instant>,
    trial_in_flight: bool,
}

/// One adapter's breaker.
#[derive(Debug)]
pub struct Breaker {
    settings: BreakerSettings,
    inner: Mutex<Inner>,
}

/// A refused call: how many failures opened the breaker, and how long until a trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Consecutive failures.
    pub failures: u32,
    /// Time until a trial call is allowed.
    pub retry_in: Duration,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(settings: BreakerSettings) -> Self {
        Self {
            settings,
            inner: Mutex::new(Inner {
                failures: 0,
                open_until: None,
                trial_in_flight: false,
            }),
        }
    }

    /// Asks to make a call. The answer is a pass to report the call's end with
    /// ([`Admitted::record`]); a pass dropped unreported (the caller gave up on the call, say)
    /// ends a trial without deciding it, so the next call may try again.
    pub fn admit(&self) -> Result<Admitted<'_>, Refused> {
        let mut s = self.inner.lock();
        let trial = match s.open_until {
            None => false,
            Some(until) => {
                let now = Instant::now();
                if now < until || s.trial_in_flight {
                    return Err(Refused {
                        failures: s.failures,
                        retry_in: until.saturating_duration_since(now),
                    });
                }
                s.trial_in_flight = true;
                true
            }
        };
        Ok(Admitted {
            breaker: self,
            trial,
            recorded: false,
        })
    }

    /// Reports how an admitted call ended.
    pub fn record(&self, misbehaved: bool) {
        let mut s = self.inner.lock();
        s.trial_in_flight = false;
        if misbehaved {
            s.failures = s.failures.saturating_add(1);
            if s.failures >= self.settings.threshold {
                if s.open_until.is_none() {
                    tracing::warn!(failures = s.failures, "adapter circuit breaker opened");
                }
                s.open_until = Some(Instant::now() + self.settings.cooldown);
            }
        } else {
            if s.open_until.is_some() {
                tracing::info!("adapter circuit breaker closed after a successful trial call");
            }
            s.failures = 0;
            s.open_until = None;
        }
    }

    /// A call admitted and never reported: the trial, if it was one, ends undecided.
    fn abandon(&self) {
        self.inner.lock().trial_in_flight = false;
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        let s = self.inner.lock();
        match s.open_until {
            None => BreakerState::Closed,
            Some(t) if Instant::now() < t || s.trial_in_flight => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }
}

/// A call the breaker let through.
#[derive(Debug)]
#[must_use = "report how the call ended with `record`"]
pub struct Admitted<'a> {
    breaker: &'a Breaker,
    /// Whether this is the one trial call of a half-open breaker.
    trial: bool,
    recorded: bool,
}

impl Admitted<'_> {
    /// Reports how the call ended.
    pub fn record(mut self, misbehaved: bool) {
        self.recorded = true;
        self.breaker.record(misbehaved);
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        if self.trial && !self.recorded {
            self.breaker.abandon();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(cooldown_ms: u64) -> Breaker {
        Breaker::new(BreakerSettings {
            threshold: 3,
            cooldown: Duration::from_millis(cooldown_ms),
        })
    }

    #[test]
    fn opens_after_the_threshold_of_consecutive_failures() {
        let b = breaker(60_000);
        for _ in 0..2 {
            b.admit().unwrap().record(true);
        }
        assert_eq!(b.state(), BreakerState::Closed);
        b.admit().unwrap().record(true);
        assert_eq!(b.state(), BreakerState::Open);
        let r = b.admit().unwrap_err();
        assert_eq!(r.failures, 3);
    }

    #[test]
    fn a_success_resets_the_count() {
        let b = breaker(60_000);
        for _ in 0..2 {
            b.record(true);
        }
        b.record(false);
        b.record(true);
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn after_the_cooldown_one_trial_decides() {
        let b = breaker(1);
        for _ in 0..3 {
            b.record(true);
        }
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        let trial = b.admit().unwrap();
        assert!(b.admit().is_err(), "only one trial at a time");
        trial.record(false);
        assert_eq!(b.state(), BreakerState::Closed);
        b.admit().unwrap().record(false);
    }

    /// A trial call whose caller gave up (its future dropped mid-call) must not leave the
    /// breaker waiting for a verdict forever.
    #[test]
    fn a_trial_given_up_lets_the_next_call_try() {
        let b = breaker(1);
        for _ in 0..3 {
            b.record(true);
        }
        std::thread::sleep(Duration::from_millis(5));
        drop(b.admit().unwrap());
        assert_eq!(b.state(), BreakerState::HalfOpen);
        b.admit().expect("a new trial").record(false);
        assert_eq!(b.state(), BreakerState::Closed);
    }
}
