#!/usr/bin/env bash
# Smoke test in a real WordPress: Debian's wordpress package, a private MariaDB instance and
# PHP's built-in web server, all in a temporary directory. Installs WordPress with WP_DEBUG and
# WP_DEBUG_LOG on, activates the plugin (WooCommerce is not packaged anywhere we can install
# from, so this covers the plugin WITHOUT WooCommerce: it must show its notice and stay quiet),
# requests admin and front pages, checks the plugin's HTTP client and safe-request filters
# inside real WordPress (against the real aftercare when AFTERCARE_BIN is set), deactivates,
# uninstalls, and requires an empty debug log.
#
# Needs: wordpress, wordpress-theme-twentytwentythree, mariadb-server, php-mysql, php-curl, curl.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
plugin_src="$(cd "$here/../../aftercare-for-woocommerce" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
wp_src=/usr/share/wordpress
for need in "$wp_src/wp-load.php" /usr/sbin/mariadbd /usr/bin/mariadb-install-db /usr/bin/curl; do
  [ -e "$need" ] || { echo "smoke: missing $need (apt-get install wordpress mariadb-server php-mysql curl)"; exit 1; }
done
php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' || { echo "smoke: php-mysql is not installed"; exit 1; }

work="$(mktemp -d /tmp/aftercare-wp-smoke.XXXXXX)"
chmod 755 "$work"
db_pid="" web_pid="" svc_pid=""
cleanup() {
  for pid in $web_pid $svc_pid $db_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_SMOKE:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke: FAIL: $*"; [ -f "$work/wp/wp-content/debug.log" ] && { echo "--- debug.log"; cat "$work/wp/wp-content/debug.log"; }; exit 1; }
free_port() { php -r '$s=stream_socket_server("tcp://127.0.0.1:0");$n=stream_socket_get_name($s,false);echo substr(strrchr($n,":"),1);'; }

# MariaDB, private to this run, on a socket only.
mkdir -p "$work/db"
mariadb-install-db --no-defaults --datadir="$work/db" --user="$(id -un)" --auth-root-authentication-method=normal \
  --skip-test-db >"$work/db-install.log" 2>&1 || { cat "$work/db-install.log"; fail "mariadb-install-db"; }
/usr/sbin/mariadbd --no-defaults --datadir="$work/db" --socket="$work/mysql.sock" --skip-networking \
  --pid-file="$work/mysql.pid" --user="$(id -un)" --log-error="$work/db.err" &
db_pid=$!
for _ in $(seq 1 100); do [ -S "$work/mysql.sock" ] && break; sleep 0.2; done
[ -S "$work/mysql.sock" ] || { cat "$work/db.err"; fail "MariaDB did not start"; }
mariadb --no-defaults --socket="$work/mysql.sock" -uroot <<'SQL' || fail "creating the database"
CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'wp'@'localhost' IDENTIFIED BY 'smoke-db-password';
GRANT ALL ON wordpress.* TO 'wp'@'localhost';
SQL

# WordPress: a private copy with our own wp-config.php and the plugin copied in.
cp -rL "$wp_src" "$work/wp" 2>/dev/null || cp -r "$wp_src" "$work/wp"
rm -f "$work/wp/.htaccess" "$work/wp/wp-config.php"
cp -r "$plugin_src" "$work/wp/wp-content/plugins/"
mkdir -p "$work/wp/wp-content/mu-plugins"
cp "$here/offline-mu-plugin.php" "$work/wp/wp-content/mu-plugins/"
port="$(free_port)"
site="http://127.0.0.1:$port"
cat >"$work/wp/wp-config.php" <<PHP
<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'smoke-db-password' );
define( 'DB_HOST', 'localhost:$work/mysql.sock' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as \$name ) {
	define( \$name, 'smoke-' . \$name );
}
\$table_prefix = 'wp_';
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_HOME', '$site' );
define( 'WP_SITEURL', '$site' );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'WP_ACCESSIBLE_HOSTS', '127.0.0.1' );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP

run_php() { (cd "$work/wp" && HTTP_HOST="127.0.0.1:$port" php "$@"); }

echo "smoke: installing WordPress $(php -r "include '$wp_src/wp-includes/version.php'; echo \$wp_version;")"
run_php "$here/install.php" "$site" || fail "install"

