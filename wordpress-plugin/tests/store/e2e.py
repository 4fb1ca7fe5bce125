"""End-to-end tests in a real WooCommerce store, driven the way people drive it: an admin and a
customer with cookies and nonces in wp-admin and My Account, guests through the Store API and
the tracking page, WooCommerce's webhooks delivered by Action Scheduler, and headless Chromium
for the screenshots. One store is brought up once and shared by every step; the steps build on
each other (the orders of the checkout step are the ones invoiced, shipped and returned).

Run: python3 e2e.py AFTERCARE_BIN [SCREENSHOT_DIR]. Exit status 0 when every step passed.
"""

import base64
import datetime
import email
import http.server
import email.policy
import html
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import struct
import zlib
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench  # noqa: E402
from bench import Bench  # noqa: E402
from web import Browser, fields, form_with, forms, links, visible_text  # noqa: E402

SETTINGS = "/wp-admin/admin.php?page=wc-settings&tab=aftercare"
QUEUE = "/wp-admin/admin.php?page=aftercare-returns"
INBOX = "/wp-admin/admin.php?page=aftercare-support"
INSIGHTS = "/wp-admin/admin.php?page=aftercare-insights"
INSIGHT_CHARTS = ("nps-weekly", "csat-sources", "support-times", "support-topics", "delivery-times", "carrier-rates",
                  "return-products", "return-reasons", "cohorts")
ADDRESS = {"first_name": "Alex", "last_name": "Rivera", "address_1": "742 Evergreen Terrace",
           "city": "Sacramento", "state": "CA", "postcode": "95814", "country": "US"}
GUEST_EMAIL = "alex@guest.test"
# A Korean billing address: WooCommerce has no KR format, and Hangul names read family name first.
KOREAN_ADDRESS = {"first_name": "민준", "last_name": "김", "address_1": "테헤란로 152", "city": "강남구",
                  "state": "", "postcode": "06236", "country": "KR"}
SHOP_NAME = "Aftercare Test Shop"
SHOP_ZONE = "America/Los_Angeles"
# The seller's fields the settings screen adds to WooCommerce's store address.
TAX_ID = "US-12-3456789"
PHONE = "+1 415 555 0100"
# aftercare's customer message types, each a WooCommerce email `aftercare_<type>`.
MESSAGE_TYPES = ("order_confirmation", "shipped", "out_for_delivery", "delivered", "delayed", "return_update",
                 "support_reply", "product_guide")
MESSAGE_TYPES += ("survey",)  # aftercare's NPS and CSAT surveys (docs/surveys.md)
# What the plugin's pages say while aftercare cannot be reached.
CALM = ("unavailable", "did not answer", "could not be loaded", "could not be reached", "try again")


def utc_iso(at):
    return at.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def iso_time(text):
    """An RFC 3339 time as an aware datetime, or None."""
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(datetime.timezone.utc)
    except ValueError:
        return None


