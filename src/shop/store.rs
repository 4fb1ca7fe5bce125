//! The `shop_profiles` table: each store's profile as last received, and its logo.

use rusqlite::{Connection, OptionalExtension};

use super::profile::Profile;
use crate::ids::StoreId;
use crate::store::StoreError;
use crate::time::Stamp;

/// A store's profile and when it arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub profile: Profile,
    pub received_at: Stamp,
}

/// How the shop presents itself to shoppers, read without the rest of the profile (the
/// tracking page reads it on every view).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Storefront {
    pub name: Option<String>,
    pub url: Option<String>,
    pub logo_url: Option<String>,
}

/// Replaces `store`'s profile.
pub fn save(
    conn: &Connection,
    store: &StoreId,
    profile: &Profile,
    logo_png: Option<&[u8]>,
    now: &Stamp,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(profile).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO shop_profiles (store_id, profile, logo_png, received_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (store_id) DO UPDATE SET
             profile = excluded.profile, logo_png = excluded.logo_png,
             received_at = excluded.received_at",
    )?
    .execute((store, json, logo_png, now))?;
    Ok(())
}

/// The time zone in `store`'s profile (`wp_timezone_string()`), when it sent one that names
/// a zone.
pub fn timezone(conn: &Connection, store: &StoreId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT json_extract(profile, '$.timezone') FROM shop_profiles WHERE store_id = ?1",
        )?
        .query_row([store], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// `store`'s profile, when the shop has sent one.
pub fn load(conn: &Connection, store: &StoreId) -> Result<Option<Stored>, StoreError> {
    let row: Option<(String, Stamp)> = conn
        .prepare_cached("SELECT profile, received_at FROM shop_profiles WHERE store_id = ?1")?
        .query_row([store], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(json, received_at)| {
        let profile = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("shop profile of {store}: {e}")))?;
        Ok(Stored {
            profile,
            received_at,
        })
    })
    .transpose()
}

/// The PNG logo the shop sent, if any.
pub fn logo_png(conn: &Connection, store: &StoreId) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT logo_png FROM shop_profiles WHERE store_id = ?1")?
        .query_row([store], |r| r.get::<_, Option<Vec<u8>>>(0))
        .optional()?
        .flatten())
}

/// The shop's name, home page and logo address, when it has sent a profile.
pub fn storefront(conn: &Connection, store: &StoreId) -> Result<Option<Storefront>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT json_extract(profile, '$.name'), json_extract(profile, '$.url'),
                    json_extract(profile, '$.logo_url')
             FROM shop_profiles WHERE store_id = ?1",
        )?
        .query_row([store], |r| {
            Ok(Storefront {
                name: r.get(0)?,
                url: r.get(1)?,
                logo_url: r.get(2)?,
            })
        })
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_is_replaced_whole_and_read_back() {
        let conn = crate::store::in_memory();
        let store = StoreId::test("s");
        assert_eq!(load(&conn, &store).unwrap(), None);
        assert_eq!(storefront(&conn, &store).unwrap(), None);
        let mut profile = Profile {
            name: "Shop".into(),
            url: "https://shop.example/".into(),
            logo_url: Some("https://shop.example/logo.png".into()),
            timezone: Some("Asia/Seoul".into()),
            ..Profile::default()
        };
        let first = Stamp::test("2026-12-03T12:00:00.000Z");
        save(&conn, &store, &profile, Some(b"png"), &first).unwrap();
        assert_eq!(
            load(&conn, &store).unwrap(),
            Some(Stored {
                profile: profile.clone(),
                received_at: first
            })
        );
        assert_eq!(
            logo_png(&conn, &store).unwrap().as_deref(),
            Some(&b"png"[..])
        );
        assert_eq!(
            storefront(&conn, &store).unwrap(),
            Some(Storefront {
                name: Some("Shop".into()),
                url: Some("https://shop.example/".into()),
                logo_url: Some("https://shop.example/logo.png".into()),
            })
        );

        profile.logo_url = None;
        let second = Stamp::test("2026-12-03T13:00:00.000Z");
        save(&conn, &store, &profile, None, &second).unwrap();
        let stored = load(&conn, &store).unwrap().unwrap();
        assert_eq!(stored.received_at, second);
        assert_eq!(logo_png(&conn, &store).unwrap(), None, "the logo went too");
        assert_eq!(storefront(&conn, &store).unwrap().unwrap().logo_url, None);
        assert_eq!(load(&conn, &StoreId::test("other")).unwrap(), None);
    }
}
