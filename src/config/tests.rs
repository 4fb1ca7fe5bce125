//! Pure: every test passes the file's text and an environment map, none touches the disk
//! (the start-up step's own tests cover the data dir and the generated secrets).

use std::path::PathBuf;

use super::*;
use crate::secret::Secret;
use crate::webhook;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    env_from(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn flags() -> Flags {
    Flags {
        listen: None,
        data_dir: Some(PathBuf::from("/nowhere/data")),
        config: None,
    }
}

fn file(toml: &str) -> SourceFile {
    SourceFile {
        path: PathBuf::from("aftercare.toml"),
        text: toml.to_owned(),
    }
}

/// What start-up would find in a secrets file it wrote earlier.
fn generated() -> GeneratedSecrets {
    GeneratedSecrets {
        webhook_secret: Secret::new("generated-webhook-secret"),
        api_key: Secret::new("ack_generated-api-key-0123456789"),
        file: SecretsFile {
            path: PathBuf::from("/nowhere/data/secrets.toml"),
            fresh: true,
        },
    }
}

/// Parses and completes as start-up would, without the disk.
fn build(flags: &Flags, env: EnvLookup<'_>, toml: Option<&str>) -> Result<Config, ConfigError> {
    let draft = Draft::parse(flags, env, toml.map(file).as_ref())?;
    let secrets = draft.needs_generated_secrets().then(generated);
    draft.complete(secrets, None)
}

/// The example in docs/configuration.md is a config that loads.
#[test]
fn the_documented_example_config_loads() {
    let page = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/configuration.md"
    ));
    let start = page.find("```toml\n").expect("a TOML example") + 8;
    let example = &page[start..start + page[start..].find("```").unwrap()];
    let config = build(&flags(), &env(&[]), Some(example)).unwrap();
    assert_eq!(config.stores.len(), 2);
    assert_eq!(
        config.timezones.global.as_ref().map(|z| z.name.as_str()),
        Some("Asia/Seoul")
    );
    assert_eq!(config.invoices.numbering.padding, 6);
    assert_eq!(
        config.invoices.seller.tax_id.as_deref(),
        Some("123-45-67890")
    );
    assert_eq!(config.privacy.retain_years, Some(6));
}

#[test]
fn the_retention_period_comes_from_the_environment_over_the_file() {
    let file = "[privacy]\nretain_years = 6\n";
    let config = build(&flags(), &env(&[]), None).unwrap();
    assert_eq!(config.privacy.retain_years, None, "off unless set");
    let config = build(
        &flags(),
        &env(&[("AFTERCARE_PRIVACY_RETAIN_YEARS", "10")]),
        Some(file),
    )
    .unwrap();
    assert_eq!(config.privacy.retain_years, Some(10));
    let error = build(
        &flags(),
        &env(&[("AFTERCARE_PRIVACY_RETAIN_YEARS", "forever")]),
        Some(file),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("AFTERCARE_PRIVACY_RETAIN_YEARS"), "{error}");
}

#[test]
fn without_configured_secrets_the_default_store_takes_the_generated_ones() {
    let draft = Draft::parse(&flags(), &env(&[]), None).unwrap();
    assert!(draft.needs_generated_secrets());
    assert_eq!(draft.data_dir(), PathBuf::from("/nowhere/data"));
    let config = draft.complete(Some(generated()), None).unwrap();
    let store = config.store(&StoreId::default_store()).unwrap();
    assert_eq!(store.webhook_secrets, [generated().webhook_secret]);
    assert_eq!(store.api_key, generated().api_key);
    assert_eq!(config.generated_secrets, Some(generated().file));
    assert!(
        !format!("{config:?}").contains(store.api_key.expose()),
        "secrets never print"
    );
    assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);

    // A configured webhook secret is kept; only the missing API key is generated.
    let config = build(
        &flags(),
        &env(&[("AFTERCARE_WEBHOOK_SECRET", "mine")]),
        None,
    )
    .unwrap();
    let store = config.store(&StoreId::default_store()).unwrap();
    assert_eq!(store.webhook_secrets, [Secret::new("mine")]);
    assert_eq!(store.api_key, generated().api_key);

    // A hand-edited secrets file is checked like any configured key.
    let mut short = generated();
    short.api_key = Secret::new("short");
    let err = Draft::parse(&flags(), &env(&[]), None)
        .unwrap()
        .complete(Some(short), None)
        .unwrap_err();
    assert!(err.to_string().contains("stores.default.api_key"), "{err}");
}