# Optional: the real aftercare, so the plugin's client is checked with WordPress's own HTTP API.
svc_url=""
if [ -n "${AFTERCARE_BIN:-}" ] && [ -x "$AFTERCARE_BIN" ]; then
  svc_port="$(free_port)"
  svc_url="http://127.0.0.1:$svc_port"
  AFTERCARE_WEBHOOK_SECRET=smoke-webhook-secret AFTERCARE_API_KEY=smoke-api-key-0123456789 \
    AFTERCARE_LOG=warn "$AFTERCARE_BIN" serve --listen "127.0.0.1:$svc_port" --data-dir "$work/aftercare" \
    >"$work/aftercare.log" 2>&1 &
  svc_pid=$!
  for _ in $(seq 1 100); do curl -fsS "$svc_url/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  body="$repo/fixtures/orders/registered-krw.json"
  sig="$(php -r 'echo base64_encode(hash_hmac("sha256", file_get_contents($argv[1]), "smoke-webhook-secret", true));' "$body")"
  curl -fsS -X POST "$svc_url/webhooks/woocommerce" -H 'Content-Type: application/json' \
    -H 'X-WC-Webhook-Topic: order.created' -H "X-WC-Webhook-Signature: $sig" --data-binary "@$body" >/dev/null \
    || fail "delivering a fixture to aftercare"
fi

# What happened before the plugin existed is WordPress's business, not ours.
rm -f "$work/wp/wp-content/debug.log"
run_php "$here/activate.php" || fail "activation"

# Pages through a real web server.
(cd "$work/wp" && php -S "127.0.0.1:$port" >"$work/web.log" 2>&1) &
web_pid=$!
for _ in $(seq 1 50); do curl -fsS -o /dev/null "$site/" 2>/dev/null && break; sleep 0.1; done
jar="$work/cookies"
curl -fsS -o /dev/null -c "$jar" -b "wordpress_test_cookie=WP%20Cookie%20check" \
  --data-urlencode log=admin --data-urlencode pwd=smoke-admin-password --data-urlencode testcookie=1 \
  --data-urlencode "redirect_to=$site/wp-admin/" "$site/wp-login.php" || fail "login"
get() { curl -sS -o "$work/page.html" -w '%{http_code}' -b "$jar" "$1"; }

code="$(get "$site/wp-admin/")"; [ "$code" = 200 ] || fail "dashboard answered $code"
grep -q 'Aftercare for WooCommerce needs WooCommerce' "$work/page.html" || fail "the missing-WooCommerce notice is not on the dashboard"
code="$(get "$site/wp-admin/plugins.php")"; [ "$code" = 200 ] || fail "plugins screen answered $code"
grep -q 'data-slug="aftercare-for-woocommerce"' "$work/page.html" || fail "the plugin is not listed"
grep -q 'aria-label="Deactivate Aftercare for WooCommerce"' "$work/page.html" || fail "the plugin is not active"
for path in "/" "/?p=1" "/hello-world/" "/my-account/returns/" "/wp-admin/options-permalink.php" "/wp-admin/options-general.php"; do
  code="$(get "$site$path")"
  case "$code" in 200|301|302|404) ;; *) fail "$path answered $code" ;; esac
done
# An admin-post action of the plugin without WooCommerce is simply not there (no fatal).
code="$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -X POST "$site/wp-admin/admin-post.php?action=aftercare_connect")"
case "$code" in 200|400|302) ;; *) fail "admin-post answered $code" ;; esac

if [ -s "$work/wp/wp-content/debug.log" ]; then fail "debug.log is not empty after activation and page views"; fi

run_php "$here/inside.php" "$svc_url" || fail "checks inside WordPress"
run_php "$here/deactivate-uninstall.php" || fail "deactivate and uninstall"

kill "$web_pid" 2>/dev/null || true; wait "$web_pid" 2>/dev/null || true; web_pid=""
if grep -Ei 'PHP (Warning|Notice|Deprecated|Fatal|Parse)' "$work/web.log"; then fail "the web server logged PHP errors"; fi
# WordPress 6.1's bundled Requests library predates PHP 8.2 and logs deprecations of its own
# whenever the HTTP API runs (inside.php uses it); anything else, and anything from the plugin, fails.
if [ -s "$work/wp/wp-content/debug.log" ] && grep -v 'PHP Deprecated:  Return type of Requests_.*/wp-includes/Requests/' "$work/wp/wp-content/debug.log"; then
  fail "debug.log has entries"
fi
echo "smoke: OK (WordPress with WP_DEBUG: plugin activated without WooCommerce, notice shown, debug log empty)"
