"""A small browser for the tests: cookies, redirects followed by hand, and HTML forms read the
way a browser submits them (hidden nonces included)."""

import html
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status, headers, body, url):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


class Browser:
    def __init__(self, site):
        self.site = site
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def url(self, path):
        return urllib.parse.urljoin(self.site + "/", path)

    def request(self, method, path, data=None, headers=None, follow=True, json_body=None):
        url = self.url(path)
        body = None
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for _ in range(10):
            req = urllib.request.Request(url, data=body, method=method, headers=headers)
            try:
                with self.opener.open(req, timeout=120) as r:
                    resp = Response(r.status, r.headers, r.read(), url)
            except urllib.error.HTTPError as e:
                resp = Response(e.code, e.headers, e.read(), url)
            if follow and resp.status in (301, 302, 303, 307) and resp.headers.get("Location"):
                url = urllib.parse.urljoin(url, resp.headers["Location"])
                if resp.status != 307:
                    method, body = "GET", None
                    headers.pop("Content-Type", None)
                continue
            return resp
        raise AssertionError(f"too many redirects from {path}")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data=None, **kw):
        return self.request("POST", path, data=data, **kw)

    def submit(self, page, form, data, action=None):
        """Submits FORM from PAGE (a Response) with DATA, to its action as a browser resolves it."""
        target = urllib.parse.urljoin(page.url, action or form["attrs"].get("action") or page.url)
        return self.post(target, data)

    def submit_multipart(self, page, form, data, files, action=None):
        """Submits FORM as multipart/form-data, as a browser does with a file input: DATA as
        (name, value) pairs and FILES as (field, filename, content type, bytes)."""
        target = urllib.parse.urljoin(page.url, action or form["attrs"].get("action") or page.url)
        boundary = "----aftercare" + uuid.uuid4().hex
        parts = []
        for name, value in data:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                         + str(value).encode() + b"\r\n")
        for name, filename, ctype, content in files:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        req = urllib.request.Request(target, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with self.opener.open(req, timeout=120) as r:
                resp = Response(r.status, r.headers, r.read(), target)
        except urllib.error.HTTPError as e:
            resp = Response(e.code, e.headers, e.read(), target)
        if resp.status in (301, 302, 303) and resp.headers.get("Location"):
            return self.get(urllib.parse.urljoin(target, resp.headers["Location"]))
        return resp

    def login(self, user, password):
        self.get("/wp-login.php")
        r = self.post("/wp-login.php", {"log": user, "pwd": password, "wp-submit": "Log In",
                                         "testcookie": "1", "redirect_to": self.site + "/wp-admin/"})
        assert any(c.name.startswith("wordpress_logged_in_") for c in self.jar), \
            f"login as {user} failed ({r.status} at {r.url})"
        return r


class _Forms(HTMLParser):
    """Collects every form with the fields a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": [], "buttons": []}
            self.forms.append(self._form)
        if self._form is None and "form" not in a:
            return
        form = self._form
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "image", "button"):
                form["buttons"].append(a)
                return
            if kind == "file":
                return
            form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "button":
            form["buttons"].append(a)
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "chosen": None, "multiple": "multiple" in a}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                if self._select["multiple"]:
                    form["fields"].append((self._select["name"], value))
                else:
                    self._select["chosen"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            s = self._select
            if not s["multiple"]:
                value = s["chosen"] if s["chosen"] is not None else s["first"]
                if value is not None and self._form is not None:
                    self._form["fields"].append((s["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms(page_html):
    p = _Forms()
    p.feed(page_html)
    return p.forms


def form_with(page_html, marker):
    """The form whose fields or attributes mention MARKER."""
    for f in forms(page_html):
        blob = json.dumps(f)
        if marker in blob:
            return f
    raise AssertionError(f"no form with {marker!r} on the page")


def fields(form, **overrides):
    out = [(k, v) for k, v in form["fields"] if k not in overrides]
    out += list(overrides.items())
    return out


def links(page, pattern):
    """The links on PAGE (a Response) matching PATTERN, as absolute URLs."""
    found = [html.unescape(m) for m in re.findall(r'href="([^"]*)"', page.text)]
    return [urllib.parse.urljoin(page.url, m) for m in found if re.search(pattern, m)]


def visible_text(page_html):
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page_html)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))