def pdf_text(body, crop=None):
    """The text of a PDF; CROP (x, y, width, height in points from the first page's top left)
    reads one region of it, such as one column where pdftotext would interleave two."""
    area = ["-f", "1", "-l", "1", "-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3])] if crop else []
    return subprocess.run(["pdftotext", *area, "-", "-"], input=body, capture_output=True, check=True).stdout.decode()


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_for(what, probe, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


class MessagesStandIn:
    """aftercare's two message routes as the contract has them (GET /api/v1/messages/due, POST
    /api/v1/messages/{id}/result), scripted, for the plugin's pull loop until the service serves them."""

    def __init__(self, key):
        self.due, self.results, self.key, self.asked = [], [], key, 0
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, code, body):
                raw = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def authorized(self):
                if self.headers.get("Authorization") != f"Bearer {stand_in.key}":
                    self.answer(401, {"error": {"code": "unauthorized", "message": "bad key"}})
                    return False
                return True

            def do_GET(self):
                if not self.authorized():
                    return
                if self.path.startswith("/api/v1/messages/due"):
                    stand_in.asked += 1
                    self.answer(200, {"messages": stand_in.due})
                else:
                    self.answer(404, {"error": {"code": "not_found", "message": "no such route"}})

            def do_POST(self):
                if not self.authorized():
                    return
                m = re.fullmatch(r"/api/v1/messages/([^/]+)/result", self.path)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if not m:
                    return self.answer(404, {"error": {"code": "not_found", "message": "no such route"}})
                stand_in.results.append((urllib.parse.unquote(m.group(1)), body))
                self.answer(200, {"id": m.group(1), "state": {"disabled": "skipped"}.get(body.get("outcome"), body.get("outcome"))})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Suite:
    def __init__(self, store, shots_dir):
        self.store = store
        self.shots_dir = shots_dir
        self.admin = Browser(store.site)
        self.customer = Browser(store.site)
        self.orders = {}
        self.placed = {}  # order id -> customer_id, key and email, as the checkout answered
        self.debug_seen = 0

    # -- aftercare's staff API --------------------------------------------------------------

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.store.svc_url + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + bench.API_KEY,
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw.decode(errors="replace")

    def mirrored(self, order_id):
        """The order as aftercare shows it to its customer (by account, or a guest's key and email)."""
        who = self.placed[order_id]
        if who["customer_id"]:
            path = f"/api/v1/customers/{who['customer_id']}/orders/{order_id}"
        else:
            path = f"/api/v1/guest/orders/{order_id}?" + urllib.parse.urlencode({"key": who["key"], "email": who["email"]})
        status, body = self.api("GET", path)
        return body if status == 200 else None

    def documents(self, order_id):
        status, body = self.api("GET", f"/api/v1/orders/{order_id}/documents")
        check(status == 200, f"documents of {order_id}: {status} {body}")
        return body.get("documents", body) if isinstance(body, dict) else body

    # -- the debug log ------------------------------------------------------------------------

    def new_debug_lines(self):
        text = self.store.debug_log_text()
        lines = text[self.debug_seen:].splitlines()
        self.debug_seen = len(text)
        return [line for line in lines if line.strip()]

    def no_plugin_notices(self, when):
        lines = self.new_debug_lines()
        # The plugin's files, its namespace and its text domain all carry these names.
        ours = [line for line in lines if "aftercare-for-woocommerce" in line or "Aftercare\\" in line]
        others = [line for line in lines if line not in ours]
        if others:
            print(f"  debug.log has {len(others)} lines not from the plugin ({when}), first:\n    "
                  + "\n    ".join(line[:300] for line in others[:3]), file=sys.stderr)
        check(not ours, f"the plugin wrote to debug.log {when}:\n" + "\n".join(ours))

    # -- wp-admin -----------------------------------------------------------------------------

    def settings_action(self, action, url, key):
        page = self.admin.get(SETTINGS)
        check(page.status == 200, f"settings screen answered {page.status}")
        form = form_with(page.text, "_aftercare_nonce")
        data = fields(form, aftercare_url=url, aftercare_api_key=key)
        r = self.admin.submit(page, form, data, f"/wp-admin/admin-post.php?action={action}")
        check(r.status == 200 and "page=wc-settings" in r.url, f"{action} ended at {r.status} {r.url}")
        return visible_text(r.text)

    def edit_order(self, order_id, **overrides):
        """Saves the order screen as staff do: every field as shown, some changed."""
        path = f"/wp-admin/admin.php?page=wc-orders&action=edit&id={order_id}"
        page = self.admin.get(path)
        check(page.status == 200, f"order screen {order_id} answered {page.status}")
        form = form_with(page.text, "woocommerce_meta_nonce")
        data = fields(form, **overrides)
        data.append(("save", "Update"))
        r = self.admin.submit(page, form, data)
        check(r.status == 200, f"saving order {order_id} answered {r.status}")
        return r

    def cache_expires(self):
        """A minute passes: the plugin's 60-second cache of aftercare's answers has expired."""
        self.store.wp_cli("transient", "delete", "--all")

    def wc_order(self, order_id):
        return self.store.wp_json(
            f"$o = wc_get_order({int(order_id)}); echo wp_json_encode(array("
            "'status' => $o->get_status(), 'refunds' => count($o->get_refunds()),"
            "'number' => $o->get_order_number(), 'key' => $o->get_order_key()));")

    # -- the Store API ------------------------------------------------------------------------

    def checkout(self, browser, items, payment, email, coupon=None, address=ADDRESS):
        cart = browser.get("/wp-json/wc/store/v1/cart")
        check(cart.status == 200, f"cart answered {cart.status}: {cart.text[:300]}")
        headers = {"Nonce": cart.headers["Nonce"], "Cart-Token": cart.headers["Cart-Token"]}
        for item_id, quantity in items:
            r = browser.request("POST", "/wp-json/wc/store/v1/cart/add-item",
                                json_body={"id": item_id, "quantity": quantity}, headers=headers)
            check(r.status in (200, 201), f"add-item {item_id}: {r.status} {r.text[:300]}")
        if coupon:
            r = browser.request("POST", "/wp-json/wc/store/v1/cart/apply-coupon",
                                json_body={"code": coupon}, headers=headers)
            check(r.status in (200, 201), f"apply-coupon: {r.status} {r.text[:300]}")
        r = browser.request("POST", "/wp-json/wc/store/v1/checkout", headers=headers, json_body={
            "billing_address": {**address, "email": email, "phone": "+1 916 555 0199"},
            "shipping_address": address, "payment_method": payment})
        check(r.status == 200, f"checkout: {r.status} {r.text[:500]}")
        order = r.json()
        check(order.get("order_id"), f"checkout gave no order: {order}")
        self.placed[order["order_id"]] = {"customer_id": order.get("customer_id") or 0,
                                          "key": order["order_key"], "email": email}
        return order

    # -- steps --------------------------------------------------------------------------------

    def step_activation(self):
        self.admin.login(bench.ADMIN_USER, bench.ADMIN_PASSWORD)
        plugins = self.admin.get("/wp-admin/plugins.php")
        activate = links(plugins, r"action=activate&plugin=aftercare-for-woocommerce")
        check(activate, "no Activate link for the plugin on the plugins screen")
        r = self.admin.get(activate[0])
        check(r.status == 200, f"activation answered {r.status}")
        plugins = self.admin.get("/wp-admin/plugins.php")
        check(links(plugins, r"action=deactivate&plugin=aftercare-for-woocommerce"), "the plugin is not active")
        dashboard = self.admin.get("/wp-admin/")
        check("Aftercare is active. Connect it to aftercare" in visible_text(dashboard.text),
              "after activation no admin notice asks to set aftercare up")
        check(any(u.endswith(SETTINGS) for u in links(dashboard, r"tab=aftercare")),
              "the set-up notice does not link to the settings")
        for path in ("/wp-admin/", SETTINGS, "/wp-admin/admin.php?page=wc-orders", QUEUE, "/", "/shop/",
                     "/my-account/", "/track/"):
            r = self.admin.get(path)
            check(r.status == 200, f"{path} answered {r.status} after activation")
        self.no_plugin_notices("on activation and the first page views")

    def step_settings_and_test_connection(self):
        svc, key = self.store.svc_url, bench.API_KEY
        text = self.settings_action("aftercare_test_connection", svc, key)
        check("The connection works." in text, f"Test connection with the right key: {text[:1500]}")
        text = self.settings_action("aftercare_test_connection", svc, "wrong-key-0123456789")
        check("the API key was not accepted" in text, f"Test connection with a wrong key: {text[:1500]}")
        stored = self.store.wp_eval("echo get_option('aftercare_api_key');").strip()
        check(stored == key, "Test connection with a wrong key replaced the working key in the settings")
        dead = f"http://127.0.0.1:{bench.free_port()}"
        text = self.settings_action("aftercare_test_connection", dead, key)
        check("aftercare could not be reached." in text, f"Test connection to a closed port: {text[:1500]}")
        # Back to the right settings with WooCommerce's own Save button.
        page = self.admin.get(SETTINGS)
        form = form_with(page.text, "_aftercare_nonce")
        r = self.admin.submit(page, form, fields(form, aftercare_url=svc, aftercare_api_key=key, aftercare_seller_tax_id=TAX_ID,
                                                 aftercare_seller_phone=PHONE, save="Save changes"))
        check(r.status == 200, f"saving the settings answered {r.status}")
        check(self.store.wp_eval("echo get_option('aftercare_url');").strip() == svc, "the URL was not saved")
        check(self.store.wp_eval("echo get_option('aftercare_api_key');").strip() == key, "the key was not saved")
        seller = self.store.wp_json("echo wp_json_encode(array(get_option('aftercare_seller_tax_id'), get_option('aftercare_seller_phone')));")
        check(seller == [TAX_ID, PHONE], f"the seller's fields were not saved: {seller}")
        shown = fields(form_with(self.admin.get(SETTINGS).text, "_aftercare_nonce"))
        check(("aftercare_seller_tax_id", TAX_ID) in shown and ("aftercare_seller_phone", PHONE) in shown,
              "the settings screen does not show the saved tax number and phone")
        self.no_plugin_notices("on the settings screen")

    def step_connect_twice(self):
        svc = self.store.svc_url
        text = self.settings_action("aftercare_connect", svc, bench.API_KEY)
        check(text.count("created and answered") == 4, f"the first Connect: {text[:2000]}")
        check(f'The shop\'s details are sent: invoices name "{SHOP_NAME}" as the seller, and dates use the time zone {SHOP_ZONE}.' in text,
              f"Connect does not report the shop's details as sent: {text[:2000]}")
        first = self.webhooks()
        text = self.settings_action("aftercare_connect", svc, bench.API_KEY)
        check(text.count("already correct") == 4, f"the second Connect: {text[:2000]}")
        second = self.webhooks()
        check(len(second) == 4 and [w["id"] for w in first] == [w["id"] for w in second],
              f"Connect twice must keep the same four webhooks: {first} then {second}")
        topics = sorted(w["topic"] for w in second)
        check(topics == ["order.created", "order.deleted", "order.restored", "order.updated"], topics)
        for w in second:
            check(w["status"] == "active" and w["failures"] == 0, f"webhook not healthy: {w}")
            check(w["api_version"] == "wp_api_v3", f"webhook not on API v3: {w}")
            check("administrator" in w["owner_roles"], f"webhook not owned by an admin: {w}")
            check(w["delivery_url"].startswith(svc + "/webhooks/woocommerce"), w)
        # Deliveries reach aftercare only because the plugin widens the safe-request rules for
        # its own host and port; without its filters WordPress refuses the URL.
        verdict = self.store.wp_eval(
            f"$u = '{svc}/webhooks/woocommerce'; echo wp_http_validate_url($u) ? 'allowed' : 'refused';"
            "remove_all_filters('http_request_host_is_external'); remove_all_filters('http_allowed_safe_ports');"
            "echo ' ', wp_http_validate_url($u) ? 'allowed' : 'refused';").strip()
        check(verdict == "allowed refused", f"safe-request rules with and without the plugin: {verdict}")
        port = int(svc.rsplit(":", 1)[1])
        others = self.store.wp_eval(
            f"echo wp_http_validate_url('http://127.0.0.1:{port + 1}/x') ? 'allowed' : 'refused', ' ',"
            f" wp_http_validate_url('http://10.1.2.3:{port}/x') ? 'allowed' : 'refused';").strip()
        check(others == "refused refused", f"another port, another private host: {others}")
        status, conn = self.api("GET", "/api/v1/store/connection")
        check(status == 200, f"/api/v1/store/connection: {status} {conn}")
        check(conn.get("webhook_url") == second[0]["delivery_url"],
              f"/api/v1/store/connection's webhook_url is not the one Connect set up: {conn}")
        # What aftercare now uses of the shop, as the plugin sent it at Connect.
        profile = self.profile()
        check(profile["name"] == SHOP_NAME and profile["timezone"]["name"] == SHOP_ZONE
              and profile["timezone"]["source"] == "shop" and profile["received_at"],
              f"the shop's profile in aftercare: {profile}")
        check(profile["seller"]["name"] == SHOP_NAME, f"the seller in aftercare: {profile}")
        # A change of the seller's fields reaches aftercare in the background, without Connect.
        page = self.admin.get(SETTINGS)
        form = form_with(page.text, "_aftercare_nonce")
        r = self.admin.submit(page, form, fields(form, aftercare_seller_phone=PHONE.replace("0100", "0199"), save="Save changes"))
        check(r.status == 200, f"saving the phone answered {r.status}")
        queued = self.store.wp_eval("echo count(as_get_scheduled_actions(array('hook' => 'aftercare_send_shop_profile', 'status' => 'pending'), 'ids'));").strip()
        check(queued == "1", f"a changed phone queued {queued} sends of the shop's profile")
        time.sleep(11)  # the send waits a few seconds for more changes
        self.store.wp_cli("action-scheduler", "run", "--hooks=aftercare_send_shop_profile", what="running the queued profile send")
        later = self.profile()
        check(later["received_at"] > profile["received_at"], f"the background send did not arrive: {profile} then {later}")
        r = self.admin.submit(page, form, fields(form, aftercare_seller_phone=PHONE, save="Save changes"))
        check(r.status == 200, f"saving the phone back answered {r.status}")
        self.settings_action("aftercare_connect", svc, bench.API_KEY)
        self.no_plugin_notices("on Connect")

    def profile(self):
        status, body = self.api("GET", "/api/v1/store/profile")
        check(status == 200, f"GET /api/v1/store/profile: {status} {body}")
        return body

    def webhooks(self):
        return self.store.wp_json(
            "$out = array(); foreach (WC_Data_Store::load('webhook')->search_webhooks(array('orderby' => 'id', 'order' => 'ASC')) as $id) {"
            " $w = wc_get_webhook($id); $u = get_userdata($w->get_user_id());"
            " $out[] = array('id' => $id, 'topic' => $w->get_topic(), 'status' => $w->get_status(),"
            " 'failures' => $w->get_failure_count(), 'api_version' => $w->get_api_version(),"
            " 'delivery_url' => $w->get_delivery_url(), 'owner_roles' => $u ? $u->roles : array()); }"
            " echo wp_json_encode($out);")

    def step_checkouts(self):
        shop = self.store.shop
        guest = Browser(self.store.site)
        g = self.checkout(guest, [(shop["shirt"], 2), (shop["scarf_red"], 1)], "bacs", GUEST_EMAIL, "welcome10")
        self.customer.login(bench.CUSTOMER_EMAIL, bench.CUSTOMER_PASSWORD)
        c = self.checkout(self.customer, [(shop["mug"], 1), (shop["scarf_blue"], 1)], "cod", bench.CUSTOMER_EMAIL)
        self.orders = {"guest": g["order_id"], "customer": c["order_id"]}
        print("  " + self.store.run_webhooks().strip().replace("\n", "\n  "), file=sys.stderr)
        for who, order_id in self.orders.items():
            body = wait_for(f"the {who} order {order_id} in aftercare", lambda i=order_id: self.mirrored(i))
            check(len(body["line_items"]) == 2,
                  f"the {who} order is mirrored without its two lines: {json.dumps(body)[:1500]}")
        failures = [w for w in self.webhooks() if w["failures"]]
        check(not failures, f"webhook deliveries failed: {failures}")
        # The block checkout recorded the shopper's language on each order (HPOS meta).
        site_locale = self.store.wp_eval("echo get_locale();").strip()
        for who, order_id in self.orders.items():
            locale = self.store.wp_eval(
                f"echo wc_get_order({int(order_id)})->get_meta('_aftercare_locale');").strip()
            check(locale == site_locale, f"the {who} order's _aftercare_locale is {locale!r}, not {site_locale!r}")
        # My Account's dashboard offers the unsubscribe page of the customer's address.
        dashboard = self.customer.get("/my-account/")
        text = visible_text(dashboard.text)
        check("Email preferences" in text and "You receive these." in text,
              f"no Email preferences on the dashboard: {text[:1500]}")
        check(links(dashboard, r"/unsubscribe/[0-9a-f]{32}\?lang=en$"),
              "the dashboard does not link aftercare's unsubscribe page")
        self.no_plugin_notices("at checkout")

    def step_invoices(self):
        guest, customer = self.orders["guest"], self.orders["customer"]
        # Bank transfer arrives: staff mark the guest order as processing on the order screen.
        self.edit_order(guest, order_status="wc-processing")
        check(self.wc_order(guest)["status"] == "processing", "the guest order did not become processing")
        self.store.run_webhooks()
        for order_id in (guest, customer):
            wait_for(f"the invoice of order {order_id}",
                     lambda i=order_id: any(d.get("kind") == "invoice" for d in self.documents(i)), 60)
        # My Account: the customer downloads their invoice from the order page.
        page = self.customer.get(f"/my-account/view-order/{customer}/")
        check(page.status == 200, f"My Account order page answered {page.status}")
        self.check_seller(self.pdf_from(self.customer, links(page, r"aftercare_invoice|invoice"), "My Account"), "My Account")
        # The guest page: order number and email, then the invoice button.
        result = self.guest_lookup(guest)
        form = form_with(result.text, "aftercare_guest_document")
        r = self.guest.submit(result, form, fields(form))
        check(r.status == 200 and r.body.startswith(b"%PDF"), f"guest invoice: {r.status} {r.headers.get('Content-Type')}")
        self.check_seller(r.body, "the guest page")
        self.no_plugin_notices("on invoices")

    def pdf_from(self, browser, candidates, where):
        check(candidates, f"no invoice link in {where}")
        r = browser.get(candidates[0])
        check(r.status == 200 and r.body.startswith(b"%PDF"),
              f"invoice from {where}: {r.status} {r.headers.get('Content-Type')} {r.text[:300]}")
        return r.body

    def store_address_lines(self):
        """The shop's address as WooCommerce formats it (the country is left out at home)."""
        return self.store.wp_json(
            "$c = WC()->countries; echo wp_json_encode(explode(\"\\n\", $c->get_formatted_address(array("
            "'address_1' => $c->get_base_address(), 'address_2' => $c->get_base_address_2(),"
            "'city' => $c->get_base_city(), 'state' => $c->get_base_state(),"
            "'postcode' => $c->get_base_postcode(), 'country' => $c->get_base_country()), \"\\n\")));")

    def check_seller(self, pdf, where):
        """The invoice names the shop as WooCommerce has it: name, address, tax number."""
        # The seller is the top left of the first page (the title and the invoice's facts are
        # on the right, the buyer below): its block starts with the shop's name.
        lines = [line.strip() for line in pdf_text(pdf, crop=(0, 0, 300, 300)).splitlines() if line.strip()]
        head = lines[:lines.index("BILL TO")] if "BILL TO" in lines else lines
        check(head and head[0].startswith(SHOP_NAME), f"the invoice ({where}) does not start with the shop's name: {head}")
        check("default" not in head and not any(self.store.site in line for line in pdf_text(pdf).splitlines()),
              f"the invoice's seller is the store id or URL ({where}): {head}")
        at = 1
        for expected in self.store_address_lines():
            check(expected in head[at:], f"the invoice ({where}) lacks the store address line {expected!r} "
                                         f"in WooCommerce's order: {head}")
            at = head.index(expected, at) + 1
        check(any(TAX_ID in line for line in head), f"the invoice ({where}) lacks the tax number {TAX_ID}: {head}")

    def guest_lookup(self, order_id):
        self.guest = Browser(self.store.site)
        page = self.guest.get("/track/")
        check(page.status == 200, f"the guest page answered {page.status}")
        form = form_with(page.text, "aftercare_track_order")
        number = self.wc_order(order_id)["number"]
        r = self.guest.submit(page, form, fields(form, aftercare_track_order=str(number), aftercare_track_email=GUEST_EMAIL))
        check(r.status == 200, f"guest lookup answered {r.status}")
        return r

    def step_parcels(self):
        guest, customer = self.orders["guest"], self.orders["customer"]
        # The plugin's parcel box on the order screen.
        # The box's date is the shop's day, which is not this machine's for hours each day.
        today = datetime.datetime.now(zoneinfo.ZoneInfo(SHOP_ZONE)).date().isoformat()
        self.edit_order(customer, aftercare_carrier="UPS", aftercare_tracking_number="1Z999AA10123456784",
                        aftercare_shipped_on=today)
        body = wait_for("the parcel from the box", lambda: (self.mirrored(customer) or {}).get("shipments"))
        shipment = body[0]
        # The order was placed seconds ago and aftercare refuses events before it: the scans
        # fall between placing it and now.
        placed = datetime.datetime.fromisoformat(self.mirrored(customer)["date_created"].replace("Z", "+00:00"))
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        for status, share, where in (("in_transit", 1 / 3, "Oakland hub"), ("out_for_delivery", 2 / 3, "Los Angeles")):
            at = (placed + (now - placed) * share).replace(microsecond=0)
            code, answer = self.api("POST", f"/api/v1/shipments/{shipment['id']}/events", {
                "status": status, "occurred_at": at.isoformat().replace("+00:00", "Z"),
                "location": where, "description": status.replace("_", " ")})
            check(code in (200, 201), f"event {status}: {code} {answer}")
            if status == "in_transit":
                # Scans come hours apart: the customer is told it shipped before the van
                # leaves. Posted together, aftercare would tell only what is true now.
                wait_for("aftercare's shipped message for the scanned parcel", lambda: [
                    m for m in (self.mirrored(customer) or {}).get("messages") or [] if m.get("type") == "shipped"])
        # Advanced Shipment Tracking's meta on the guest order, saved as the tracking plugins do.
        self.store.wp_eval(
            f"$o = wc_get_order({guest}); $o->update_meta_data('_wc_shipment_tracking_items', array(array("
            "'tracking_provider' => 'usps', 'custom_tracking_provider' => '', 'custom_tracking_link' => '',"
            "'tracking_number' => '9400111899223100001234', 'date_shipped' => (string) time(),"
            "'tracking_id' => md5('bench'), 'status_shipped' => 1))); $o->save();")
        self.store.run_webhooks()
        wait_for("the parcel from tracking meta", lambda: (self.mirrored(guest) or {}).get("shipments"))
        self.cache_expires()
        page = visible_text(self.customer.get(f"/my-account/view-order/{customer}/").text)
        check("1Z999AA10123456784" in page, "the My Account order page does not show the parcel")
        check("Oakland hub" in page or "Los Angeles" in page, "the My Account order page shows no parcel history")
        tab = visible_text(self.customer.get("/my-account/tracking/").text)
        check("1Z999AA10123456784" in tab, "the Tracking tab does not show the parcel")
        result = visible_text(self.guest_lookup(guest).text)
        check("9400111899223100001234" in result, "the guest page does not show the tracking-meta parcel")
        check("Not shipped yet" not in result,
              "items of the parcel from tracking meta are also listed as 'Not shipped yet'")
        self.no_plugin_notices("on parcels")

    def sunk_mail(self, since, subject_part):
        """The messages the SMTP sink printed after offset SINCE of its log whose subject has SUBJECT_PART."""
        found = []
        for block in self.store.log("smtp")[since:].split("---------- MESSAGE FOLLOWS ----------")[1:]:
            raw = block.split("------------ END MESSAGE ------------")[0].lstrip("\n")
            if raw.startswith("mail options:"):
                raw = raw.split("\n", 2)[2] if raw.count("\n") >= 2 else ""
            # As bytes: parsed from a str, 8-bit UTF-8 text comes back backslash-escaped.
            msg = email.message_from_bytes(raw.encode("utf-8"), policy=email.policy.default)
            if subject_part in str(msg.get("Subject", "")):
                found.append(msg)
        return found

    @staticmethod
    def mail_parts(msg):
        """The HTML (or plain) text of a message and its attachments as (name, bytes)."""
        body = msg.get_body(preferencelist=("html", "plain"))
        attachments = [(a.get_filename(), a.get_payload(decode=True)) for a in msg.iter_attachments()]
        return (body.get_content() if body is not None else ""), attachments

    def sample_message(self, kind, order_id, locale):
        """A message as GET /api/v1/messages/due lists it (the contract's data), for the real order."""
        view = self.mirrored(order_id)
        parcel = view["shipments"][0]
        # Out for delivery arrives today; the others are a few days off.
        day = (datetime.date.today() + datetime.timedelta(days=0 if kind == "out_for_delivery" else 3)).isoformat()
        shaped = {"id": f"shp_{parcel['id']}", "carrier": parcel["carrier"], "carrier_name": parcel["carrier_name"],
                  "number": parcel["tracking_number"], "status": {"out_for_delivery": "out_for_delivery",
                                                                  "delivered": "delivered"}.get(kind, "in_transit"),
                  "carrier_url": parcel.get("tracking_url"), "eta": day, "last_event": None}
        return {
            "id": f"msg_e2e_{kind}_{locale}", "type": kind, "order_id": order_id, "locale": locale,
            "to": {"email": "customer@shop.test", "name": "Jamie Customer"},
            "data": {
                "order": {"id": order_id, "number": str(order_id), "status": "processing", "created_at": view["date_created"],
                          "total": view["total"], "currency": view["currency"], "locale": locale},
                "customer": {"name": "Jamie Customer", "email": "customer@shop.test"},
                "shop": {"name": SHOP_NAME, "url": self.store.site + "/", "logo_url": None},
                "tracking_url": view.get("tracking_url"),
                "parcels": [shaped], "parcel": shaped if kind != "order_confirmation" else None,
                "expected_date": None if kind == "delivered" else day,
                "delay": {"previous_date": datetime.date.today().isoformat(), "new_date": day, "reason": "carrier_late",
                          "action": "We asked the carrier to prioritise your parcel."} if kind == "delayed" else None,
                "return": {"id": "ret_1", "status": "refunded", "refund": {"amount": "12.50", "currency": view["currency"]},
                           "note": "Thanks for sending it back so quickly."} if kind == "return_update" else None,
                "survey": self.sample_survey() if kind == "survey" else None,
                "support": {"id": "req_1", "topic": "damaged_or_wrong_item", "status": "open",
                            "reply": {"id": 3, "author": "Jae Park", "created_at": view["date_created"],
                                      "body": "Sorry about the chip!\nA new mug leaves today; keep the old one."}}
                if kind == "support_reply" else None,
                "guides": [{"line_item_id": view["line_items"][0]["id"], "name": view["line_items"][0]["name"],
                            "text": "Rinse it before the first use.\nDishwasher safe on the top rack.",
                            "links": [{"title": "Care video", "url": self.store.svc_url + "/g/e2e-token"}]}]
                if kind == "product_guide" else None,
                "unsubscribe_url": (self.store.svc_url + "/unsubscribe/e2e-token")
                if kind in ("shipped", "out_for_delivery", "delivered", "delayed") else None,
            },
        }

    def sample_survey(self):
        """The `survey` data of an NPS survey message, as aftercare's notify/data.rs builds it."""
        url = self.store.svc_url + "/survey/e2e-token"
        return {"id": "srv_e2e", "kind": "nps", "source": "delivery", "url": url, "min": 0, "max": 10, "expires_at": None,
                "scores": [{"score": n, "url": f"{url}?score={n}"} for n in range(0, 11)]}

    def check_survey_email(self, customer, number):
        """The survey email is listed under WooCommerce → Settings → Emails with its own settings,
        and a survey message through it reaches the sink with the question and a link per score."""
        screen = visible_text(self.admin.get("/wp-admin/admin.php?page=wc-settings&tab=email").text)
        check("Aftercare: survey" in screen, "WooCommerce → Settings → Emails does not list 'Aftercare: survey'")
        one = visible_text(self.admin.get("/wp-admin/admin.php?page=wc-settings&tab=email&section=aftercare_email_survey").text)
        for field in ("Enable this email notification", "Subject", "Email heading", "Additional content"):
            check(field in one, f"the survey email's settings have no {field!r}")
        url = self.store.svc_url + "/survey/e2e-token"
        for locale, subject, question in (("en_US", f"order #{number}?", f"How likely are you to recommend {SHOP_NAME} to a friend?"),
                                          ("ko_KR", f"주문 #{number}", f"{SHOP_NAME}을(를) 친구에게 추천할 가능성은 얼마나 되나요?")):
            message = dict(self.sample_message("survey", customer, locale), id=f"msg_e2e_survey_sink_{locale}")
            mark = len(self.store.log("smtp"))
            sent = self.store.wp_eval(self.message_php(message, "echo $e->trigger_message($m, $o) ? 'sent' : 'not sent';")).strip()
            check(sent == "sent", f"the survey email ({locale}) was not sent: {sent}")
            mail = wait_for(f"the survey email ({locale}) at the SMTP sink", lambda: self.sunk_mail(mark, subject))[0]
            body = html.unescape(self.mail_parts(mail)[0])
            check("template_container" in body or "template_body" in body, "the survey email is not in the shop's template")
            check(question in body, f"the survey email ({locale}) does not ask {question!r}")
            links = re.findall(r'href="' + re.escape(url) + r'\?score=(\d+)"', body)
            check(links == [str(n) for n in range(0, 11)], f"the survey email ({locale}) has the score links {links}")
            ends = ("Not at all likely", "Extremely likely") if locale == "en_US" else ("전혀 추천하지 않음", "매우 추천함")
            check(all(end in body for end in ends), f"the survey email ({locale}) does not name the scale's ends")

    def message_php(self, message, call):
        encoded = base64.b64encode(json.dumps(message).encode()).decode()
        return (f"$m = json_decode(base64_decode('{encoded}'), true); $o = wc_get_order((int) $m['order_id']); "
                f"$e = \\Aftercare\\Emails::for_type($m['type']); {call}")

    def step_emails(self):
        customer = self.orders["customer"]
        # Every message type is a WooCommerce email, listed under WooCommerce → Settings → Emails.
        listed = self.store.wp_json(
            "echo wp_json_encode(array_map(fn($e) => array('id' => $e->id, 'on' => $e->is_enabled(), 'customer' => $e->is_customer_email()),"
            " array_values(WC()->mailer()->get_emails())));")
        by_id = {e["id"]: e for e in listed}
        for kind in MESSAGE_TYPES:
            entry = by_id.get(f"aftercare_{kind}")
            check(entry is not None, f"aftercare_{kind} is not among WooCommerce's emails: {sorted(by_id)}")
            check(entry["customer"], f"aftercare_{kind} is not a customer email")
            check(entry["on"] == (kind != "order_confirmation"), f"aftercare_{kind} enabled={entry['on']} by default")
        screen = visible_text(self.admin.get("/wp-admin/admin.php?page=wc-settings&tab=email").text)
        for title in ("Aftercare: shipped", "Aftercare: out for delivery", "Aftercare: delivered", "Aftercare: delayed",
                      "Aftercare: return update", "Aftercare: order confirmation", "Aftercare: reply to a question",
                      "Aftercare: getting started"):
            check(title in screen, f"WooCommerce → Settings → Emails does not list {title!r}")
        one = visible_text(self.admin.get("/wp-admin/admin.php?page=wc-settings&tab=email&section=aftercare_email_shipped").text)
        for field in ("Enable this email notification", "Subject", "Email heading", "Additional content", "Email type"):
            check(field in one, f"the shipped email's settings have no {field!r}")

        # The shop ticks "Invoice PDF" for the processing email on the Aftercare tab.
        page = self.admin.get(SETTINGS)
        form = form_with(page.text, "aftercare_order_emails_shown")
        data = fields(form) + [("aftercare_order_emails[invoice][]", "customer_processing_order"), ("save", "Save changes")]
        r = self.admin.submit(page, form, data)
        check(r.status == 200, f"saving the email choices answered {r.status}")
        saved = self.store.wp_json("echo wp_json_encode(get_option('aftercare_order_emails'));")
        check(sorted(saved["invoice"]) == ["customer_completed_order", "customer_processing_order"],
              f"the invoice choices were saved as {saved}")
        check(sorted(saved["facts"]) == ["customer_completed_order", "customer_processing_order", "customer_refunded_order"],
              f"saving lost the default facts choices: {saved}")

        # WooCommerce's own processing email now carries the parcel, the tracking page and the invoice.
        view = self.mirrored(customer)
        check(view.get("invoice") and view.get("tracking_url"), f"the order has no invoice or tracking page yet: {view}")
        mark = len(self.store.log("smtp"))
        self.store.wp_eval(f"WC()->mailer()->get_emails()['WC_Email_Customer_Processing_Order']->trigger({customer});")
        number = self.wc_order(customer)["number"]
        mail = wait_for("the processing email at the SMTP sink",
                        lambda: self.sunk_mail(mark, f"Your {SHOP_NAME} order has been received")
                        or self.sunk_mail(mark, f"#{number}"))[0]
        body, attached = self.mail_parts(mail)
        check(html.escape(view["tracking_url"]) in body or view["tracking_url"] in body,
              "the processing email has no link to the tracking page")
        check("1Z999AA10123456784" in body, "the processing email does not name the parcel")
        pdfs = [(name, blob) for name, blob in attached if name and name.endswith(".pdf")]
        check(len(pdfs) == 1 and pdfs[0][1].startswith(b"%PDF"), f"the processing email's attachments: {[n for n, _ in attached]}")
        check(view["invoice"]["number"] in pdfs[0][0], f"the attachment is named {pdfs[0][0]}, not after the invoice")
        left = self.store.wp_eval("echo count(glob(get_temp_dir() . 'aftercare-mail-*'));").strip()
        check(left == "0", f"{left} attachment folders were left in the temp folder after sending")

        # aftercare down: the email still goes out at once, unchanged, and nothing is shown.
        # (step_aftercare_stopped covers pages; here the mailer path.)

        # A shipped message through its WC_Email reaches the sink in the shop's template, in Korean too.
        for locale, subject in (("en_US", f"order #{number} is on its way"), ("ko_KR", f"주문 #{number}")):
            mark = len(self.store.log("smtp"))
            sent = self.store.wp_eval(self.message_php(self.sample_message("shipped", customer, locale),
                                                       "echo $e->trigger_message($m, $o) ? 'sent' : 'not sent';")).strip()
            check(sent == "sent", f"the shipped email ({locale}) was not sent: {sent}")
            mail = wait_for(f"the shipped email ({locale}) at the SMTP sink", lambda: self.sunk_mail(mark, subject))[0]
            body, _ = self.mail_parts(mail)
            check("template_container" in body or "template_body" in body or "wrapper" in body,
                  "the shipped email is not in WooCommerce's email template")
            check("1Z999AA10123456784" in body and view["tracking_url"] in html.unescape(body),
                  f"the shipped email ({locale}) lacks the parcel or the tracking link")
            if locale == "ko_KR":
                # The CSS inliner may write Hangul as character references.
                check("발송되었습니다" in html.unescape(body), "the Korean shipped email is not in Korean")
            plain = mail.get_body(preferencelist=("plain",))
            check(mail.get_content_type() in ("text/html", "multipart/alternative", "multipart/mixed"),
                  f"unexpected content type {mail.get_content_type()}")
            del plain
        self.check_survey_email(customer, number)

        # Switched off in WooCommerce → Settings → Emails: nothing is sent.
        self.store.wp_eval("$s = get_option('woocommerce_aftercare_delivered_settings', array()); $s['enabled'] = 'no';"
                           " update_option('woocommerce_aftercare_delivered_settings', $s);")
        sent = self.store.wp_eval(self.message_php(self.sample_message("delivered", customer, "en_US"),
                                                   "echo $e->is_enabled() ? 'on' : 'off';")).strip()
        check(sent == "off", "the delivered email is still on after switching it off")
        self.store.wp_eval("delete_option('woocommerce_aftercare_delivered_settings');")

        # Each message type's HTML, in English and Korean, as the customer's mail program shows it.
        from chromium import Chromium
        os.makedirs(self.shots_dir, exist_ok=True)
        chrome = Chromium(self.store.work)
        try:
            for kind in MESSAGE_TYPES:
                for locale, tag in (("en_US", "en"), ("ko_KR", "ko")):
                    preview = self.store.wp_json(self.message_php(self.sample_message(kind, customer, locale),
                                                                  "echo \"\\n\" . wp_json_encode($e->preview_message($m, $o));"))
                    check(str(number) in preview["subject"], f"{kind} ({locale}) subject {preview['subject']!r}")
                    check(str(number) in preview["plain"], f"{kind} ({locale}) has no plain-text order number")
                    page = os.path.join(self.store.work, f"email-{kind}-{tag}.html")
                    with open(page, "w", encoding="utf-8") as f:
                        f.write(preview["html"])
                    for width in (1280, 390):
                        chrome.shoot("file://" + page, os.path.join(self.shots_dir, f"email-{kind.replace('_', '-')}-{tag}-{width}.png"), width)
        finally:
            chrome.close()
        self.no_plugin_notices("on emails")

    def step_messages(self):
        """The plugin's pull loop: due messages are sent once through their WooCommerce email,
        each outcome reported; a switched-off email is reported `disabled`; nothing breaks
        while aftercare is down."""
        customer = self.orders["customer"]
        queued = self.store.wp_eval("echo (int) as_has_scheduled_action('aftercare_send_due_messages');").strip()
        check(queued == "1", "the every-minute action aftercare_send_due_messages is not queued")
        stand_in = MessagesStandIn(bench.API_KEY)
        shipped = dict(self.sample_message("shipped", customer, "en_US"), id="msg_pull_shipped")
        off = dict(self.sample_message("delivered", customer, "en_US"), id="msg_pull_delivered")
        stand_in.due = [shipped, off]
        self.store.wp_eval("update_option('woocommerce_aftercare_delivered_settings', array('enabled' => 'no'));"
                           f" update_option('aftercare_url', '{stand_in.url}'); \\Aftercare\\Api_Client::resume();")
        number = self.wc_order(customer)["number"]
        try:
            mark = len(self.store.log("smtp"))
            self.store.wp_eval("do_action('aftercare_send_due_messages');")
            check(stand_in.results == [("msg_pull_shipped", {"outcome": "sent"}), ("msg_pull_delivered", {"outcome": "disabled"})],
                  f"the reports were {stand_in.results}")
            mails = wait_for("the pulled shipped email at the SMTP sink", lambda: self.sunk_mail(mark, f"order #{number} is on its way"))
            check(len(mails) == 1, f"{len(mails)} shipped emails were sent")
            body, _ = self.mail_parts(mails[0])
            check("1Z999AA10123456784" in body, "the pulled shipped email lacks the parcel")
            check("has been delivered" not in str(mails[0].get("Subject")), "the switched-off delivered email went out")
            meta = self.store.wp_eval(f"echo wc_get_order({customer})->get_meta('_aftercare_message_msg_pull_shipped');").strip()
            check(meta == "sent", f"the order's meta for the sent message is {meta!r}")
            # aftercare lists it again (its report got lost): reported, not sent twice.
            stand_in.results.clear()
            stand_in.due = [shipped]
            mark = len(self.store.log("smtp"))
            self.store.wp_eval("do_action('aftercare_send_due_messages');")
            check(stand_in.results == [("msg_pull_shipped", {"outcome": "sent"})], f"the repeat was reported as {stand_in.results}")
            time.sleep(1)
            check(not self.sunk_mail(mark, f"order #{number}"), "a message listed twice was sent twice")
            # One run at a time: while another holds the lock, a run asks aftercare nothing.
            asked = stand_in.asked
            self.store.wp_eval("add_option('aftercare_messages_running', time(), '', false); do_action('aftercare_send_due_messages');")
            check(stand_in.asked == asked, "a second run went ahead while the first held the lock")
            self.store.wp_eval("delete_option('aftercare_messages_running');")
        finally:
            stand_in.stop()
        # aftercare down: the run ends quietly, shows and sends nothing.
        mark = len(self.store.log("smtp"))
        out = self.store.wp_eval("do_action('aftercare_send_due_messages'); echo 'done';").strip()
        check(out.endswith("done"), f"the run with aftercare down printed {out!r}")
        check(not self.sunk_mail(mark, "order #"), "an email went out while aftercare was down")
        self.store.wp_eval(f"update_option('aftercare_url', '{self.store.svc_url}'); delete_option('woocommerce_aftercare_delivered_settings');"
                           " \\Aftercare\\Api_Client::resume();")
        self.no_plugin_notices("on the message run")

    def step_real_messages(self):
        """aftercare decides on a shipped message for the customer's parcel; the plugin's run takes
        it from the real service, sends it through its WooCommerce email to the SMTP sink in the
        shop's template, records it on the order and reports it sent."""
        customer = self.orders["customer"]
        number = self.wc_order(customer)["number"]

        def due_shipped():
            rows = (self.mirrored(customer) or {}).get("messages") or []
            return [m for m in rows if m.get("type") == "shipped" and m.get("channel", "wordpress") == "wordpress"]

        wait_for("aftercare's shipped message for the customer's parcel", due_shipped, timeout=60)
        mark = len(self.store.log("smtp"))
        self.store.wp_eval("\\Aftercare\\Api_Client::resume(); do_action('aftercare_send_due_messages');")
        mails = wait_for("the shipped email from aftercare at the SMTP sink",
                         lambda: self.sunk_mail(mark, f"order #{number} is on its way"))
        check(len(mails) == 1, f"{len(mails)} shipped emails went out")
        body, _ = self.mail_parts(mails[0])
        check("template_container" in body or "template_body" in body, "the email is not in the shop's template")
        check("1Z999AA10123456784" in body, "the email does not name the parcel")
        sent_id = due_shipped()[0]["id"]
        meta = self.store.wp_eval(f"echo wc_get_order({customer})->get_meta('_aftercare_message_{sent_id}');").strip()
        check(meta == "sent", f"the order's meta for {sent_id} is {meta!r}")
        state = wait_for("aftercare to hear the message was sent",
                         lambda: [m for m in due_shipped() if m.get("state") == "sent"])
        check(state, "aftercare does not show the message as sent")
        # Nothing is due any more: a second run sends nothing.
        mark = len(self.store.log("smtp"))
        self.store.wp_eval("do_action('aftercare_send_due_messages');")
        time.sleep(1)
        check(not self.sunk_mail(mark, f"order #{number}"), "the message went out twice")
        self.no_plugin_notices("on the real message run")

    def step_shop_facts(self):
        """The shop's own facts on the invoice of a Korean order, on the tracking page's header, and
        one time zone for every date: a parcel event whose Los Angeles date is the day before its
        UTC date shows that Los Angeles date on the tracking page, the order page and the Tracking tab."""
        shop = self.store.shop
        order_id = self.checkout(self.customer, [(shop["mug"], 1)], "cod", bench.CUSTOMER_EMAIL,
                                 address=KOREAN_ADDRESS)["order_id"]
        self.orders["korean"] = order_id
        # 03:00 UTC is the evening before in Los Angeles. The order is placed before it (dated
        # back, as an order placed then would be), so aftercare accepts the parcel and its scan.
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        scan = now.replace(hour=3, minute=0, second=0)
        if scan > now - datetime.timedelta(minutes=10):
            scan -= datetime.timedelta(days=1)
        placed = scan - datetime.timedelta(hours=2)
        self.store.wp_eval(f"$o = wc_get_order({order_id}); $o->set_date_created({int(placed.timestamp())}); $o->save();")
        self.store.run_webhooks()
        wait_for("the Korean order, dated back, in aftercare",
                 lambda: iso_time((self.mirrored(order_id) or {}).get("date_created")) == placed)

        # The invoice: the shop as seller, the Korean name as Koreans write it, above the street.
        wait_for(f"the invoice of order {order_id}",
                 lambda: any(d.get("kind") == "invoice" for d in self.documents(order_id)), 60)
        page = self.customer.get(f"/my-account/view-order/{order_id}/")
        pdf = self.pdf_from(self.customer, links(page, r"aftercare_invoice|invoice"), "the Korean order")
        self.check_seller(pdf, "the Korean order")
        text = pdf_text(pdf)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        check("김민준" in lines and "테헤란로 152" in lines and lines.index("김민준") < lines.index("테헤란로 152"),
              f"the Korean invoice does not name 김민준 above the street: {lines[:40]}")
        check("민준 김" not in text, f"the Korean name is in Western order: {lines[:40]}")

        # A parcel with one scan and the carrier's estimate, both at 03:00 UTC.
        eta = scan + datetime.timedelta(days=2)
        code, parcel = self.api("POST", f"/api/v1/orders/{order_id}/shipments", {
            "carrier": "ups", "tracking_number": "1Z999AA10123456791",
            "shipped_at": utc_iso(scan - datetime.timedelta(hours=1))})
        check(code in (200, 201), f"the Korean order's parcel: {code} {parcel}")
        shipment_id = parcel.get("id") or parcel.get("shipment", {}).get("id")
        code, answer = self.api("POST", f"/api/v1/shipments/{shipment_id}/events", {
            "status": "in_transit", "occurred_at": utc_iso(scan), "location": "Oakland night sort",
            "description": "Departed the night sort", "eta": utc_iso(eta)})
        check(code in (200, 201), f"the evening scan: {code} {answer}")
        la = zoneinfo.ZoneInfo(SHOP_ZONE)
        scan_day, eta_day = scan.astimezone(la).date(), eta.astimezone(la).date()
        check(scan_day != scan.date(), "the scan must fall on another day in Los Angeles than in UTC")

        # The tracking page: the shop's name linking home, and the Los Angeles dates.
        tracking_url = self.mirrored(order_id).get("tracking_url")
        check(tracking_url, f"the Korean order has no tracking page: {self.mirrored(order_id)}")
        with urllib.request.urlopen(tracking_url + "?lang=en", timeout=30) as r:
            html_page = r.read().decode()
        header = re.search(r"(?s)<header\b[^>]*>(.*?)</header>", html_page)
        check(header, "the tracking page has no header")
        check(SHOP_NAME in visible_text(header.group(1)), f"the tracking page's header does not show the shop's name: {header.group(1)}")
        home = self.store.site + "/"
        check(any(html.unescape(h) == home for h in re.findall(r'<a\b[^>]*href="([^"]*)"', header.group(1))),
              f"the tracking page's header does not link to {home}: {header.group(1)}")
        times = {iso_time(at): when for at, when in re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html_page)}
        check(scan in times, f"the tracking page does not show the scan at {scan}: {times}")
        check(times[scan].startswith(f"{scan_day:%b} {scan_day.day},")
              and f"{scan.astimezone(la):%I:%M %p}".lstrip("0") in times[scan],
              f"the tracking page dates the scan {times[scan]!r}, not {scan_day} in Los Angeles")
        page_text = visible_text(html_page)
        check(f"{eta_day:%a}, {eta_day:%b} {eta_day.day}" in page_text,
              f"the tracking page does not expect the parcel on {eta_day:%a, %b} {eta_day.day}: {page_text[:3000]}")

        # WordPress's pages: the same days, in the shop's date format.
        self.cache_expires()
        wp_scan, wp_eta = self.store.wp_json(
            f"echo wp_json_encode(array(wp_date(get_option('date_format'), {int(scan.timestamp())}),"
            f" wp_date(get_option('date_format'), {int(eta.timestamp())})));")
        check(wp_scan == self.store.wp_eval(f"echo wp_date(get_option('date_format'), strtotime('{scan_day.isoformat()} 12:00'));").strip(),
              f"WordPress dates the scan {wp_scan}, not {scan_day}")
        order_page = visible_text(self.customer.get(f"/my-account/view-order/{order_id}/").text)
        at = order_page.find("Departed the night sort")
        check(at >= 0, f"the order page does not show the scan: {order_page[:3000]}")
        check(wp_scan in order_page[max(0, at - 200):at + 200], f"the order page does not date the scan {wp_scan}: {order_page[max(0, at - 200):at + 200]}")
        check(wp_eta in order_page, f"the order page does not expect the parcel on {wp_eta}")
        tab = visible_text(self.customer.get("/my-account/tracking/").text)
        at = tab.find("1Z999AA10123456791")
        check(at >= 0, f"the Tracking tab does not show the Korean order's parcel: {tab[:3000]}")
        check(wp_eta in tab[at:at + 300], f"the Tracking tab does not expect the parcel on {wp_eta}: {tab[at:at + 300]}")
        self.no_plugin_notices("on the shop's facts")

    def step_return(self):
        customer = self.orders["customer"]
        # The carrier delivers the parcel: items can be returned from then on.
        shipment = self.mirrored(customer)["shipments"][0]
        # Now: after the scans of step_parcels, and not before the order was placed.
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        code, answer = self.api("POST", f"/api/v1/shipments/{shipment['id']}/events", {
            "status": "delivered", "occurred_at": now.isoformat().replace("+00:00", "Z"),
            "location": "Los Angeles", "description": "Delivered to the front door"})
        check(code in (200, 201), f"delivered event: {code} {answer}")
        self.cache_expires()
        page = self.customer.get(f"/my-account/view-order/{customer}/")
        form = form_with(page.text, "aftercare_return_request")
        data = fields(form)
        qty = [k for k, _ in data if k.endswith("[quantity]")]
        check(qty, "the return form lists no items")
        item = qty[0][: -len("[quantity]")]
        data = [(k, "1" if k == qty[0] else ("0" if k in qty else v)) for k, v in data
                if k not in ("resolution", item + "[reason]", item + "[reason_text]")]
        data += [("resolution", "refund"), (item + "[reason]", "too_small"),
                 (item + "[reason_text]", "The sleeves are too short")]
        r = self.customer.submit(page, form, data)
        check(r.status == 200, f"requesting a return answered {r.status}")
        answer = visible_text(r.text)
        status, returns = self.api("GET", "/api/v1/returns")
        items = [x for x in returns.get("returns", []) if x.get("order_id") == customer] if status == 200 else []
        check(items, f"no return in aftercare: {status} {returns}; the page said: "
                     + answer[answer.find("Return"):][:1500])
        self.cache_expires()
        check("The sleeves are too short" in visible_text(self.customer.get("/my-account/returns/").text),
              "the customer's own words for a returned item are not shown back in the Returns tab")
        return_id = items[0]["id"]
        for to in ("approved", "received", "refunded"):
            # Staff open the return from the queue and press the next step's button.
            queue = self.admin.get(QUEUE + "&return=" + str(return_id))
            check(queue.status == 200, f"the return's page in the queue answered {queue.status}")
            candidates = [f for f in forms(queue.text)
                          if ("return_id", str(return_id)) in f["fields"]
                          and any(b.get("value") == to for b in f["buttons"])]
            check(candidates, f"no '{to}' button for return {return_id} in the staff queue")
            r = self.admin.submit(queue, candidates[0], fields(candidates[0], to=to))
            check(r.status == 200, f"{to}: {r.status}")
        wait_for("exactly one WooCommerce refund", lambda: self.wc_order(customer)["refunds"] >= 1, 60)
        time.sleep(2)
        check(self.wc_order(customer)["refunds"] == 1, "more than one WooCommerce refund")
        check(not any(d.get("kind") == "credit_note" for d in self.documents(customer)),
              "a credit note before the refund webhook arrived")
        self.store.run_webhooks()
        wait_for("the credit note", lambda: any(d.get("kind") == "credit_note" for d in self.documents(customer)), 60)
        self.no_plugin_notices("on the return")

    def step_answers_and_guides(self):
        """Staff write FAQ answers in wp-admin and a guide on the mug's product screen; the
        customer's delivered order shows the answer that fits it now (facts filled in) and the
        mug's guide, whose link aftercare counts; choosing a topic on the question form shows the
        answers for that topic; the Answers screen shows how often each was shown."""
        customer, mug = self.orders["customer"], self.store.shop["mug"]
        answers_screen = "/wp-admin/admin.php?page=aftercare-answers"
        entries = [
            {"question": "How do I look after my mug?", "lang": "en", "delivery_states[]": ["delivered"],
             "topics[]": ["how_to_use"], "product_ids": str(mug),
             "answer": '<p>Hand wash it. Order {order_number} went out with <a href="{tracking_url}">this parcel</a>.</p>'},
            {"question": "Where is my parcel?", "lang": "en", "delivery_states[]": ["shipped", "out_for_delivery"],
             "topics[]": ["where_is_my_order"], "product_ids": "",
             "answer": "<p>It is {parcel_status}, expected {eta}.</p>"},
        ]
        for entry in entries:
            page = self.admin.get(answers_screen + "&answer=new")
            check(page.status == 200, f"the new answer screen answered {page.status}")
            form = form_with(page.text, "aftercare_answer_save")
            data = [(k, v) for k, v in fields(form) if k not in ("question", "answer", "lang", "product_ids")]
            for key, value in entry.items():
                data += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
            r = self.admin.submit(page, form, data)
            check(r.status == 200 and "The answer was saved." in visible_text(r.text),
                  f"saving the answer {entry['question']!r}: {visible_text(r.text)[:1500]}")
        code, listed = self.api("GET", "/api/v1/answers")
        check(code == 200 and len(listed.get("answers", [])) == 2, f"aftercare's answers: {code} {listed}")
        mug_answer = next(a for a in listed["answers"] if a["question"].startswith("How do I look after"))
        check(mug_answer["when"]["product_ids"] == [mug] and mug_answer["when"]["topics"] == ["how_to_use"],
              f"the mug answer's conditions: {mug_answer['when']}")

        # The guide, on the product's own edit screen, saved with the product.
        path = f"/wp-admin/post.php?post={mug}&action=edit"
        page = self.admin.get(path)
        check(page.status == 200 and "Getting-started guide" in page.text, f"the mug's edit screen has no guide box ({page.status})")
        form = form_with(page.text, "aftercare_guide_text")
        data = fields(form, aftercare_guide_text="Rinse it before the first use.\nDishwasher safe on the top rack.")
        data = [(k, v) for k, v in data if not k.startswith("aftercare_guide_title[0]") and not k.startswith("aftercare_guide_url[0]")]
        data += [("aftercare_guide_title[0]", "Care video"), ("aftercare_guide_url[0]", "https://video.example/mug-care"),
                 ("save", "Update")]
        r = self.admin.submit(page, form, data)
        check(r.status == 200, f"saving the mug answered {r.status}")
        code, guides = self.api("GET", "/api/v1/guides")
        mine = [g for g in guides.get("guides", []) if g["scope"] == "product" and g["key"] == str(mug)]
        check(mine and mine[0]["links"][0]["url"] == "https://video.example/mug-care", f"aftercare's guides: {code} {guides}")

        # The customer's delivered order.
        self.cache_expires()
        page = self.customer.get(f"/my-account/view-order/{customer}/")
        text = visible_text(page.text)
        check("How do I look after my mug?" in text, f"the order page does not show the mug answer: {text[:3000]}")
        check("Where is my parcel?" not in text, "the order page shows an answer for parcels on their way on a delivered order")
        number = self.wc_order(customer)["number"]
        check(f"Order {number} went out with" in text, "the answer's facts are not filled in")
        check("Rinse it before the first use." in text and "Care video" in text, f"the order page does not show the mug's guide: {text[:3000]}")
        tracked = [h for h in links(page, r"/g/") if "/g/" in h]
        check(tracked, "the guide's link does not go through aftercare's counter")
        req = urllib.request.Request(tracked[0], method="GET")
        opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a, **k: None}))
        try:
            opener.open(req, timeout=30)
            check(False, "the guide link did not redirect")
        except urllib.error.HTTPError as e:
            check(e.code == 302 and e.headers.get("Location") == "https://video.example/mug-care", f"the guide link answered {e.code} {e.headers.get('Location')}")
        code, guides = self.api("GET", "/api/v1/guides")
        mine = [g for g in guides.get("guides", []) if g["scope"] == "product" and g["key"] == str(mug)]
        check(mine[0]["links"][0]["clicks"] == 1, f"the click was not counted: {mine}")
        box = self.admin.get(path).text
        check(re.search(r'value="https://video\.example/mug-care"></td>\s*<td>1</td>', box),
              "the guide box does not show the link with its one click")

        # The question form: a topic brings its answers before anything is sent.
        form = form_with(page.text, "aftercare_support_open")
        nonce = re.search(r'data-answers-nonce="([^"]+)"', page.text).group(1)
        for topic, expected in (("how_to_use", True), ("invoice_and_billing", False)):
            r = self.customer.post("/wp-admin/admin-ajax.php", {"action": "aftercare_answers", "order_id": str(customer),
                                                                 "topic": topic, "nonce": nonce})
            check(r.status == 200, f"the answers for {topic} answered {r.status}: {r.text[:500]}")
            answer = r.json()
            check(answer.get("success") and ("How do I look after my mug?" in answer["data"]["html"]) == expected,
                  f"the answers for {topic}: {answer}")
        r = self.customer.post("/wp-admin/admin-ajax.php", {"action": "aftercare_answers", "order_id": str(customer),
                                                             "topic": "how_to_use", "nonce": "forged"})
        check(r.status == 403, f"a forged nonce got {r.status}")
        shown = visible_text(self.admin.get(answers_screen).text)
        at = shown.find("How do I look after my mug?")
        check(at >= 0 and re.search(r"How do I look after my mug\?.{0,80}?\b([1-9]\d*)\b", shown[at:]),
              f"the Answers screen does not count the mug answer as shown: {shown[at:at + 300]}")
        self.no_plugin_notices("on answers and guides")

    @staticmethod
    def photo_png(width=40, height=30):
        """A real PNG (the plugin and aftercare check the bytes, not the name)."""
        rows = b"".join(b"\x00" + b"".join(bytes((200, (60 + 4 * y) % 256, (80 + 3 * x) % 256)) for x in range(width))
                        for y in range(height))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

    def staff_request_action(self, request_id, op, **data):
        page = self.admin.get(INBOX + f"&request={request_id}")
        check(page.status == 200, f"request {request_id}'s screen answered {page.status}")
        candidates = [f for f in forms(page.text) if ("op", op) in f["fields"] and ("request_id", str(request_id)) in f["fields"]]
        check(candidates, f"no '{op}' form on request {request_id}'s screen: {visible_text(page.text)[:2000]}")
        r = self.admin.submit(page, candidates[0], fields(candidates[0], **data))
        check(r.status == 200, f"{op} answered {r.status}")
        return visible_text(r.text)

    def request_status(self, request_id):
        code, body = self.api("GET", f"/api/v1/requests/{request_id}")
        check(code == 200, f"request {request_id}: {code} {body}")
        return body["request"]["status"]

    def step_support(self):
        """A customer asks about the order from My Account with a photo; staff see it in the inbox
        beside the order's facts, add a note, assign it, reply (the customer reads the reply on
        the order page and in the Support tab, and gets the support_reply email through the SMTP
        sink) and solve it; the customer's reply reopens it; staff solve it again."""
        customer = self.orders["customer"]
        number = self.wc_order(customer)["number"]
        page = self.customer.get(f"/my-account/view-order/{customer}/")
        form = form_with(page.text, "aftercare_support_open")
        items = re.findall(r'<select id="aftercare-support-item" name="line_item_id">(.*?)</select>', page.text, re.S)
        item_ids = [v for v in re.findall(r'<option value="(\d+)"', items[0]) if v != "0"] if items else []
        check(item_ids, "the question form offers none of the order's items")
        words = "The mug arrived with a chip on the rim <script>alert(1)</script>"
        data = [(k, v) for k, v in fields(form) if k not in ("topic", "line_item_id", "message")]
        data += [("topic", "damaged_or_wrong_item"), ("line_item_id", item_ids[0]), ("message", words)]
        r = self.customer.submit_multipart(page, form, data, [("photos[]", "chip.png", "image/png", self.photo_png())])
        check(r.status == 200 and "Your message has been sent." in visible_text(r.text),
              f"opening a request: {r.status} {visible_text(r.text)[:2000]}")
        code, listed = self.api("GET", "/api/v1/requests?status=open")
        mine = [q for q in listed.get("requests", []) if q.get("order_id") == customer] if code == 200 else []
        check(len(mine) == 1, f"aftercare's open requests: {code} {listed}")
        request_id = self.request_id = mine[0]["id"]
        code, full = self.api("GET", f"/api/v1/requests/{request_id}")
        full = full.get("request", {}) if code == 200 else {}
        # WordPress sanitises a textarea: the script never reaches aftercare.
        stored = "The mug arrived with a chip on the rim"
        check(full.get("messages") and full["messages"][0]["body"] == stored and len(full["messages"][0]["photos"]) == 1,
              f"the request as aftercare keeps it: {code} {full}")
        check(full.get("topic") == "damaged_or_wrong_item" and (full.get("item") or {}).get("line_item_id") == int(item_ids[0]),
              f"the request's topic and item: {full}")

        # Staff: the inbox, the request beside the order's facts, a note, an assignee, a reply.
        inbox = self.admin.get(INBOX)
        check(inbox.status == 200 and f"#{request_id} · Damaged or wrong item" in visible_text(inbox.text),
              f"the inbox does not list request {request_id}: {visible_text(inbox.text)[:2000]}")
        check("<script>alert(1)</script>" not in inbox.text, "the inbox prints the customer's markup")
        screen = visible_text(self.admin.get(INBOX + f"&request={request_id}").text)
        check("1Z999AA10123456784" in screen and "Invoice:" in screen, f"the order's facts are not beside the thread: {screen[:3000]}")
        said = self.staff_request_action(request_id, "note", body="Batch 12 mugs were packed loose.")
        check("The internal note was added." in said, f"the note: {said[:1000]}")
        said = self.staff_request_action(request_id, "assign", assignee=bench.ADMIN_USER)
        check("The request is now assigned to" in said, f"assigning: {said[:1000]}")
        mine_only = visible_text(self.admin.get(INBOX + "&assignee=me").text)
        check(f"#{request_id} ·" in mine_only, "the inbox filtered to me does not list the request assigned to me")
        reply = "Sorry about that! A new mug is on its way, no need to send the old one back."
        mark = len(self.store.log("smtp"))
        said = self.staff_request_action(request_id, "reply", body=reply)
        check("Your reply was sent" in said, f"the reply: {said[:1000]}")

        # The customer reads it on the order page and in the Support tab; never the note.
        self.cache_expires()
        for path in (f"/my-account/view-order/{customer}/", "/my-account/support/"):
            text = visible_text(self.customer.get(path).text)
            check(reply in text, f"{path} does not show the shop's reply: {text[:3000]}")
            check("Batch 12 mugs" not in text, f"{path} shows the internal note")
            check(stored in text, f"{path} does not show the customer's own words")
        # The support_reply email, through the plugin's pull loop and WooCommerce's mailer.
        self.store.wp_eval("\\Aftercare\\Api_Client::resume(); do_action('aftercare_send_due_messages');")
        mails = wait_for("the support_reply email at the SMTP sink",
                         lambda: self.sunk_mail(mark, f"We answered your question about {SHOP_NAME} order #{number}"), 60)
        check(len(mails) == 1, f"{len(mails)} support_reply emails went out")
        body, _ = self.mail_parts(mails[0])
        check("A new mug is on its way" in html.unescape(body) and "Batch 12" not in body, "the email does not carry the reply (or carries the note)")

        # Solved; the customer's reply reopens it; solved again.
        said = self.staff_request_action(request_id, "solve")
        check("The request is marked solved." in said and self.request_status(request_id) == "solved", f"solving: {said[:1000]}")
        self.cache_expires()
        page = self.customer.get("/my-account/support/")
        check("Still need help? Reply to reopen this request" in visible_text(page.text), "a solved request offers no reply to reopen it")
        replies = [f for f in forms(page.text) if ("request_id", str(request_id)) in f["fields"]]
        check(replies, "no reply box for the request in the Support tab")
        r = self.customer.submit(page, replies[0], fields(replies[0], message="Thanks! Will the new one have the same colour?"))
        check(r.status == 200 and "Your reply has been sent." in visible_text(r.text), f"the customer's reply: {visible_text(r.text)[:1500]}")
        check(self.request_status(request_id) == "open", "the customer's reply did not reopen the request")
        said = self.staff_request_action(request_id, "reply", body="Yes, the same blue.")
        said = self.staff_request_action(request_id, "solve")
        check(self.request_status(request_id) == "solved", f"solving again: {said[:1000]}")
        solved = visible_text(self.admin.get(INBOX + "&status=solved").text)
        check(f"#{request_id} ·" in solved, "the inbox's solved filter does not list it")
        self.no_plugin_notices("on support requests")

    def service_raw(self, path):
        """GET an aftercare staff route as it answers: status, headers and bytes."""
        req = urllib.request.Request(self.store.svc_url + path, headers={"Authorization": "Bearer " + bench.API_KEY})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def step_insights(self):
        """WooCommerce → Insights with the store's own records so far (the orders, the parcel,
        the return and the support request of the steps before): the figures and tables are
        aftercare's, every chart and CSV comes through the plugin's proxies (staff only, with a
        nonce), and WooCommerce's Analytics menu leads to the page."""
        page = self.admin.get(INSIGHTS + "&range=30d")
        check(page.status == 200, f"the Insights page answered {page.status}")
        text = visible_text(page.text)
        day = {name: re.search(rf'name="{name}" value="(\d{{4}}-\d{{2}}-\d{{2}})"', page.text) for name in ("from", "to")}
        check(all(day.values()), f"the range form does not show the days: {text[:2000]}")
        first, last = day["from"].group(1), day["to"].group(1)
        code, data = self.api("GET", f"/api/v1/insights?from={first}&to={last}")
        check(code == 200, f"aftercare's insights: {code} {data}")
        for words in ("NPS", "CSAT", "First response time", "Retention", "Active = bought within the last "
                      f"{data['customers']['active_days']} days", "Download CSV"):
            check(words in text, f"the Insights page does not say {words!r}: {text[:3000]}")
        # The figures are aftercare's: what the earlier steps did shows up.
        solved = data["support"]["resolution"]["count"]
        check(data["support"]["first_response"]["count"] >= 1 and solved >= 1,
              f"the support request answered and solved in step_support is not counted: {data['support']}")
        check(f"n = {data['support']['first_response']['count']} answered, {solved} solved" in text,
              f"the support times' sample size is not aftercare's: {text[:3000]}")
        returned = [p for p in data["returns"] if p.get("returned")]
        check(returned and html.escape(returned[0]["name"]) in page.text, f"the returned product is not in the table: {data['returns']}")
        check(any(r["reason"] == "too_small" for r in data["return_reasons"]) and "Too small" in text,
              f"the return's reason is not in the table: {data['return_reasons']}")
        check(bench.API_KEY not in page.text and self.store.svc_url not in page.text, "the page shows aftercare's address or key")

        sections = re.findall(r'<section class="aftercare-insights__chart" id="aftercare-chart-([a-z0-9-]+)">(.*?)</section>', page.text, re.S)
        check([name for name, _ in sections] == list(INSIGHT_CHARTS), f"the chart sections: {[n for n, _ in sections]}")
        # A chart is drawn where aftercare counted something; elsewhere the page says so.
        support, carriers = data["support"], data["carriers"]
        counted = {"nps-weekly": data["nps"]["responses"], "csat-sources": data["csat"]["responses"],
                   "support-times": support["first_response"]["count"] + support["resolution"]["count"],
                   "support-topics": support["volume"]["total"],
                   "delivery-times": sum(c["delivered"] for c in carriers), "carrier-rates": sum(c["shipments"] for c in carriers),
                   "return-products": sum(p["sold"] for p in data["returns"]),
                   "return-reasons": sum(r["returned"] for r in data["return_reasons"]),
                   "cohorts": sum(c["customers"] for c in data["customers"]["cohorts"])}
        drawn = [name for name, body in sections if "<picture" in body]
        check(drawn == [name for name in INSIGHT_CHARTS if counted[name] > 0], f"charts drawn {drawn} for the counts {counted}")
        check({"support-times", "support-topics", "carrier-rates", "return-products", "return-reasons", "cohorts"} <= set(drawn),
              f"the earlier steps' records are not charted: {drawn}")
        for name, body in sections:
            if name not in drawn:
                check("Nothing in this range yet." in visible_text(body), f"{name}: no chart and no word why")
            csv_link = html.unescape(re.search(r'<a class="button" href="([^"]+)">Download CSV</a>', body).group(1))
            r = self.admin.get(csv_link)
            check(r.status == 200, f"the {name} CSV answered {r.status}: {r.text[:500]}")
            check(r.headers.get("Content-Disposition") == f'attachment; filename="aftercare-{name}-{first}-{last}.csv"',
                  f"{name}: {r.headers.get('Content-Disposition')}")
            check(r.headers.get("Content-Type", "").startswith("text/csv"), f"{name} CSV: {r.headers.get('Content-Type')}")
            code, _, straight = self.service_raw(f"/api/v1/insights/{name}.csv?from={first}&to={last}")
            check(code == 200 and r.body == straight and b"," in r.body.split(b"\n")[0],
                  f"the {name} CSV is not aftercare's table: {r.body[:300]!r}")
            check(self.customer.get(csv_link).status == 403, f"a customer downloaded the {name} CSV")
            if name not in drawn:
                continue
            wide = html.unescape(re.search(r'<img src="([^"]+)"', body).group(1))
            narrow = html.unescape(re.search(r'<source [^>]*srcset="([^"]+)"', body).group(1))
            for url, width in ((wide, 760), (narrow, 360)):
                check(f"&width={width}&" in url and f"chart={name}&" in url, f"{name}: the chart address {url}")
                r = self.admin.get(url)
                check(r.status == 200, f"the {name} chart at {width} px answered {r.status}: {r.text[:500]}")
                check(r.headers.get("Content-Type", "").startswith("image/svg+xml"), f"{name}: {r.headers.get('Content-Type')}")
                check(r.headers.get("X-Content-Type-Options") == "nosniff", f"{name}: no nosniff")
                check("sandbox" in r.headers.get("Content-Security-Policy", ""), f"{name}: CSP {r.headers.get('Content-Security-Policy')}")
                check(re.match(rb"\s*(<\?xml[^>]*>\s*)?<svg[\s>]", r.body), f"{name}: not an SVG: {r.body[:200]!r}")
            # Only staff, only with the page's nonce.
            check(self.customer.get(wide).status == 403, f"a customer got the {name} chart")
            check(self.admin.get(re.sub(r"_wpnonce=[0-9a-f]+", "_wpnonce=0123456789", wide)).status == 403,
                  f"the {name} chart without its nonce")

        # Listed under WooCommerce and in Analytics, both leading to this page.
        for menu in ("toplevel_page_woocommerce", "toplevel_page_wc-admin-path--analytics-overview"):
            block = re.search(rf'<li [^>]*id="{menu}".*?</ul>', page.text, re.S)
            check(block and "admin.php?page=aftercare-insights" in block.group(0), f"no Insights link in the {menu} menu")
        r = self.admin.get("/wp-admin/admin.php?page=wc-admin&path=/analytics/aftercare-insights", follow=False)
        check(r.status in (301, 302) and "page=aftercare-insights" in r.headers.get("Location", ""),
              f"the Analytics path does not lead to the page: {r.status} {r.headers.get('Location')}")
        # A range typed by hand: checked, and said so when it is not a range.
        bad = visible_text(self.admin.get(INSIGHTS + "&from=2026-02-30&to=%3Cscript%3E").text)
        check("Enter both days as YYYY-MM-DD." in bad, f"a bad range is not explained: {bad[:1500]}")
        self.no_plugin_notices("on the Insights page")

    def step_aftercare_stopped(self):
        self.store.stop("aftercare")
        self.cache_expires()
        guest, customer = self.orders["guest"], self.orders["customer"]
        pages = [(self.customer, f"/my-account/view-order/{customer}/"), (self.customer, "/my-account/tracking/"),
                 (self.customer, "/my-account/returns/"), (self.customer, "/my-account/support/"),
                 (self.admin, SETTINGS), (self.admin, QUEUE), (self.admin, INBOX), (self.admin, INSIGHTS),
                 (self.admin, "/wp-admin/admin.php?page=aftercare-answers"),
                 (self.admin, f"/wp-admin/admin.php?page=wc-orders&action=edit&id={customer}")]
        for browser, path in pages:
            r = browser.get(path)
            check(r.status == 200, f"{path} answered {r.status} with aftercare stopped")
            text = visible_text(r.text).lower()
            said = [p for p in CALM if p in text]
            check(said, f"{path} shows no notice with aftercare stopped: {text[:3000]}")
            check("fatal error" not in text and "warning:" not in text, f"{path} shows a PHP error")
        r = self.guest_lookup(guest)
        check("unavailable" in visible_text(r.text).lower(), "the guest page shows no notice with aftercare stopped")
        self.no_plugin_notices("with aftercare stopped")
        shop = self.store.shop
        meanwhile = self.checkout(Browser(self.store.site), [(shop["mug"], 3)], "bacs", GUEST_EMAIL)["order_id"]
        self.store.run_webhooks()
        check(not self.mirrored_quietly(meanwhile), "aftercare is stopped yet has the order")
        self.store.start_aftercare(reconcile_seconds=5)
        wait_for("reconciliation to bring the order placed while aftercare was down",
                 lambda: self.mirrored(meanwhile), 60)

    # -- privacy ------------------------------------------------------------------------------

    def privacy_request(self, kind, email):
        """A confirmed request in Tools → Export or Erase Personal Data, and its row's nonce."""
        out = self.store.wp_eval(
            f"$id = wp_create_user_request('{email}', '{kind}', array(), 'confirmed');"
            " echo is_wp_error($id) ? 'error ' . $id->get_error_message() : $id;").strip().splitlines()[-1]
        check(out.isdigit(), f"wp_create_user_request({kind}) gave {out}")
        screen = "export-personal-data.php" if kind == "export_personal_data" else "erase-personal-data.php"
        page = self.admin.get(f"/wp-admin/{screen}")
        check(page.status == 200, f"{screen} answered {page.status}")
        tag = re.search(r'<[^>]*data-request-id="' + out + r'"[^>]*>', page.text)
        check(tag, f"{screen} does not list request {out}")
        nonce = re.search(r'data-nonce="([0-9a-f]+)"', tag.group(0))
        count = re.search(r'data-(?:exporters|erasers)-count="(\d+)"', tag.group(0))
        check(nonce and count, f"no nonce or count on the row of request {out}: {tag.group(0)}")
        return int(out), nonce.group(1), int(count.group(1))

    def privacy_pages(self, action, index_name, request_id, nonce, count, extra=None):
        """Every page of every exporter or eraser, as the admin screen's script asks for them."""
        answers = []
        for index in range(1, count + 1):
            for page in range(1, 50):
                r = self.admin.post("/wp-admin/admin-ajax.php", {
                    "action": action, index_name: index, "id": request_id, "page": page,
                    "security": nonce, **(extra or {})})
                check(r.status == 200, f"{action} {index_name} {index} page {page}: {r.status} {r.text[:500]}")
                body = json.loads(r.text)
                check(body.get("success") is True, f"{action} {index_name} {index} page {page}: {r.text[:1500]}")
                answers.append(body["data"])
                if body["data"].get("done"):
                    break
        return answers

    def step_privacy(self):
        email = bench.CUSTOMER_EMAIL
        customer = self.orders["customer"]
        invoice = next(d for d in self.documents(customer) if d.get("kind") == "invoice")
        number = str(invoice["number"])
        # Tools → Export Personal Data: aftercare's groups are in the export.
        request_id, nonce, count = self.privacy_request("export_personal_data", email)
        pages = self.privacy_pages("wp-privacy-export-personal-data", "exporter", request_id, nonce, count,
                                   {"sendAsEmail": "false"})
        items = [item for page in pages for item in page.get("data", [])]
        ours = [item for item in items if str(item.get("group_id", "")).startswith("aftercare-")]
        check(ours, f"the export has no aftercare group: {[i.get('group_id') for i in items]}")
        orders = [i for i in ours if i["group_id"] == "aftercare-orders"]
        check(any(d["name"] == "Billing e-mail" and d["value"] == email for i in orders for d in i["data"]),
              f"aftercare's orders in the export do not carry the billing email: {json.dumps(orders)[:1500]}")
        docs = [i for i in ours if i["group_id"] == "aftercare-documents"]
        check(any(d["value"] == number for i in docs for d in i["data"]),
              f"the export does not list invoice {number}: {json.dumps(docs)[:1500]}")
        check(all(i.get("group_label") for i in ours), "an aftercare group without its label")

        # Tools → Erase Personal Data while aftercare is down: nothing lost, a clear message.
        request_id, nonce, count = self.privacy_request("remove_personal_data", email)
        self.store.stop("aftercare")
        answers = self.privacy_pages("wp-privacy-erase-personal-data", "eraser", request_id, nonce, count)
        down = [a for a in answers if any("could not be reached" in m for m in a.get("messages", []))]
        check(len(down) == 1, f"no eraser said aftercare could not be reached: {answers}")
        check(down[0]["items_retained"] and not down[0]["items_removed"] and down[0]["done"],
              f"the eraser's answer with aftercare down: {down[0]}")
        self.store.start_aftercare(reconcile_seconds=5)
        status, still = self.api("GET", "/api/v1/privacy/export?" + urllib.parse.urlencode({"email": email}))
        check(status == 200 and still["groups"], f"aftercare lost the data while it was down: {status} {still}")

        # Again with aftercare up: erased, and the invoice reported as retained with the reason.
        answers = self.privacy_pages("wp-privacy-erase-personal-data", "eraser", request_id, nonce, count)
        kept = [a for a in answers if any(number in m and "tax law" in m for m in a.get("messages", []))]
        check(len(kept) == 1, f"no eraser reported invoice {number} as retained: {answers}")
        check(kept[0]["items_removed"] and kept[0]["items_retained"] and kept[0]["done"],
              f"aftercare's eraser answered {kept[0]}")
        status, after = self.api("GET", "/api/v1/privacy/export?" + urllib.parse.urlencode({"email": email}))
        check(status == 200 and after["groups"] == [], f"aftercare still holds data of {email}: {status} {after}")
        check(any(d.get("kind") == "invoice" and str(d.get("number")) == number for d in self.documents(customer)),
              f"invoice {number} is gone")
        self.no_plugin_notices("in the privacy tools")

    def step_without_woocommerce_and_uninstall(self):
        # WooCommerce switched off: the plugin says what it needs and stays quiet otherwise.
        self.store.wp_cli("plugin", "deactivate", "woocommerce")
        for path in ("/wp-admin/", "/", "/my-account/", "/track/"):
            r = self.admin.get(path)
            check(r.status in (200, 404), f"{path} answered {r.status} without WooCommerce")
        check("Aftercare for WooCommerce needs WooCommerce" in visible_text(self.admin.get("/wp-admin/").text),
              "no notice that the plugin needs WooCommerce")
        self.no_plugin_notices("without WooCommerce")
        self.store.wp_cli("plugin", "activate", "woocommerce")
        # Deactivated, then deleted from the plugins screen: nothing of it stays behind.
        plugins = self.admin.get("/wp-admin/plugins.php")
        off = links(plugins, r"action=deactivate&plugin=aftercare-for-woocommerce")
        check(off, "no Deactivate link for the plugin")
        self.admin.get(off[0])
        rules = self.store.wp_eval("echo wp_json_encode(array_values((array) get_option('rewrite_rules')));")
        check("returns=" not in rules, "deactivation left the returns endpoint in the rewrite rules")
        plugins = self.admin.get("/wp-admin/plugins.php")
        delete = links(plugins, r"action=delete-selected.*aftercare-for-woocommerce")
        check(delete, "no Delete link for the plugin")
        confirm = self.admin.get(delete[0])
        form = form_with(confirm.text, "verify-delete")
        r = self.admin.submit(confirm, form, fields(form))
        check(r.status == 200, f"deleting the plugin answered {r.status}")
        left = self.store.wp_eval(
            "global $wpdb; echo $wpdb->get_var(\"SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE '%aftercare%'\");").strip()
        check(left == "0", f"uninstall left {left} options")
        check(not os.path.exists(os.path.join(self.store.wp, "wp-content", "plugins", "aftercare-for-woocommerce")),
              "the plugin's files are still there")
        self.no_plugin_notices("on deactivation and uninstall")

    def mirrored_quietly(self, order_id):
        try:
            return self.mirrored(order_id)
        except OSError:
            return None

    def step_screenshots(self):
        from chromium import Chromium
        os.makedirs(self.shots_dir, exist_ok=True)
        customer, guest = self.orders["customer"], self.orders["guest"]
        self.cache_expires()  # aftercare is back: no page shows the outage any more
        chrome = Chromium(self.store.work)
        try:
            shots = [(self.customer, "account-order", f"/my-account/view-order/{customer}/"),
                     (self.customer, "account-tracking", "/my-account/tracking/"),
                     (self.customer, "account-returns", "/my-account/returns/"),
                     (self.admin, "settings", SETTINGS),
                     (self.admin, "returns-queue", QUEUE + "&status=all")]
            for browser, name, path in shots:
                chrome.call("Network.clearBrowserCookies", session=True)
                chrome.set_cookies(browser.jar, self.store.site)
                for width in (1280, 390):
                    chrome.shoot(self.store.site + path, os.path.join(self.shots_dir, f"store-{name}-{width}.png"), width)
            chrome.call("Network.clearBrowserCookies", session=True)
            number = self.wc_order(guest)["number"]
            for width in (1280, 390):
                chrome.open(self.store.site + "/track/", width)
                chrome.evaluate(
                    f"document.querySelector('[name=aftercare_track_order]').value = {json.dumps(str(number))};"
                    f"document.querySelector('[name=aftercare_track_email]').value = {json.dumps(GUEST_EMAIL)};"
                    "document.querySelector('[name=aftercare_track_order]').form.requestSubmit(); true")
                chrome.wait_event("Page.loadEventFired")
                chrome.capture(os.path.join(self.shots_dir, f"store-guest-{width}.png"), width)
            self.support_screenshots(chrome)
            self.insights_screenshots(chrome)
        finally:
            chrome.close()

    def insights_screenshots(self, chrome):
        """The Insights page with the store's records, at both widths and in Korean on a phone;
        the charts are lazy images, so the page is laid out at full height and every chart
        loaded before the picture is taken."""
        chrome.call("Network.clearBrowserCookies", session=True)
        chrome.set_cookies(self.admin.jar, self.store.site)
        for width, tag in ((1280, ""), (390, ""), (390, "-ko")):
            locale = "ko_KR" if tag else ""
            self.store.wp_cli("user", "meta", "update", bench.ADMIN_USER, "locale", locale)
            chrome.open(self.store.site + INSIGHTS + "&range=30d", width)
            height = int(min(chrome.call("Page.getLayoutMetrics", session=True)["cssContentSize"]["height"], 6000))
            chrome.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=max(height, 400),
                        deviceScaleFactor=1, mobile=width < 600)
            loaded = chrome.evaluate(
                "Promise.all([...document.querySelectorAll('.aftercare-chart img')].map(i => i.complete && i.naturalWidth"
                " ? i.naturalWidth : new Promise(r => { i.onload = () => r(i.naturalWidth); i.onerror = () => r(0); })))")
            check(loaded and all(loaded), f"charts that did not load at {width} px: {loaded}")
            chrome.capture(os.path.join(self.shots_dir, f"insights{tag}-{width}.png"), width)
        self.store.wp_cli("user", "meta", "delete", bench.ADMIN_USER, "locale")

    def support_screenshots(self, chrome):
        """The order page with answers, a guide and a conversation; the question form with a
        topic chosen and its answers shown; the Support tab; the staff inbox, one request and the
        Answers screen."""
        customer = self.orders["customer"]
        request_id = getattr(self, "request_id", 0)
        shots = [(self.customer, "support-order", f"/my-account/view-order/{customer}/"),
                 (self.customer, "support-tab", "/my-account/support/"),
                 (self.admin, "support-inbox", INBOX + "&status=all"),
                 (self.admin, "answers", "/wp-admin/admin.php?page=aftercare-answers")]
        if request_id:
            shots.append((self.admin, "support-request", INBOX + f"&request={request_id}"))
        for browser, name, path in shots:
            chrome.call("Network.clearBrowserCookies", session=True)
            chrome.set_cookies(browser.jar, self.store.site)
            for width in (1280, 390):
                chrome.shoot(self.store.site + path, os.path.join(self.shots_dir, f"{name}-{width}.png"), width)
        # The question form: a topic chosen, its answers fetched and shown above the message box.
        chrome.call("Network.clearBrowserCookies", session=True)
        chrome.set_cookies(self.customer.jar, self.store.site)
        for width in (1280, 390):
            chrome.open(self.store.site + f"/my-account/view-order/{customer}/", width)
            chrome.evaluate(
                "var t = document.querySelector('#aftercare-support [name=topic]'); t.value = 'how_to_use';"
                " t.dispatchEvent(new Event('change')); true")
            wait_for("the answers for the chosen topic", lambda: chrome.evaluate(
                "!!document.querySelector('.aftercare-support-form__answers .aftercare-answer')"), 20)
            # Only the form, in the account page's own wrappers (so the theme and the plugin
            # style it as on the page), with the chosen topic kept.
            chrome.evaluate(
                "var f = document.querySelector('#aftercare-support'), t = f.querySelector('[name=topic]');"
                " t.options[t.selectedIndex].setAttribute('selected', '');"
                " document.querySelector('.wp-site-blocks, body').innerHTML = '<div class=\"woocommerce\" style=\"max-width: 720px;"
                " margin: 2em auto; padding: 0 1.25em\"><section class=\"aftercare aftercare-order\">' + f.outerHTML + '</section></div>'; true")
            chrome.capture(os.path.join(self.shots_dir, f"support-form-{width}.png"), width)


