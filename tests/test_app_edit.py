"""The editing page: upload a drawn district, preview, apply, see it on the map; events saved safely."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import streamlit as st
from conftest import REPO, frame_with
from playwright.sync_api import expect
from streamlit.testing.v1 import AppTest
from test_app_browser import fills, open_map, serve

import access
from bench.synthetic import write_synthetic
from geo.escape import markdown_text

EDIT_PAGE = str(REPO / "pages" / "edit.py")
#: The sign-in cookie (pages/edit.py COOKIE).
COOKIE = "map_editor"

# As geojson.io saves it: a clockwise ring, styling properties, no aliases.
DRAWN = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {
                "id": "X0900",
                "name": "Drawn Quarter",
                "name_ar": "حي مرسوم",
                "geometry_source": "drawn in geojson.io",
                "stroke": "#555555",
                "fill": "#ff0000",
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[37.13, 36.15], [37.13, 36.16], [37.14, 36.16], [37.14, 36.15], [37.13, 36.15]]],
            },
        }
    ],
}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("edit") / "data", 9)


PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    """The app with editing on, behind one declared proxy: a browser context's X-Forwarded-For
    header stands for the address a proxy saw (a context without one counts as the local peer)."""
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(f'edit_password = "{PASSWORD}"\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(access.PROXIES_ENV, "1")
        yield from serve(data, "--enable-editing", options=("--secrets.files", str(secrets)))


def give_password(page, password: str) -> None:
    page.get_by_label("Editors' password").fill(password)
    page.get_by_label("Editors' password").press("Enter")


#: What the browser logs for an address that answers 404.
NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"


def open_edit(page, url: str) -> None:
    """Reach the page through the app's navigation, as an editor does, and give the password; the
    page sets its cookie and reloads. The reload opens /edit directly, which makes Streamlit's
    front end probe /edit/_stcore/... before /_stcore/...: those 404s (and only those) are not
    counted among the page's errors."""
    probes: list[str] = []

    def probe(response) -> None:
        if response.status == 404 and "/edit/_stcore/" in response.url:
            probes.append(response.url)

    page.on("response", probe)
    page.goto(url + "/?basemap=none")
    page.get_by_role("link", name="Edit the data").click()
    give_password(page, PASSWORD)
    page.get_by_text("Add or change districts").wait_for(timeout=60000)
    page.remove_listener("response", probe)
    errors = getattr(page, "errors", None)
    for _ in probes if errors is not None else ():
        errors.remove(NOT_FOUND)


@pytest.mark.browser
def test_bad_export_is_refused_and_nothing_written(server, data, offline_page, tmp_path):
    before = (data / "districts.geojson").read_bytes()
    bad = json.loads(json.dumps(DRAWN))
    ring = bad["features"][0]["geometry"]["coordinates"][0]
    bad["features"][0]["geometry"]["coordinates"][0] = [[x * 111319.49, y * 131000] for x, y in ring]
    path = tmp_path / "qgis-3857.geojson"
    path.write_text(json.dumps(bad), encoding="utf-8")
    open_edit(offline_page, server)
    offline_page.locator('input[type="file"]').set_input_files(str(path))
    offline_page.get_by_text("Nothing can be applied").wait_for(timeout=30000)
    offline_page.get_by_text("look like projected metres", exact=False).wait_for(timeout=30000)
    assert offline_page.get_by_role("button", name="Apply these changes").count() == 0
    assert (data / "districts.geojson").read_bytes() == before