#[test]
fn flags_beat_env_beat_file_beat_defaults() {
    let toml = "listen = \"127.0.0.1:1111\"\npublic_url = \"https://file.example\"\n\
                [database]\nsynchronous = \"normal\"\n\
                [[stores]]\nid = \"default\"\nwebhook_secrets = [\"file-secret\"]\n\
                api_key = \"file-api-key-0123456789\"\n";
    let from_file = build(&flags(), &env(&[]), Some(toml)).unwrap();
    assert_eq!(from_file.listen.to_string(), "127.0.0.1:1111");
    assert_eq!(from_file.synchronous, Synchronous::Normal);
    let store = from_file.store(&StoreId::default_store()).unwrap();
    assert_eq!(store.webhook_secrets, [Secret::new("file-secret")]);
    assert!(from_file.generated_secrets.is_none());

    let e = env(&[
        ("AFTERCARE_LISTEN", "127.0.0.1:2222"),
        ("AFTERCARE_WEBHOOK_SECRET", "env-secret"),
        ("AFTERCARE_PUBLIC_URL", "https://env.example"),
    ]);
    let from_env = build(&flags(), &e, Some(toml)).unwrap();
    assert_eq!(from_env.listen.to_string(), "127.0.0.1:2222");
    assert_eq!(
        webhook::url::url(&from_env.base_url(), &StoreId::default_store()),
        "https://env.example/webhooks/woocommerce"
    );
    assert_eq!(
        from_env
            .store(&StoreId::default_store())
            .unwrap()
            .webhook_secrets,
        [Secret::new("env-secret")]
    );
    assert_eq!(
        from_env.store(&StoreId::default_store()).unwrap().api_key,
        Secret::new("file-api-key-0123456789"),
        "the file still fills what the environment leaves out"
    );

    let mut f = flags();
    f.listen = Some("127.0.0.1:3333".parse().unwrap());
    let from_flags = build(&f, &e, Some(toml)).unwrap();
    assert_eq!(from_flags.listen.to_string(), "127.0.0.1:3333");
}

#[test]
fn invalid_settings_name_the_field() {
    let cases = [
        ("listen = \"nowhere\"", "listen"),
        ("bogus = 1", "unknown field"),
        ("[webhooks]\nmax_body_bytes = 10", "max_body_bytes"),
        (
            "[[stores]]\nid = \"Shop A\"\nwebhook_secrets = [\"s\"]\napi_key = \"k123456789012345678\"",
            "stores.id",
        ),
        (
            "[[stores]]\nid = \"b\"\napi_key = \"k123456789012345678\"",
            "stores.b.webhook_secrets",
        ),
        (
            "[[stores]]\nid = \"b\"\nwebhook_secrets = [\"s\"]",
            "stores.b.api_key",
        ),
        (
            "[[stores]]\nid = \"b\"\nwebhook_secrets = [\"s\"]\napi_key = \"short\"",
            "at least 16",
        ),
        (
            "[[stores]]\nid = \"b\"\nwebhook_secrets = [\"s\"]\napi_key = \"k123456789012345678\"\nurl = \"shop.example\"",
            "stores.b.url",
        ),
    ];
    for (toml, expected) in cases {
        let err = build(&flags(), &env(&[]), Some(toml)).unwrap_err();
        assert!(err.to_string().contains(expected), "`{toml}` gave: {err}");
    }
    let err = build(
        &flags(),
        &env(&[("AFTERCARE_SQLITE_SYNCHRONOUS", "sometimes")]),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("AFTERCARE_SQLITE_SYNCHRONOUS"));
    let dir = tempfile::tempdir().unwrap();
    let mut f = flags();
    f.config = Some(dir.path().join("none.toml"));
    let missing = load(&f, &env(&[])).unwrap_err();
    assert!(missing.to_string().contains("cannot read config file"));
}

