//! Retry, backoff and write pacing for Graph calls, and the progress events the client reports.
//!
//! In: settings ([`RetryPolicy`], writes per second). Out: delays (exponential with jitter, or
//! `Retry-After`), a [`Pacer`] that spaces writes, and [`ProgressEvent`]s for the CLI's stderr.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How often and how long to retry. Tests shrink the delays.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First backoff delay; doubles per attempt, with jitter.
    pub base_delay: Duration,
    /// Longest backoff delay (and longest `Retry-After` honoured).
    pub max_delay: Duration,
    /// Per-request timeout. A create that times out is looked up before it is repeated.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 7,
            base_delay: Duration::from_millis(1000),
            max_delay: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Small delays for tests: `base_ms` first backoff, a short timeout.
    pub fn fast(base_ms: u64, timeout: Duration) -> Self {
        RetryPolicy {
            max_attempts: 7,
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_millis(base_ms * 16),
            request_timeout: timeout,
        }
    }

    /// Backoff before retry number `retry` (1-based): `base · 2^(retry-1)`, capped, with jitter
    /// between 50 % and 100 %.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let jitter = 0.5 + fastrand::f64() * 0.5;
        capped.mul_f64(jitter)
    }

    /// The delay for a 429/503: `Retry-After` seconds when sent (capped), plus a random part
    /// (up to a fifth of it and a quarter of the base delay), so that clients told the same
    /// second do not all come back in it; else [`Self::backoff`].
    pub fn delay_for(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(d) => {
                let d = d.min(self.max_delay);
                let spread = d / 5 + self.base_delay / 4;
                d + spread.mul_f64(fastrand::f64())
            }
            None => self.backoff(retry),
        }
    }
}

/// Parses `Retry-After` as seconds (the HTTP-date form is not used by Graph).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Spaces writes at least `1 / rate` seconds apart (Conditional Access allows about one request
/// per second per tenant).
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// `rate` writes per second; `0`, negative or not finite: no pacing.
    pub fn per_second(rate: f64) -> Self {
        let interval = if rate.is_finite() && rate > 0.0 {
            Duration::from_secs_f64(1.0 / rate)
        } else {
            Duration::ZERO
        };
        Pacer {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Waits for the next slot.
    pub async fn wait(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        if let Some(at) = *next
            && at > now
        {
            tokio::time::sleep_until(at).await;
        }
        *next = Some(Instant::now() + self.interval);
    }
}

/// What the client is doing, for progress lines on stderr.
#[derive(Clone, Debug, PartialEq)]
pub enum ProgressEvent {
    /// A request is repeated after a throttle, a server error or a timeout.
    Retrying {
        request: String,
        retry: u32,
        delay: Duration,
        reason: String,
    },
    /// A create's response was lost; looking the policy up by name before repeating it.
    LostResponse {
        display_name: String,
        reason: String,
    },
    /// The lost create was found: it is not repeated.
    Recovered { display_name: String, id: String },
    /// Anything else worth a line (deploy steps).
    Step(String),
    /// One write of a deploy begins (create, update or delete): a progress bar counts these.
    Write(String),
}

impl fmt::Display for ProgressEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgressEvent::Retrying {
                request,
                retry,
                delay,
                reason,
            } => {
                write!(
                    f,
                    "{reason}: retrying {request} in {:.1}s (retry {retry})",
                    delay.as_secs_f64()
                )
            }
            ProgressEvent::LostResponse {
                display_name,
                reason,
            } => {
                write!(
                    f,
                    "no answer to the create of `{display_name}` ({reason}); looking it up before trying again"
                )
            }
            ProgressEvent::Recovered { display_name, id } => {
                write!(
                    f,
                    "`{display_name}` was created after all ({id}); not creating it again"
                )
            }
            ProgressEvent::Step(s) | ProgressEvent::Write(s) => f.write_str(s),
        }
    }
}

/// A progress callback (the CLI prints each event on stderr).
pub type ProgressFn = Arc<dyn Fn(&ProgressEvent) + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::fast(100, Duration::from_secs(1));
        for _ in 0..20 {
            let d1 = p.backoff(1);
            assert!(
                d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100),
                "{d1:?}"
            );
            let d3 = p.backoff(3);
            assert!(
                d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400),
                "{d3:?}"
            );
            assert!(p.backoff(30) <= Duration::from_millis(1600));
        }
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..20 {
            let d = p.delay_for(1, Some(Duration::from_millis(700)));
            assert!(
                d >= Duration::from_millis(700) && d <= Duration::from_millis(865),
                "{d:?}"
            );
            seen.insert(d);
            let d = p.delay_for(1, Some(Duration::from_secs(3600)));
            assert!(d >= Duration::from_millis(1600) && d <= Duration::from_millis(1945));
        }
        assert!(seen.len() > 1, "Retry-After delays are jittered");
    }

    #[test]
    fn retry_after_is_seconds() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[tokio::test]
    async fn pacer_spaces_writes() {
        let p = Pacer::per_second(20.0);
        let start = Instant::now();
        for _ in 0..4 {
            p.wait().await;
        }
        assert!(
            start.elapsed() >= Duration::from_millis(150),
            "{:?}",
            start.elapsed()
        );
        let none = Pacer::per_second(0.0);
        let start = Instant::now();
        for _ in 0..10 {
            none.wait().await;
        }
        assert!(start.elapsed() < Duration::from_millis(50));
    }
}