@pytest.mark.browser
def test_drawn_district_is_previewed_applied_and_drawn_on_the_map(server, data, offline_page, tmp_path):
    path = tmp_path / "map.geojson"
    path.write_text(json.dumps(DRAWN), encoding="utf-8")
    page = offline_page
    n_before = len(fills(open_map(page, server + "/?date=2016-11-20&basemap=none")))
    open_edit(page, server)
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text("add X0900 (Drawn Quarter)").wait_for(timeout=60000)
    page.get_by_text("rewound counter-clockwise", exact=False).wait_for(timeout=30000)  # the rewind is reported
    preview = frame_with(page, ".leaflet-interactive")
    assert preview.locator(".leaflet-interactive").count() >= n_before + 1
    page.get_by_role("button", name="Apply these changes").click()
    page.get_by_text("Saved districts.geojson").wait_for(timeout=30000)
    saved = json.loads((data / "districts.geojson").read_text(encoding="utf-8"))
    added = saved["features"][-1]
    assert added["properties"]["id"] == "X0900" and added["properties"]["fill"] == "#ff0000"
    assert (data / "districts.geojson.bak").exists()
    frame = open_map(page, server + "/?date=2016-11-20&basemap=none")
    assert len(fills(frame)) == n_before + 1
    assert page.errors == [] and page.blocked == []


@pytest.fixture
def jar(monkeypatch) -> dict[str, str]:
    """The cookies of the browser on the session's connection, as the page reads them
    (``st.context.cookies``; AppTest has no browser), from the local peer. Each test starts with
    a fresh throttle and token store (the page keeps them in ``st.cache_resource``)."""
    cookies: dict[str, str] = {}
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: cookies))
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda self: None))
    st.cache_resource.clear()
    yield cookies
    st.cache_resource.clear()


def sign_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.secrets["edit_password"] = PASSWORD
    at.run()
    at.text_input(key="editor_password").input(password)
    return next(b for b in at.button if b.label == "Sign in").click().run()


def cookie_sent(at: AppTest) -> dict | None:
    """What the page gave the cookie component in its last run (None: no component)."""
    found = at.get("bidi_component")
    return json.loads(found[0].proto.json) if found else None


def admit(at: AppTest, jar: dict[str, str]) -> AppTest:
    """Sign in, and keep the cookie as the browser does before its page reloads."""
    sign_in(at)
    jar[COOKIE] = cookie_sent(at)["token"]
    return at.run()


def tools_shown(at: AppTest) -> bool:
    return any(s.value == "Add or change districts" for s in at.subheader)


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    folder = shutil.copytree(write_synthetic(tmp_path / "src", 5), tmp_path / "data")
    monkeypatch.setenv("MAP_DATA", str(folder))
    monkeypatch.setenv("MAP_EDITING", "1")
    return folder


@pytest.fixture
def edit_app(folder, jar):
    at = admit(AppTest.from_file(EDIT_PAGE, default_timeout=60), jar)
    assert not at.exception
    assert tools_shown(at)
    return at, folder


def test_events_save_writes_a_backup(edit_app):
    at, folder = edit_app
    original = (folder / "events.csv").read_bytes()
    next(b for b in at.button if b.label == "Validate and save events").click().run()
    assert any(markdown_text("Saved events.csv") in s.value for s in at.success), [e.value for e in at.error]
    assert (folder / "events.csv.bak").read_bytes() == original


def test_events_save_is_refused_when_the_file_changed_on_disk(edit_app):
    at, folder = edit_app
    (folder / "events.csv").write_text((folder / "events.csv").read_text() + "\n", encoding="utf-8")
    changed = (folder / "events.csv").read_bytes()
    next(b for b in at.button if b.label == "Validate and save events").click().run()
    assert any("changed on disk" in e.value for e in at.error)
    assert (folder / "events.csv").read_bytes() == changed and not (folder / "events.csv.bak").exists()


