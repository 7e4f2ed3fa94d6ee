//! Hot swap: the adapter generation serving one endpoint, replaced atomically.
//!
//! A call takes the current generation (an `Arc`) and keeps it to the end, so a swap never
//! disturbs calls in flight: they finish on the old generation, new calls see the new one.
//! Rollback is the same swap backwards. An optional canary sends a share of calls to a new
//! generation before it becomes the active one.

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::generation::Generation;

/// What a slot holds.
#[derive(Clone, Debug)]
pub struct SlotState {
    /// The generation serving calls.
    pub active: Arc<Generation>,
    /// A generation on trial, and the percentage of calls it gets.
    pub canary: Option<(Arc<Generation>, u8)>,
    /// Earlier active generations, most recent last: where rollback goes.
    pub history: Vec<Arc<Generation>>,
}

/// Previous generations kept for rollback.
const HISTORY: usize = 8;

/// The adapter slot of one endpoint.
#[derive(Debug)]
pub struct AdapterSlot {
    state: ArcSwap<SlotState>,
}

/// Why a rollback could not happen.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RollbackError {
    /// Nothing to go back to.
    #[error("there is no earlier adapter generation to roll back to")]
    NoHistory,
}

impl AdapterSlot {
    /// A slot serving `initial`.
    pub fn new(initial: Arc<Generation>) -> Self {
        Self {
            state: ArcSwap::from_pointee(SlotState {
                active: initial,
                canary: None,
                history: Vec::new(),
            }),
        }
    }

    /// The generation for the next call (the canary for its share of calls).
    pub fn current(&self) -> Arc<Generation> {
        let s = self.state.load();
        if let Some((canary, percent)) = &s.canary
            && rand::random_range(0..100u8) < *percent
        {
            return canary.clone();
        }
        s.active.clone()
    }

    /// A snapshot of the slot.
    pub fn state(&self) -> Arc<SlotState> {
        self.state.load_full()
    }

    /// Makes `next` the active generation (it must already be loaded and self-tested); the
    /// previous one is kept for rollback. Any canary ends.
    pub fn activate(&self, next: Arc<Generation>) {
        self.state.rcu(|s| {
            let mut history = s.history.clone();
            history.push(s.active.clone());
            if history.len() > HISTORY {
                history.remove(0);
            }
            SlotState {
                active: next.clone(),
                canary: None,
                history,
            }
        });
    }

    /// Sends `percent` of calls to `canary` (1..=99); the active generation stays.
    pub fn start_canary(&self, canary: Arc<Generation>, percent: u8) {
        let percent = percent.clamp(1, 99);
        self.state.rcu(|s| SlotState {
            active: s.active.clone(),
            canary: Some((canary.clone(), percent)),
            history: s.history.clone(),
        });
    }

    /// Goes back to the previous generation (or just ends a canary, if one runs).
    pub fn rollback(&self) -> Result<Arc<Generation>, RollbackError> {
        let mut outcome = Err(RollbackError::NoHistory);
        self.state.rcu(|s| {
            if s.canary.is_some() {
                outcome = Ok(s.active.clone());
                return SlotState {
                    active: s.active.clone(),
                    canary: None,
                    history: s.history.clone(),
                };
            }
            let mut history = s.history.clone();
            match history.pop() {
                Some(prev) => {
                    outcome = Ok(prev.clone());
                    SlotState {
                        active: prev,
                        canary: None,
                        history,
                    }
                }
                None => {
                    outcome = Err(RollbackError::NoHistory);
                    (**s).clone()
                }
            }
        });
        outcome
    }
}