/// A time zone nothing sets is unset, not UTC, so the shop's own can take its place.
#[test]
fn time_zones_are_set_or_left_to_the_shop() {
    let config = build(&flags(), &env(&[]), None).unwrap();
    assert!(config.timezones.global.is_none());
    assert!(config.timezones.stores.is_empty());

    let toml = "timezone = \"Asia/Seoul\"\n[[stores]]\nid = \"b\"\nwebhook_secrets = [\"s\"]\napi_key = \"k123456789012345678\"\ntimezone = \"America/Los_Angeles\"";
    let config = build(
        &flags(),
        &env(&[("AFTERCARE_TIMEZONE", "+09:00")]),
        Some(toml),
    )
    .unwrap();
    let name = |id: &str| {
        config
            .timezones
            .for_store(&StoreId::parse(id).unwrap())
            .map(|z| z.name.clone())
    };
    // The variable wins over the file; the store's own wins over both.
    assert_eq!(name("default").as_deref(), Some("+09:00"));
    assert_eq!(name("b").as_deref(), Some("America/Los_Angeles"));

    let err = build(
        &flags(),
        &env(&[]),
        Some("[[stores]]\nid = \"b\"\nwebhook_secrets = [\"s\"]\napi_key = \"k123456789012345678\"\ntimezone = \"Mars/Olympus\""),
    )
    .unwrap_err();
    assert!(err.to_string().contains("stores.b.timezone"), "{err}");
}

#[test]
fn sync_schedules_have_defaults_and_zero_switches_them_off() {
    let defaults = build(&flags(), &env(&[]), None).unwrap();
    assert_eq!(
        defaults.sync.reconcile_interval,
        Some(std::time::Duration::from_secs(300))
    );
    assert_eq!(
        defaults.sync.reconcile_overlap,
        std::time::Duration::from_secs(600)
    );
    assert_eq!(
        defaults.sync.full_sweep_interval,
        Some(std::time::Duration::from_secs(86_400))
    );
    assert_eq!(defaults.woocommerce.max_retries, 4);

    let toml = "[sync]\nreconcile_interval_seconds = 60\nfull_sweep_interval_seconds = 0\n\
                webhook_check_interval_seconds = 0\nreconcile_overlap_seconds = 30\n\
                [woocommerce]\ntimeout_seconds = 5\nmax_retries = 0\nmax_retry_wait_seconds = 9\n";
    let config = build(&flags(), &env(&[]), Some(toml)).unwrap();
    assert_eq!(
        config.sync.reconcile_interval,
        Some(std::time::Duration::from_secs(60))
    );
    assert_eq!(config.sync.full_sweep_interval, None);
    assert_eq!(config.sync.webhook_check_interval, None);
    assert_eq!(
        config.woocommerce.timeout,
        std::time::Duration::from_secs(5)
    );
    assert_eq!(config.woocommerce.max_retries, 0);
    let off = build(
        &flags(),
        &env(&[("AFTERCARE_RECONCILE_INTERVAL_SECONDS", "0")]),
        Some(toml),
    )
    .unwrap();
    assert_eq!(off.sync.reconcile_interval, None, "the environment wins");

    for (toml, field) in [
        ("[woocommerce]\nmax_retries = 99", "woocommerce.max_retries"),
        (
            "[woocommerce]\ntimeout_seconds = 0",
            "woocommerce.timeout_seconds",
        ),
        (
            "[sync]\nreconcile_overlap_seconds = 9999999",
            "reconcile_overlap_seconds",
        ),
        ("[sync]\nreconcile_every = 5", "unknown field"),
    ] {
        let err = build(&flags(), &env(&[]), Some(toml)).unwrap_err();
        assert!(err.to_string().contains(field), "`{toml}` gave: {err}");
    }
    let err = build(
        &flags(),
        &env(&[("AFTERCARE_RECONCILE_INTERVAL_SECONDS", "often")]),
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("AFTERCARE_RECONCILE_INTERVAL_SECONDS")
    );
}