def test_broken_file_lists_problems(edit_app):
    at, folder = edit_app
    (folder / "districts.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    at.run()
    assert not at.exception
    assert any("error(s)" in e.value for e in at.error)


def save_events(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Validate and save events").click().run()


def test_editing_is_off_unless_the_operator_turns_it_on(folder, monkeypatch):
    monkeypatch.delenv("MAP_EDITING")
    at = AppTest.from_file(EDIT_PAGE, default_timeout=60)
    at.secrets["edit_password"] = PASSWORD
    at.run()
    assert [e.value for e in at.error] == ["Editing is turned off on this server."]
    assert not at.text_input and not at.button and not at.get("data_editor")


def test_no_password_configured_means_no_editing(folder, jar):
    at = AppTest.from_file(EDIT_PAGE, default_timeout=60).run()
    assert any("no password is set" in e.value for e in at.error)
    assert not at.text_input and not at.button


def test_wrong_password_is_refused_and_shows_nothing(folder, jar):
    at = sign_in(AppTest.from_file(EDIT_PAGE, default_timeout=60), password="guess")
    assert [e.value for e in at.error] == ["Wrong password."]
    assert not at.get("data_editor") and cookie_sent(at) is None
    assert [b.label for b in at.button] == ["Sign in"]
    assert str(folder) not in "".join(str(e) for e in at.main)


def test_page_never_shows_the_server_path(edit_app):
    at, folder = edit_app
    (folder / "events.csv").write_text("event_id\n", encoding="utf-8")  # a broken file: its problems are listed
    at.run()
    shown = "\n".join(str(getattr(e, "value", "")) for e in at.main)
    assert "events.csv" in shown and str(folder.parent) not in shown


@pytest.mark.parametrize(
    "case,text,fragment",
    [
        ("extra cell", "E9999,2016-11-20,S001,government,,alpha,day,x,extra\n", "row has 9 cells; the header has 8"),
        ("unclosed quote", 'E9999,2016-11-20,S001,government,,alpha,day,"x\n', "a quote opens a cell"),
        ("bare CR", "E9999,2016-11-20,S001,government,,alpha,day,x\rE9998\n", "bare carriage return"),
    ],
)
def test_broken_events_file_lists_problems_not_a_traceback(edit_app, case, text, fragment):
    at, folder = edit_app
    with (folder / "events.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write(text)
    at.run()
    assert not at.exception
    assert any(fragment in c.value for c in at.code), [c.value for c in at.code]
    assert not any(b.label == "Validate and save events" for b in at.button)


def test_refused_save_says_why_in_one_line_and_leaves_no_temp_file(edit_app, monkeypatch):
    at, folder = edit_app
    before = (folder / "events.csv").read_bytes()
    (folder / "events.csv.bak").mkdir()  # the backup cannot be written over a folder
    save_events(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "\n" not in errors[0], errors
    # the exception's text is shown as written, never read as Markdown
    why = "events.csv was not saved: its backup events.csv.bak could not be written"
    assert errors[0].startswith("Not saved: " + markdown_text(why))
    assert (folder / "events.csv").read_bytes() == before
    assert not list(folder.glob(".*.tmp"))


def test_an_uploaded_file_name_is_shown_as_written_never_as_markdown(edit_app):
    at, _ = edit_app
    name = "[click me](https://example.org) **now** `x`.geojson"
    at.file_uploader(key="upload").set_value((name, b"\xff\xfe not utf-8", "application/geo+json")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        markdown_text(name) + ": not UTF-8 text. Save the export as UTF-8 and upload it again."
    ]


# ---------------------------------------------------------------- who may edit


def new_page() -> AppTest:
    return AppTest.from_file(EDIT_PAGE, default_timeout=60)


def test_the_password_gives_the_browser_a_cookie_and_the_cookie_admits(folder, jar):
    at = sign_in(new_page())
    # the connection that carried the password has no cookie yet: the page sets it and reloads
    assert [i.value for i in at.info] == ["Signing in…"] and not tools_shown(at)
    sent = cookie_sent(at)
    assert sent["name"] == COOKIE and sent["maxAge"] == access.LIFETIME_S and len(sent["token"]) >= 43
    jar[COOKIE] = sent["token"]
    at.run()
    assert tools_shown(at) and cookie_sent(at) is None


def test_a_browser_without_the_cookie_on_the_same_session_is_not_admitted(edit_app, jar):
    """Another browser reconnects to the session by its id (seen in an upload address): the
    session's state is the editor's, but its connection carries no cookie."""
    at, _ = edit_app
    jar.clear()
    at.run()
    assert not at.exception and not tools_shown(at) and not at.get("data_editor")
    assert [b.label for b in at.button] == ["Sign in"]
    jar[COOKIE] = "a guessed or stale token"
    at.run()
    assert not tools_shown(at) and any("sign-in has ended" in w.value for w in at.warning)


def test_save_is_refused_when_the_session_changed_hands_during_the_run(edit_app, jar, monkeypatch):
    at, folder = edit_app
    before = (folder / "events.csv").read_bytes()
    # The run starts on the editor's connection (the page's check at the top reads the cookie);
    # by the time of the save another browser, without the cookie, holds the session.
    answers = [{COOKIE: jar[COOKIE]}]
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: answers.pop(0) if answers else {}))
    save_events(at)
    assert [e.value for e in at.error] == [
        "Not saved: this browser is not signed in (any more). Sign in again; "
        + markdown_text("events.csv")
        + " is unchanged."
    ]
    assert (folder / "events.csv").read_bytes() == before and not (folder / "events.csv.bak").exists()


def test_the_password_is_compared_once_and_does_not_stay_in_the_session(folder, jar):
    at = sign_in(new_page(), password="guess")
    assert at.session_state["editor_password"] == ""
    for _ in range(3):  # later runs (any click) neither show nor count the old guess again
        at.run()
        assert not at.error
    at.text_input(key="editor_password").input("guess 2")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert [e.value for e in at.error] == ["Wrong password."]  # the second wrong one: still free


def test_wrong_guesses_lock_the_address_and_a_right_one_is_then_refused_unread(folder, jar):
    at = new_page()
    for guess in ("guess 1", "guess 2", "guess 3"):
        sign_in(at, password=guess)
    assert [e.value for e in at.error] == [
        "Wrong password. Too many wrong passwords from your address: try again in 4 s."
    ]
    sign_in(at)
    assert [e.value for e in at.error] == ["Too many wrong passwords from your address: try again in 4 s."]
    assert cookie_sent(at) is None and not tools_shown(at)


def test_sign_out_revokes_the_token_and_clears_the_cookie(edit_app, jar):
    at, _ = edit_app
    next(b for b in at.button if b.label == "Sign out").click().run()
    assert [i.value for i in at.info] == ["Signed out."] and not tools_shown(at)
    assert cookie_sent(at) == {"name": COOKIE, "token": None, "maxAge": 0}
    at.run()  # a browser that kept the cookie (or a copy of the token) is not admitted
    assert not tools_shown(at) and any("sign-in has ended" in w.value for w in at.warning)


# ---------------------------------------------------------------- who may edit, in a real browser

#: Run before the page's own scripts: the page's WebSocket asks to join the session ``STOLEN``
#: (the third entry of its protocols is the session to reconnect to), as an attacker who read a
#: session id in a proxy log would make it do.
JOIN_SESSION = """(() => {
  const Real = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const asked = Array.isArray(protocols) ? protocols.slice(0, 2) : [];
    return new Real(url, asked.length === 2 ? [...asked, STOLEN] : protocols);
  };
  window.WebSocket.prototype = Real.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();"""


def new_context(browser, address: str | None = None):
    """A fresh browser (no cookie); with ``address``, the one its proxy reports."""
    headers = {"X-Forwarded-For": address} if address else {}
    return browser.new_context(viewport={"width": 1280, "height": 900}, extra_http_headers=headers)


def upload_session_id(page, tmp_path: Path) -> str:
    """The session id the page's upload address carries (what a proxy log shows)."""
    path = tmp_path / "drawn.geojson"
    path.write_text(json.dumps(DRAWN), encoding="utf-8")
    with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url) as upload:
        page.locator('input[type="file"]').set_input_files(str(path))
    return upload.value.url.split("/_stcore/upload_file/")[1].split("/")[0]


@pytest.mark.browser
def test_a_stolen_session_id_does_not_open_the_edit_tools(server, browser, tmp_path):
    editor = new_context(browser)
    page = editor.new_page()
    open_edit(page, server)
    stolen = upload_session_id(page, tmp_path)
    editor.close()  # the editor leaves; the session waits for a reconnect

    other = new_context(browser)
    try:
        page = other.new_page()
        page.add_init_script(f"const STOLEN = {json.dumps(stolen)};\n{JOIN_SESSION}")
        received: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(f)))
        page.goto(server + "/edit")
        page.get_by_label("Editors' password").wait_for(timeout=60000)
        page.wait_for_load_state("networkidle")
        # the server did join this browser to the editor's session (its first message names it) ...
        assert any(isinstance(f, bytes) and stolen.encode() in f for f in received)
        # ... and the page, reading this connection's cookies, does not admit it
        assert page.get_by_text("Add or change districts").count() == 0
        assert page.locator('input[type="file"]').count() == 0
    finally:
        other.close()


