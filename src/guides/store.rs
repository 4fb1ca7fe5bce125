//! The `guides` and `guide_links` tables.

use rand::RngExt as _;
use rusqlite::{Connection, OptionalExtension};

use super::model::{NewGuide, Scope};
use crate::ids::StoreId;
use crate::store::StoreError;
use crate::time::Stamp;

/// A stored guide with its current links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    pub id: i64,
    pub scope: String,
    pub scope_key: String,
    pub text: String,
    pub links: Vec<Link>,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub title: String,
    pub url: String,
    pub token: String,
    pub clicks: i64,
}

/// 128 random bits, base64url: the secret part of `/g/{token}`.
fn new_token() -> String {
    use base64::Engine as _;
    let bytes: [u8; 16] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Creates or replaces the guide of `scope`. A link whose address is kept keeps its token
/// and its clicks; a link that goes is retired (its token still answers, see [`follow`]).
/// Returns the guide and whether it was created.
pub fn put(
    c: &Connection,
    store: &StoreId,
    scope: &Scope,
    g: &NewGuide,
    now: &Stamp,
) -> Result<(Guide, bool), StoreError> {
    let (kind, key) = scope.key();
    let existing: Option<i64> = c
        .prepare_cached(
            "SELECT id FROM guides WHERE store_id = ?1 AND scope = ?2 AND scope_key = ?3",
        )?
        .query_row((store, kind, &key), |r| r.get(0))
        .optional()?;
    let id = match existing {
        Some(id) => {
            c.prepare_cached("UPDATE guides SET text = ?2, updated_at = ?3 WHERE id = ?1")?
                .execute((id, &g.text, now))?;
            id
        }
        None => {
            c.prepare_cached(
                "INSERT INTO guides (store_id, scope, scope_key, text, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute((store, kind, &key, &g.text, now))?;
            c.last_insert_rowid()
        }
    };
    let current: Vec<(i64, String)> = c
        .prepare_cached(
            "SELECT id, url FROM guide_links WHERE guide_id = ?1 AND removed_at IS NULL",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut kept = Vec::new();
    for (position, (title, url)) in g.links.iter().enumerate() {
        match current
            .iter()
            .find(|(link, u)| u == url && !kept.contains(link))
        {
            Some((link, _)) => {
                c.prepare_cached("UPDATE guide_links SET title = ?2, position = ?3 WHERE id = ?1")?
                    .execute((link, title, position as i64))?;
                kept.push(*link);
            }
            None => {
                c.prepare_cached(
                    "INSERT INTO guide_links (store_id, guide_id, position, title, url, token)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute((store, id, position as i64, title, url, new_token()))?;
                kept.push(c.last_insert_rowid());
            }
        }
    }
    for (link, _) in &current {
        if !kept.contains(link) {
            c.prepare_cached("UPDATE guide_links SET removed_at = ?2 WHERE id = ?1")?
                .execute((link, now))?;
        }
    }
    let guide =
        get(c, store, scope)?.ok_or_else(|| StoreError::Corrupt("guide vanished".into()))?;
    Ok((guide, existing.is_none()))
}

/// Removes the guide of `scope`, retiring its links; whether there was one.
pub fn delete(
    c: &Connection,
    store: &StoreId,
    scope: &Scope,
    now: &Stamp,
) -> Result<bool, StoreError> {
    let (kind, key) = scope.key();
    let id: Option<i64> = c
        .prepare_cached(
            "SELECT id FROM guides WHERE store_id = ?1 AND scope = ?2 AND scope_key = ?3",
        )?
        .query_row((store, kind, &key), |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(false) };
    c.prepare_cached(
        "UPDATE guide_links SET removed_at = ?2 WHERE guide_id = ?1 AND removed_at IS NULL",
    )?
    .execute((id, now))?;
    c.prepare_cached("DELETE FROM guides WHERE id = ?1")?
        .execute([id])?;
    Ok(true)
}

fn links(c: &Connection, guide: i64) -> Result<Vec<Link>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT title, url, token, clicks FROM guide_links
             WHERE guide_id = ?1 AND removed_at IS NULL ORDER BY position",
    )?
    .query_map([guide], |r| {
        Ok(Link {
            title: r.get(0)?,
            url: r.get(1)?,
            token: r.get(2)?,
            clicks: r.get(3)?,
        })
    })?
    .collect::<Result<_, _>>()?)
}

/// The guide of exactly `scope`.
pub fn get(c: &Connection, store: &StoreId, scope: &Scope) -> Result<Option<Guide>, StoreError> {
    let (kind, key) = scope.key();
    let row = c
        .prepare_cached(
            "SELECT id, scope, scope_key, text, updated_at FROM guides
             WHERE store_id = ?1 AND scope = ?2 AND scope_key = ?3",
        )?
        .query_row((store, kind, &key), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    row.map(|(id, scope, scope_key, text, updated_at)| {
        Ok(Guide {
            id,
            scope,
            scope_key,
            text,
            links: links(c, id)?,
            updated_at,
        })
    })
    .transpose()
}

/// The guide a line item takes: its variation's, else its SKU's, else its product's.
pub fn for_item(
    c: &Connection,
    store: &StoreId,
    product_id: u64,
    variation_id: u64,
    sku: &str,
) -> Result<Option<Guide>, StoreError> {
    let mut scopes = Vec::new();
    if variation_id != 0 {
        scopes.push(Scope::Variation(variation_id));
    }
    if let Some(sku) = Scope::sku(sku) {
        scopes.push(sku);
    }
    if product_id != 0 {
        scopes.push(Scope::Product(product_id));
    }
    for scope in scopes {
        if let Some(g) = get(c, store, &scope)? {
            return Ok(Some(g));
        }
    }
    Ok(None)
}

/// Every guide of the store, for staff.
pub fn list(c: &Connection, store: &StoreId) -> Result<Vec<Guide>, StoreError> {
    let scopes: Vec<(String, String)> = c
        .prepare_cached("SELECT scope, scope_key FROM guides WHERE store_id = ?1 ORDER BY id")?
        .query_map([store], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for (scope, key) in scopes {
        let scope = match scope.as_str() {
            "product" => key.parse().ok().map(Scope::Product),
            "variation" => key.parse().ok().map(Scope::Variation),
            _ => Some(Scope::Sku(key)),
        };
        if let Some(scope) = scope
            && let Some(g) = get(c, store, &scope)?
        {
            out.push(g);
        }
    }
    Ok(out)
}

/// Where a guide link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    /// Counted; go there.
    To(String),
    /// Staff removed the link or its guide.
    Retired,
}

/// Counts a click on the link of `token` and says where it leads; `None` for no such link.
pub fn follow(c: &Connection, token: &str, now: &Stamp) -> Result<Option<Followed>, StoreError> {
    let row: Option<(i64, String, bool)> = c
        .prepare_cached("SELECT id, url, removed_at IS NOT NULL FROM guide_links WHERE token = ?1")?
        .query_row([token], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((id, url, retired)) = row else {
        return Ok(None);
    };
    if retired {
        return Ok(Some(Followed::Retired));
    }
    c.prepare_cached(
        "UPDATE guide_links SET clicks = clicks + 1, last_clicked_at = ?2 WHERE id = ?1",
    )?
    .execute((id, now))?;
    Ok(Some(Followed::To(url)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide(text: &str, links: &[(&str, &str)]) -> NewGuide {
        NewGuide {
            text: text.into(),
            links: links
                .iter()
                .map(|(t, u)| ((*t).into(), (*u).into()))
                .collect(),
        }
    }

    #[test]
    fn links_keep_their_tokens_and_retired_ones_still_answer() {
        let c = crate::store::in_memory();
        let store = StoreId::default_store();
        c.execute(
            "INSERT INTO stores (id, created_at) VALUES ('default', '')",
            [],
        )
        .unwrap();
        let now = crate::time::millis(jiff::Timestamp::now());
        let scope = Scope::Product(77);
        let (first, created) = put(
            &c,
            &store,
            &scope,
            &guide(
                "Charge first.",
                &[
                    ("Video", "https://v.example/1"),
                    ("Manual", "https://m.example/m.pdf"),
                ],
            ),
            &now,
        )
        .unwrap();
        assert!(created);
        let video = first.links[0].token.clone();
        let manual = first.links[1].token.clone();
        assert_ne!(video, manual);
        assert_eq!(video.len(), 22);
        assert_eq!(
            follow(&c, &video, &now).unwrap(),
            Some(Followed::To("https://v.example/1".into()))
        );
        let (second, created) = put(
            &c,
            &store,
            &scope,
            &guide("Charge it.", &[("Setup video", "https://v.example/1")]),
            &now,
        )
        .unwrap();
        assert!(!created);
        assert_eq!(second.links.len(), 1);
        assert_eq!(second.links[0].token, video, "same address, same token");
        assert_eq!(second.links[0].clicks, 1);
        assert_eq!(follow(&c, &manual, &now).unwrap(), Some(Followed::Retired));
        assert_eq!(follow(&c, "nope", &now).unwrap(), None);
        // Variation before SKU before product.
        put(
            &c,
            &store,
            &Scope::Sku("DR-1".into()),
            &guide("SKU", &[]),
            &now,
        )
        .unwrap();
        assert_eq!(
            for_item(&c, &store, 77, 0, "DR-1").unwrap().unwrap().text,
            "SKU"
        );
        assert_eq!(
            for_item(&c, &store, 77, 0, "").unwrap().unwrap().text,
            "Charge it."
        );
        put(&c, &store, &Scope::Variation(78), &guide("Var", &[]), &now).unwrap();
        assert_eq!(
            for_item(&c, &store, 77, 78, "DR-1").unwrap().unwrap().text,
            "Var"
        );
        assert!(for_item(&c, &store, 5, 0, "").unwrap().is_none());
        assert!(delete(&c, &store, &scope, &now).unwrap());
        assert_eq!(follow(&c, &video, &now).unwrap(), Some(Followed::Retired));
        assert!(!delete(&c, &store, &scope, &now).unwrap());
    }
}