STEPS = ["activation", "settings_and_test_connection", "connect_twice", "checkouts", "invoices", "parcels",
         "emails", "messages", "real_messages", "shop_facts", "return", "answers_and_guides", "support", "insights", "aftercare_stopped", "screenshots", "privacy",
         "without_woocommerce_and_uninstall"]


def main():
    # A SIGTERM (the Rust test's time limit) still tears the store down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    aftercare_bin = sys.argv[1]
    shots = sys.argv[2] if len(sys.argv) > 2 else os.path.join(bench.REPO, "docs", "screenshots")
    # The steps build on each other: AFTERCARE_STORE_UNTIL=<step> stops after that one.
    until = os.environ.get("AFTERCARE_STORE_UNTIL", "")
    check(not until or until in STEPS, f"AFTERCARE_STORE_UNTIL must be one of {STEPS}")
    started = time.monotonic()
    store = None
    failed = []
    try:
        store = Bench(aftercare_bin)
        store.up()
        suite = Suite(store, shots)
        for name in STEPS:
            t = time.monotonic()
            try:
                getattr(suite, "step_" + name)()
                print(f"ok   {name} ({time.monotonic() - t:.1f}s)", file=sys.stderr)
            except Exception:
                failed.append(name)
                print(f"FAIL {name} ({time.monotonic() - t:.1f}s)\n{traceback.format_exc()}", file=sys.stderr)
                for log in ("aftercare", "web"):
                    print(f"--- last of {log}.log\n{store.log(log)[-3000:]}", file=sys.stderr)
                print(f"--- debug.log\n{store.debug_log_text()[-3000:]}", file=sys.stderr)
                break  # the steps build on each other
            if name == until:
                break
    except bench.BenchError as e:
        print(f"FAIL the store could not start: {e}", file=sys.stderr)
        failed.append("bench")
    finally:
        if store is not None:
            store.down()
    print(f"real store: {'FAILED ' + ', '.join(failed) if failed else 'all steps passed'} "
          f"in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
