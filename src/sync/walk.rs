//! Reading `GET /orders` in modification order without skipping rows while the store
//! keeps changing.
//!
//! Paging by page number over a changing list skips rows: when an order on an earlier page
//! is modified it moves to the end, everything behind it shifts up by one, and the order
//! that slid onto the page already read is never seen. So the walk pages by *key* instead:
//! every request is page 1 of `orderby=modified&order=asc&modified_after=C`, and after a
//! full page the cursor `C` moves to one second before the page's last `date_modified_gmt`.
//! WooCommerce compares `modified_after` exclusively at second resolution, so restarting
//! one second early re-reads the orders that share the last second (the mirror comparison
//! makes those re-reads free) and can never miss one that shares it. An order modified
//! during the walk moves behind the cursor, where the walk (or the next run) meets it again.
//!
//! One case cannot advance by key: a full page whose orders all share one second (a bulk
//! edit). That second is then read by page number (`modified_before` = the next second,
//! from page 1, following `X-WP-TotalPages`); if `X-WP-Total` drops meanwhile (orders were
//! modified again and left the second, shifting the rest forward), the second is read again
//! from page 1, at most three times.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::woo::client::{OrderQuery, PER_PAGE, Page};
use crate::woo::{WooClient, WooDate, WooError};

const ONE_SECOND: SignedDuration = SignedDuration::from_secs(1);
const MAX_DRAIN_RESTARTS: u8 = 3;

/// A walk over the orders modified after a point, oldest first.
pub struct Walk<'a> {
    client: &'a WooClient,
    status: Option<String>,
    state: State,
    requests: u64,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Keyset {
        after: Timestamp,
    },
    /// Reading every order of one second by page number.
    Drain {
        after: Timestamp,
        second: Timestamp,
        page: u32,
        /// `X-WP-Total` of the second when its paging began.
        total: Option<u64>,
        restarts: u8,
    },
    Done,
}

/// One page of the walk.
#[derive(Debug)]
pub struct WalkPage {
    pub orders: Vec<Value>,
    /// `X-WP-Total` of this request: orders still ahead, this page included.
    pub remaining: Option<u64>,
    /// Once this page is in the mirror, a walk restarted from here misses nothing.
    pub resume_after: Timestamp,
    /// The newest `date_modified_gmt` on this page.
    pub newest: Option<Timestamp>,
}

impl<'a> Walk<'a> {
    /// Orders modified strictly after `after`; `status` `None` is WooCommerce's `any`
    /// (every status but `trash`).
    pub fn new(client: &'a WooClient, after: Timestamp, status: Option<&str>) -> Walk<'a> {
        Walk {
            client,
            status: status.map(str::to_owned),
            state: State::Keyset { after },
            requests: 0,
        }
    }

    /// Requests made so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// The next page, or `None` when the walk has caught up.
    pub async fn next_page(&mut self) -> Result<Option<WalkPage>, WooError> {
        match self.state {
            State::Done => Ok(None),
            State::Keyset { after } => self.keyset(after).await.map(Some),
            State::Drain {
                after,
                second,
                page,
                total,
                restarts,
            } => self
                .drain(after, second, page, total, restarts)
                .await
                .map(Some),
        }
    }

    async fn fetch(&mut self, query: OrderQuery, page: u32) -> Result<Page<Value>, WooError> {
        self.requests += 1;
        self.client.list_orders(&query, page).await
    }

    async fn keyset(&mut self, after: Timestamp) -> Result<WalkPage, WooError> {
        let query = OrderQuery {
            modified_after: Some(after),
            modified_before: None,
            status: self.status.clone(),
        };
        let page = self.fetch(query, 1).await?;
        let newest = page.items.iter().filter_map(modified).max();
        let more = page.has_more(PER_PAGE) && !page.items.is_empty();
        if !more {
            self.state = State::Done;
            return Ok(WalkPage {
                resume_after: newest.map_or(after, |n| n.max(after)),
                remaining: page.total,
                orders: page.items,
                newest,
            });
        }
        // The last order in WooCommerce's order, not the newest: everything after it in
        // that order is at least as new.
        let last = page.items.iter().rev().find_map(modified).ok_or_else(|| {
            WooError::Decode("a full page of orders without date_modified_gmt".into())
        })?;
        let first = page.items.iter().find_map(modified);
        let next = last - ONE_SECOND;
        let resume_after = if next > after && first != Some(last) {
            self.state = State::Keyset { after: next };
            next
        } else {
            // The whole page is one second: page through that second, from its first page,
            // whose `X-WP-Total` is the count to hold the later pages to.
            self.state = State::Drain {
                after,
                second: last,
                page: 1,
                total: None,
                restarts: 0,
            };
            after
        };
        Ok(WalkPage {
            orders: page.items,
            remaining: page.total,
            resume_after,
            newest,
        })
    }

    async fn drain(
        &mut self,
        after: Timestamp,
        second: Timestamp,
        page_number: u32,
        total: Option<u64>,
        restarts: u8,
    ) -> Result<WalkPage, WooError> {
        let query = OrderQuery {
            modified_after: Some(after),
            modified_before: Some(second + ONE_SECOND),
            status: self.status.clone(),
        };
        let page = self.fetch(query, page_number).await?;
        let newest = page.items.iter().filter_map(modified).max();
        let shrank = matches!((total, page.total), (Some(before), Some(now)) if now < before);
        // The first page read with `modified_before` sets the count to hold on to.
        let total = total.or(page.total);
        let resume_after = if shrank && restarts < MAX_DRAIN_RESTARTS {
            self.state = State::Drain {
                after,
                second,
                page: 1,
                total: page.total,
                restarts: restarts + 1,
            };
            after
        } else if page.has_more(PER_PAGE) && !page.items.is_empty() {
            self.state = State::Drain {
                after,
                second,
                page: page_number + 1,
                total,
                restarts,
            };
            after
        } else {
            self.state = State::Keyset { after: second };
            second
        };
        Ok(WalkPage {
            orders: page.items,
            remaining: page.total,
            resume_after,
            newest,
        })
    }
}

/// An order's `date_modified_gmt`, if it has a readable one.
pub fn modified(order: &Value) -> Option<Timestamp> {
    serde_json::from_value::<WooDate>(order.get("date_modified_gmt")?.clone())
        .ok()
        .map(|d| d.0)
}
