"""A real WooCommerce store on loopback for end-to-end tests.

Bench.up() brings up, each on 127.0.0.1 with a free port and in its own process group: a private
MariaDB, WordPress with WP_DEBUG/WP_DEBUG_LOG and HPOS on, WooCommerce, the shop (shop.php), a
local SMTP sink for WordPress mail, PHP's built-in server with router.php, the test bench's
must-use plugin, the aftercare plugin copied from the working tree (installed, not activated:
activating it is a test) and the aftercare binary. Bench.down() stops every process group it
started and removes the work folder, whatever happened before.

The archives come from AFTERCARE_TESTBED (the folder with wordpress-6.8.8.tar.xz,
woocommerce-10.0.2.tar.xz and wp-cli-2.10.0.phar); unset, ../shared/testbed from the
repository's root is used when it exists. Without them the bench fails loudly.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PLUGIN_SRC = os.path.join(REPO, "wordpress-plugin", "aftercare-for-woocommerce")
ARCHIVES = ("wordpress-6.8.8.tar.xz", "woocommerce-10.0.2.tar.xz", "wp-cli-2.10.0.phar")

ADMIN_USER = "admin"
ADMIN_PASSWORD = "bench-admin-password-1"
CUSTOMER_EMAIL = "mina@customer.test"
CUSTOMER_PASSWORD = "customer-password-1"
API_KEY = "bench-api-key-0123456789abcdef"
WEBHOOK_SECRET = "bench-webhook-secret-0123456789"


class BenchError(RuntimeError):
    """The store could not be brought up: the suite must fail, not skip."""


def testbed_dir():
    folder = os.environ.get("AFTERCARE_TESTBED", "").strip()
    if not folder:
        default = os.path.join(REPO, "..", "shared", "testbed")
        if not os.path.isdir(default):
            raise BenchError(
                "AFTERCARE_TESTBED is not set and ../shared/testbed does not exist: point it at a "
                "folder holding " + ", ".join(ARCHIVES))
        folder = default
    folder = os.path.abspath(folder)
    missing = [a for a in ARCHIVES if not os.path.isfile(os.path.join(folder, a))]
    if missing:
        raise BenchError(f"AFTERCARE_TESTBED={folder} lacks {missing}")
    return folder


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, check, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"timed out waiting for {what}")
        time.sleep(interval)


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return 200 <= r.status < 400
    except urllib.error.HTTPError as e:
        return e.code < 500


class Bench:
    def __init__(self, aftercare_bin):
        self.aftercare_bin = os.path.abspath(aftercare_bin)
        if not os.access(self.aftercare_bin, os.X_OK):
            raise BenchError(f"no aftercare binary at {self.aftercare_bin} (run cargo build)")
        self.testbed = testbed_dir()
        self.work = tempfile.mkdtemp(prefix="wc-store-")
        os.chmod(self.work, 0o755)
        self.wp = os.path.join(self.work, "wordpress")
        self.procs = {}
        self.shop = {}
        self.db_port = free_port()
        self.web_port = free_port()
        self.smtp_port = free_port()
        self.svc_port = free_port()
        self.site = f"http://127.0.0.1:{self.web_port}"
        self.svc_url = f"http://127.0.0.1:{self.svc_port}"
        self.debug_log = os.path.join(self.wp, "wp-content", "debug.log")

    # -- processes -------------------------------------------------------------------------

    def spawn(self, name, argv, env=None, cwd=None):
        """Starts a long-running process in its own process group, its output in NAME.log."""
        log = open(os.path.join(self.work, name + ".log"), "ab")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                                env={**os.environ, **(env or {})}, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def stop(self, name):
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                # The group may still hold workers (php -S forks them): take them too.
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                break
            except subprocess.TimeoutExpired:
                continue

    def down(self):
        for name in list(reversed(list(self.procs))):
            self.stop(name)
        if os.environ.get("AFTERCARE_KEEP_STORE"):
            print(f"bench: kept {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def log(self, name):
        try:
            with open(os.path.join(self.work, name + ".log"), encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def run(self, argv, what, env=None, cwd=None, input=None):
        out = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, input=input,
                             env={**os.environ, **(env or {})}, timeout=300)
        if out.returncode != 0:
            raise BenchError(f"{what} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def wp_cli(self, *args, what=None):
        return self.run(["php", "-d", "memory_limit=512M", os.path.join(self.testbed, "wp-cli-2.10.0.phar"),
                         "--allow-root", f"--path={self.wp}", *args], what or "wp " + " ".join(args[:3]))

    def wp_eval(self, php):
        """Runs PHP inside WordPress and returns what it printed."""
        return self.wp_cli("eval", php, what="wp eval")

    def wp_json(self, php):
        return json.loads(self.wp_eval(php).strip().splitlines()[-1])

    def run_webhooks(self):
        """WooCommerce queues each delivery in Action Scheduler: run them now."""
        return self.wp_cli("action-scheduler", "run", "--hooks=woocommerce_deliver_webhook_async",
                           what="running queued webhook deliveries")

    # -- bring-up --------------------------------------------------------------------------

    def up(self):
        started = time.monotonic()
        self.start_database()
        self.unpack()
        self.install_wordpress()
        self.start_smtp_sink()
        self.start_web()
        self.start_aftercare()
        print(f"bench: store up at {self.site}, aftercare at {self.svc_url} "
              f"in {time.monotonic() - started:.1f}s", file=sys.stderr)

    def start_database(self):
        data = os.path.join(self.work, "db")
        self.db_socket = os.path.join(self.work, "mysql.sock")
        user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        self.run(["mariadb-install-db", "--no-defaults", f"--user={user}", f"--datadir={data}",
                  "--auth-root-authentication-method=normal", "--skip-test-db"], "mariadb-install-db")
        self.spawn("mariadb", ["mariadbd", "--no-defaults", f"--user={user}", f"--datadir={data}",
                               f"--socket={self.db_socket}", "--bind-address=127.0.0.1",
                               f"--port={self.db_port}", "--skip-name-resolve",
                               f"--pid-file={os.path.join(self.work, 'mysql.pid')}",
                               "--innodb-flush-log-at-trx-commit=2", "--innodb-buffer-pool-size=64M"])
        wait_until("MariaDB", lambda: os.path.exists(self.db_socket) and self.procs["mariadb"].poll() is None, 60)
        self.run(["mariadb", "--no-defaults", f"--socket={self.db_socket}", "-uroot"], "creating the database",
                 input="CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n"
                       "CREATE USER 'wp'@'127.0.0.1' IDENTIFIED BY 'bench-db-password';\n"
                       "GRANT ALL ON wordpress.* TO 'wp'@'127.0.0.1';\n")

    def unpack(self):
        self.run(["tar", "-xJf", os.path.join(self.testbed, ARCHIVES[0]), "-C", self.work], "unpacking WordPress")
        plugins = os.path.join(self.wp, "wp-content", "plugins")
        self.run(["tar", "-xJf", os.path.join(self.testbed, ARCHIVES[1]), "-C", plugins], "unpacking WooCommerce")
        shutil.copytree(PLUGIN_SRC, os.path.join(plugins, "aftercare-for-woocommerce"))
        mu = os.path.join(self.wp, "wp-content", "mu-plugins")
        os.makedirs(mu)
        shutil.copy(os.path.join(HERE, "bench-mu-plugin.php"), mu)

    def install_wordpress(self):
        extra = "\n".join([
            "define( 'WP_DEBUG', true );",
            "define( 'WP_DEBUG_LOG', true );",
            "define( 'WP_DEBUG_DISPLAY', false );",
            "define( 'SCRIPT_DEBUG', false );",
            "define( 'WP_HTTP_BLOCK_EXTERNAL', true );",
            "define( 'AUTOMATIC_UPDATER_DISABLED', true );",
            "define( 'WP_AUTO_UPDATE_CORE', false );",
            "define( 'WP_ENVIRONMENT_TYPE', 'local' );",
            # Webhook deliveries wait in Action Scheduler until a test runs them.
            "define( 'DISABLE_WP_CRON', true );",
            f"define( 'AFTERCARE_BENCH_SMTP_PORT', {self.smtp_port} );",
        ])
        self.wp_cli("config", "create", "--dbname=wordpress", "--dbuser=wp", "--dbpass=bench-db-password",
                    f"--dbhost=127.0.0.1:{self.db_port}", "--skip-check", f"--extra-php={extra}")
        self.wp_cli("core", "install", f"--url={self.site}", "--title=Aftercare Test Shop",
                    f"--admin_user={ADMIN_USER}", f"--admin_password={ADMIN_PASSWORD}",
                    "--admin_email=admin@shop.test", "--skip-email")
        self.wp_cli("rewrite", "structure", "/%postname%/", "--hard")
        self.wp_cli("plugin", "activate", "woocommerce")
        self.wp_cli("wc", "hpos", "enable")
        self.shop = json.loads(self.wp_cli("eval-file", os.path.join(HERE, "shop.php"), what="setting up the shop")
                               .strip().splitlines()[-1])
        self.wp_cli("rewrite", "flush", "--hard")
        hpos = self.wp_eval("echo get_option('woocommerce_custom_orders_table_enabled');").strip()
        if hpos != "yes":
            raise BenchError(f"HPOS is not on (woocommerce_custom_orders_table_enabled={hpos!r})")
        # Whatever WordPress and WooCommerce said while installing is theirs; the tests read
        # the log from here on.
        if os.path.exists(self.debug_log):
            os.rename(self.debug_log, os.path.join(self.work, "install-debug.log"))

    def start_smtp_sink(self):
        self.spawn("smtp", ["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.smtp_port}",
                            "-c", "aiosmtpd.handlers.Debugging", "stdout"],
                   # UTF-8 out: a message with Hangul in 8-bit is printed as it came.
                   env={"PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"})
        wait_until("the SMTP sink", lambda: socket.create_connection(("127.0.0.1", self.smtp_port), 1).close() or True)

    def start_web(self):
        self.spawn("web", ["php", "-S", f"127.0.0.1:{self.web_port}", "-t", self.wp, os.path.join(HERE, "router.php")],
                   env={"PHP_CLI_SERVER_WORKERS": "4"}, cwd=self.wp)
        wait_until("WordPress", lambda: http_ok(self.site + "/wp-login.php"), 30)

    def start_aftercare(self, reconcile_seconds=None):
        env = {
            "AFTERCARE_LISTEN": f"127.0.0.1:{self.svc_port}",
            "AFTERCARE_DATA_DIR": os.path.join(self.work, "aftercare"),
            "AFTERCARE_PUBLIC_URL": self.svc_url,
            "AFTERCARE_API_KEY": API_KEY,
            "AFTERCARE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "AFTERCARE_STORE_URL": self.site,
            "AFTERCARE_WC_CONSUMER_KEY": self.shop["consumer_key"],
            "AFTERCARE_WC_CONSUMER_SECRET": self.shop["consumer_secret"],
            "AFTERCARE_LOG": "info",
            # Messages go at once: a run at night must not wait for the morning.
            "AFTERCARE_QUIET_HOURS": "off",
        }
        if reconcile_seconds is not None:
            env["AFTERCARE_RECONCILE_INTERVAL_SECONDS"] = str(reconcile_seconds)
        self.spawn("aftercare", [self.aftercare_bin, "serve"], env=env)
        wait_until("aftercare", lambda: http_ok(self.svc_url + "/readyz"), 30)

    def debug_log_text(self):
        try:
            with open(self.debug_log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""