@pytest.mark.browser
def test_wrong_guesses_lock_one_address_out_with_a_notice(server, browser):
    locked, elsewhere = new_context(browser, "203.0.113.7"), new_context(browser, "203.0.113.8")
    try:
        page = locked.new_page()
        page.goto(server + "/edit")
        field = page.get_by_label("Editors' password")
        shown = []
        for guess in ("guess 1", "guess 2", "guess 3", PASSWORD):  # the right one last, while locked
            give_password(page, guess)
            expect(field).to_have_value("", timeout=30000)  # the run took the guess
            alert = page.locator('[data-testid="stAlertContentError"]')
            alert.wait_for(timeout=30000)
            shown.append(alert.inner_text())
        assert shown[:2] == ["Wrong password.", "Wrong password."]
        assert shown[2] == "Wrong password. Too many wrong passwords from your address: try again in 4 s."
        assert re.fullmatch(r"Too many wrong passwords from your address: try again in [1-4] s\.", shown[3])
        assert page.get_by_text("Add or change districts").count() == 0
        assert not [c for c in locked.cookies() if c["name"] == COOKIE]
        # another address is not held back
        open_edit(elsewhere.new_page(), server)
    finally:
        locked.close()
        elsewhere.close()


@pytest.mark.browser
def test_sign_out_ends_access(server, browser):
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        open_edit(page, server)
        cookie = next(c for c in ctx.cookies() if c["name"] == COOKIE)
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Editors' password").wait_for(timeout=30000)
        assert not [c for c in ctx.cookies() if c["name"] == COOKIE]
        ctx.add_cookies([cookie])  # a copy of the token kept from before: the server has revoked it
        page.reload()
        page.get_by_text("sign-in has ended", exact=False).wait_for(timeout=30000)
        assert page.get_by_text("Add or change districts").count() == 0
    finally:
        ctx.close()


#: Run before the page's own scripts: this browser keeps every cookie but the sign-in one (as a
#: browser set to refuse the site's cookies would).
REFUSE_SIGN_IN_COOKIE = """(() => {
  const real = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get() { return real.get.call(document); },
    set(value) { if (!value.startsWith('COOKIE=')) { real.set.call(document, value); } },
  });
})();""".replace("COOKIE", COOKIE)


@pytest.mark.browser
def test_a_browser_that_refuses_the_cookie_is_told_so(server, browser):
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        page.add_init_script(REFUSE_SIGN_IN_COOKIE)
        page.goto(server + "/edit")
        give_password(page, PASSWORD)
        page.get_by_text("This browser did not keep the sign-in cookie", exact=False).wait_for(timeout=30000)
        assert page.get_by_text("Add or change districts").count() == 0
    finally:
        ctx.close()


def test_a_new_password_in_the_secrets_signs_every_editor_out(edit_app, jar):
    at, _ = edit_app
    at.secrets["edit_password"] = "a new passphrase after a leak"
    at.run()
    assert not tools_shown(at) and any("sign-in has ended" in w.value for w in at.warning)