#[test]
fn public_url_override_is_validated_and_webhook_paths_follow_the_store() {
    let mut config = build(&flags(), &env(&[]), None).unwrap();
    assert!(config.set_public_url("aftercare.example").is_err());
    config.set_public_url("https://aftercare.example/").unwrap();
    assert_eq!(
        webhook::url::url(&config.base_url(), &StoreId::default_store()),
        "https://aftercare.example/webhooks/woocommerce"
    );
    assert_eq!(
        webhook::url::path(&StoreId::parse("outlet").unwrap()),
        "/webhooks/woocommerce/outlet"
    );
}

#[test]
fn a_second_secret_enables_rotation() {
    let draft = Draft::parse(
        &flags(),
        &env(&[
            ("AFTERCARE_WEBHOOK_SECRET", "new"),
            ("AFTERCARE_WEBHOOK_SECRET_PREVIOUS", "old"),
            ("AFTERCARE_API_KEY", "env-api-key-0123456789"),
        ]),
        None,
    )
    .unwrap();
    assert!(!draft.needs_generated_secrets(), "no secrets file is used");
    let config = draft.complete(None, None).unwrap();
    let store = config.store(&StoreId::default_store()).unwrap();
    assert_eq!(
        store.webhook_secrets,
        [Secret::new("new"), Secret::new("old")]
    );
    assert!(config.generated_secrets.is_none());
}

#[test]
fn domain_settings_read_their_variables_and_sections() {
    let toml = "[returns]\nwindow_days = 14\nnon_returnable_skus = [\" GIFT \", \"\"]\n\
                [seller]\nname = \"File Shop\"\nlogo = \"/etc/logo.png\"\n\
                [invoices]\nfallback_fonts = [\"/fonts/cjk.ttc#1\"]\n";
    let config = build(&flags(), &env(&[]), Some(toml)).unwrap();
    assert_eq!(config.returns.policy.window_days, 14);
    assert_eq!(config.returns.policy.non_returnable_skus, ["GIFT"]);
    assert!(!config.returns.api_refund);
    assert_eq!(config.invoices.seller.name, "File Shop");
    assert_eq!(
        config.invoices.fallback_fonts,
        [(PathBuf::from("/fonts/cjk.ttc"), 1)]
    );
    assert_eq!(config.invoices.logo_png, None, "start-up reads the logo");

    let config = build(
        &flags(),
        &env(&[
            ("AFTERCARE_RETURN_WINDOW_DAYS", "60"),
            ("AFTERCARE_RETURN_API_REFUND", "1"),
            ("AFTERCARE_SELLER_NAME", "Env Shop"),
        ]),
        Some(toml),
    )
    .unwrap();
    assert_eq!(config.returns.policy.window_days, 60);
    assert!(config.returns.api_refund);
    assert_eq!(config.invoices.seller.name, "Env Shop");

    for (name, value, field) in [
        (
            "AFTERCARE_RETURN_WINDOW_DAYS",
            "a month",
            "AFTERCARE_RETURN_WINDOW_DAYS",
        ),
        ("AFTERCARE_RETURN_WINDOW_DAYS", "0", "returns.window_days"),
        (
            "AFTERCARE_RETURN_API_REFUND",
            "yes",
            "AFTERCARE_RETURN_API_REFUND",
        ),
        ("AFTERCARE_TIMEZONE", "Mars/Olympus", "timezone"),
    ] {
        let err = build(&flags(), &env(&[(name, value)]), None).unwrap_err();
        assert!(
            err.to_string().contains(field),
            "{name}={value} gave: {err}"
        );
    }
}

#[test]
fn support_hours_come_from_the_section_or_the_variable() {
    use crate::support::settings::Hours;
    let config = build(&flags(), &env(&[]), None).unwrap();
    assert_eq!(config.support.hours, Hours::parse("09:00-18:00").unwrap());
    let toml = "[support]\nhours = \"10:00-19:30\"\n";
    let config = build(&flags(), &env(&[]), Some(toml)).unwrap();
    assert_eq!(
        config.support.hours,
        Hours {
            start: 600,
            end: 1170
        }
    );
    let config = build(
        &flags(),
        &env(&[("AFTERCARE_SUPPORT_HOURS", "00:00-24:00")]),
        Some(toml),
    )
    .unwrap();
    assert_eq!(
        config.support.hours,
        Hours {
            start: 0,
            end: 1440
        }
    );
    let err = build(&flags(), &env(&[("AFTERCARE_SUPPORT_HOURS", "9-6")]), None).unwrap_err();
    assert!(err.to_string().contains("support.hours"), "{err}");
    let err = build(&flags(), &env(&[]), Some("[support]\nopen = true\n")).unwrap_err();
    assert!(err.to_string().contains("open"), "{err}");
}

#[test]
fn feeds_read_their_variables_over_their_section() {
    let toml = "[feeds]\npoll_seconds = 900\n\
                [feeds.stores.default.17track]\napi_key = \"FILEKEY\"\n";
    let config = build(&flags(), &env(&[]), Some(toml)).unwrap();
    let account = config
        .feeds
        .seventeen_track(&StoreId::default_store())
        .unwrap();
    assert_eq!(account.api_key.expose(), "FILEKEY");
    assert_eq!(config.feeds.poll_interval.as_secs(), 900);

    let config = build(
        &flags(),
        &env(&[
            ("AFTERCARE_17TRACK_API_KEY", "ENVKEY"),
            ("AFTERCARE_17TRACK_URL", "http://127.0.0.1:9999/track/v2.2"),
            ("AFTERCARE_FEED_POLL_SECONDS", "3"),
        ]),
        Some(toml),
    )
    .unwrap();
    let account = config
        .feeds
        .seventeen_track(&StoreId::default_store())
        .unwrap();
    assert_eq!(account.api_key.expose(), "ENVKEY");
    assert_eq!(account.url, "http://127.0.0.1:9999/track/v2.2");
    assert_eq!(config.feeds.poll_interval.as_secs(), 3);

    let error = build(
        &flags(),
        &env(&[("AFTERCARE_FEED_POLL_SECONDS", "often")]),
        None,
    )
    .err()
    .unwrap();
    assert!(
        error.to_string().starts_with("AFTERCARE_FEED_POLL_SECONDS"),
        "{error}"
    );
}

#[test]
fn event_endpoints_come_from_the_environment_and_the_file_and_are_checked() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let config = build(
        &flags(),
        &env(&[
            ("AFTERCARE_EVENTS_URL", "https://hooks.example.com/in"),
            ("AFTERCARE_EVENTS_SECRET", secret),
        ]),
        Some(&format!(
            "[[stores]]\nid = \"two\"\nwebhook_secrets = [\"s\"]\napi_key = \"key-of-store-two-0123456789\"\n\
             [[events.stores.two.endpoints]]\nurl = \"https://n8n.example.com/webhook/x\"\n\
             secret = \"{secret}\"\ntypes = [\"delivered\"]\n"
        )),
    )
    .unwrap();
    let default = config.events.endpoints(&StoreId::default_store());
    assert_eq!(default.len(), 1);
    assert_eq!(default[0].host, "hooks.example.com");
    let two = config.events.endpoints(&StoreId::parse("two").unwrap());
    assert_eq!(two[0].types.as_deref(), Some(&["delivered".to_owned()][..]));

    let error = build(
        &flags(),
        &env(&[("AFTERCARE_EVENTS_URL", "https://hooks.example.com/in")]),
        None,
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("AFTERCARE_EVENTS_SECRET: is required"),
        "{error}"
    );
}

#[test]
fn the_guide_delay_reads_its_variable_over_its_section() {
    use crate::ids::StoreId;
    let default = StoreId::default_store();
    let config = build(&flags(), &env(&[]), None).unwrap();
    assert_eq!(config.guides.delay_days(&default), 3);
    let toml = "[guides]\ndelay_days = 5\n";
    let config = build(&flags(), &env(&[]), Some(toml)).unwrap();
    assert_eq!(config.guides.delay_days(&default), 5);
    let config = build(
        &flags(),
        &env(&[("AFTERCARE_GUIDE_DELAY_DAYS", "7")]),
        Some(toml),
    )
    .unwrap();
    assert_eq!(config.guides.delay_days(&default), 7);
    let err = build(
        &flags(),
        &env(&[("AFTERCARE_GUIDE_DELAY_DAYS", "a week")]),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("guides.delay_days"), "{err}");
}
