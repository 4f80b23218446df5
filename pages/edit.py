"""Editing page: add or change districts from a GeoJSON export, and fix or add events.

Off unless the operator turns editing on (``-- --enable-editing`` or ``MAP_EDITING=1``); then
it asks for the password kept in Streamlit's secrets as ``edit_password``, behind a throttle, and
a right one gives the browser a sign-in cookie (``access``). Authorisation is that cookie, checked
on every run and again right before every save, never the Streamlit session. Every save is validated
first and written safely (``geo.store.atomic_write``): a temporary file beside the target, fsync,
a ``.bak`` of the previous version, and a refusal when the file changed on disk since this page
read it. The map page picks the change up on its next run. The page names files, never the
server's folders.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
from pathlib import Path

import folium
import streamlit as st

import access
from geo.constants import DISTRICTS_FILE, EVENTS_FILE
from geo.districts import alias_index, read_districts
from geo.escape import html_text
from geo.escape import markdown_text as md
from geo.importer import import_box, plan_import
from geo.load import check_dataset, data_dir_from_argv, editing_enabled
from geo.problems import DataError, Problem, has_errors
from geo.settings import event_window
from geo.store import SaveError, atomic_write, read_versioned
from geo.tables import read_events, read_table
from layers.control_map import leaflet_assets

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "data"
PREVIEW_HEIGHT = 420
#: Key in Streamlit's secrets (``.streamlit/secrets.toml``) holding the editors' password.
PASSWORD_SECRET = "edit_password"


def show_problems(problems: list[Problem]) -> None:
    """Every problem as one plain-text line: file, feature or line, id, field, message, what to do."""
    if problems:
        (st.error if has_errors(problems) else st.warning)(
            f"{sum(p.severity == 'error' for p in problems)} error(s), "
            f"{sum(p.severity == 'warning' for p in problems)} warning(s)"
        )
        st.code("\n".join(str(p) for p in problems), language=None, wrap_lines=True)


def preview_html(current: str, merged: str, changed_ids: set[str]) -> str:
    """A self-contained Leaflet preview: current districts in grey, new or changed ones in orange."""
    js, css = leaflet_assets()
    old, _ = read_districts(current, "current")
    new, _ = read_districts(merged, "merged")
    m = folium.Map(tiles=None, zoom_snap=0.25)
    m.default_js, m.default_css = [], []
    m.get_root().header.add_child(folium.Element(f"<style>{css}</style><script>{js}</script>"))
    if old is not None:
        folium.GeoJson(
            old[["id", "geometry"]].to_json(),
            style_function=lambda _: {"color": "#777", "weight": 1, "fillColor": "#ddd", "fillOpacity": 0.4},
        ).add_to(m)
    if new is not None:
        sel = new[new["id"].isin(changed_ids)].copy()
        sel["label"] = [html_text(f"{i} {n}") for i, n in zip(sel["id"], sel["name"], strict=True)]
        if len(sel):
            folium.GeoJson(
                sel[["label", "geometry"]].to_json(),
                style_function=lambda _: {"color": "#EE7733", "weight": 3, "fillColor": "#EE7733", "fillOpacity": 0.5},
                tooltip=folium.GeoJsonTooltip(["label"], labels=False),
            ).add_to(m)
            west, south, east, north = sel.total_bounds
            m.fit_bounds([[south, west], [north, east]])
        else:
            west, south, east, north = new.total_bounds
            m.fit_bounds([[south, west], [north, east]])
    return m.get_root().render()


def save(path: Path, data: bytes, version: str, validate) -> bool:
    """Validated, atomic save; report the outcome on the page (a refusal in one line). Refused
    unless the browser connected now still holds a live sign-in: the session may have changed
    hands since the run began."""
    if not signed_in():
        st.error(f"Not saved: this browser is not signed in (any more). Sign in again; {md(path.name)} is unchanged.")
        return False
    try:
        backup = atomic_write(path, data, expected_digest=version, validate=validate)
    except SaveError as exc:
        st.error(f"Not saved: {md(exc)}")
        return False
    except DataError as exc:
        st.error("Not saved: the new content does not validate.")
        show_problems(exc.problems)
        return False
    st.success(
        f"Saved {md(path.name)}; the previous version is kept as {md(backup.name) if backup else '(none)'}. "
        "The map page shows it on its next run."
    )
    return True


def read_current(path: Path) -> tuple[str, str] | None:
    """A data file's text and version digest; None after saying on the page why it cannot be read."""
    try:
        raw, version = read_versioned(path)
        return raw.decode("utf-8"), version
    except OSError as exc:
        why = f"cannot be read ({md(exc.strerror or exc)})"
    except UnicodeDecodeError as exc:
        why = f"is not UTF-8 text (byte {exc.start})"
    st.error(f"{md(path.name)} {why}; restore it from {md(path.name + '.bak')} or git.")
    return None


def districts_section(data_dir: Path) -> None:
    st.subheader("Add or change districts")
    st.caption(
        "Upload a GeoJSON exported from geojson.io or QGIS (EPSG:4326). New ids are added, existing ids "
        "replaced; nothing is written until you apply."
    )
    upload = st.file_uploader("GeoJSON file", type=["geojson", "json"], key="upload")
    if upload is None:
        return
    target = data_dir / DISTRICTS_FILE
    if (read := read_current(target)) is None:
        return
    current, version = read
    if st.session_state.get("upload_name") != (upload.name, upload.size):
        st.session_state["upload_name"] = (upload.name, upload.size)
        st.session_state["districts_version"] = version  # the version this edit is based on
    try:
        new_text = upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error(f"{md(upload.name)}: not UTF-8 text. Save the export as UTF-8 and upload it again.")
        return
    bbox = import_box(data_dir, current)
    merged, changes, problems = plan_import(current, new_text, upload.name, target.name, bbox=bbox)
    show_problems(problems)
    if merged is None:
        st.error("Nothing can be applied until the errors above are fixed.")
        return
    st.markdown("**What will change**")
    st.text("\n".join(changes) or "Nothing: every district in the file is already identical.")
    ids = {line.split()[1] for line in changes}
    st.iframe(preview_html(current, merged, ids), height=PREVIEW_HEIGHT)  # a whole page, escaped
    if changes and st.button("Apply these changes", type="primary"):
        save(
            target,
            merged.encode("utf-8"),
            st.session_state["districts_version"],
            lambda b: read_districts(b.decode("utf-8"), target.name, bbox=bbox)[1],
        )


def events_section(data_dir: Path, ds) -> None:
    st.subheader("Events")
    st.caption(
        "One row per claim. `district` is a district id, `source` a key of sources.csv; add one row per "
        "source when sources disagree. Write notes in your own words."
    )
    target = data_dir / EVENTS_FILE
    if (read := read_current(target)) is None:
        return
    text, version = read
    if "events_version" not in st.session_state:
        st.session_state["events_version"] = version
    table, problems = read_table(text, target.name)
    if table is None:
        st.error(
            f"{md(target.name)} cannot be shown as a table until these are fixed in a text editor (or the file "
            f"is restored from {md(target.name + '.bak')}):"
        )
        show_problems(problems)
        return
    edited = st.data_editor(table, num_rows="dynamic", hide_index=True, key="events_editor", width="stretch")
    if ds is None:
        st.warning("The data folder does not validate as a whole; fix the files listed above before saving events.")
        return
    left, right = st.columns(2)
    if left.button("Validate and save events", type="primary"):
        text = edited.to_csv(index=False, lineterminator="\n")

        def validate(data: bytes) -> list[Problem]:
            return read_events(
                data.decode("utf-8"),
                target.name,
                district_ids=set(ds.districts["id"]),
                source_keys=set(ds.sources["key"]),
                names=alias_index(ds.districts),
                sides=ds.settings.side_ids if ds.settings.declared_sides else None,
                window=event_window(ds.settings),
            )[1]

        if save(target, text.encode("utf-8"), st.session_state["events_version"], validate):
            st.session_state["events_version"] = read_versioned(target)[1]
    if right.button("Discard my edits and reload from disk"):
        st.session_state.pop("events_version", None)
        st.session_state.pop("events_editor", None)
        st.rerun()


# ---------------------------------------------------------------- who may edit (see access.py)

#: The cookie that carries an editor's sign-in token.
COOKIE = "map_editor"
#: The password field's key; a submitted password moves to GUESS_KEY for the run that compares it.
PASSWORD_KEY = "editor_password"
GUESS_KEY = "_editor_guess"
REFUSED_KEY = "_editor_cookie_refused"
#: Sets (or, with no token, clears) the sign-in cookie, then reloads the page so that the new
#: WebSocket carries it (cookies are read once, from the WebSocket's opening request); says so
#: when the browser did not keep it. The token comes as data, never inside the code. Streamlit's
#: own cookie (``st.login``) needs an OpenID Connect provider, not a shared password, and an
#: HttpOnly cookie would need an HTTP route of our own (``st.App(routes=...)``), a different way
#: of serving the app; so the page writes the cookie from the browser.
COOKIE_JS = """
export default function (component) {
  var data = component.data || {};
  var attrs = '; Path=/; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');
  if (data.token) {
    document.cookie = data.name + '=' + data.token + attrs + '; Max-Age=' + data.maxAge;
    if (document.cookie.split('; ').indexOf(data.name + '=' + data.token) < 0) {
      component.setTriggerValue('refused', true);
      return;
    }
  } else {
    document.cookie = data.name + '=' + attrs + '; Max-Age=0';
  }
  window.location.reload();
}
"""


def configured_password() -> str | None:
    """The editors' password from the secrets; None when it is missing or empty."""
    try:
        expected = st.secrets[PASSWORD_SECRET]
    except (KeyError, FileNotFoundError):
        return None
    return expected if isinstance(expected, str) and expected else None


@st.cache_resource
def throttle() -> access.Throttle:
    """The password throttle: one per server, shared by every session."""
    return access.Throttle()


@st.cache_resource(max_entries=1)
def token_store(password_digest: str) -> access.TokenStore:
    """The sign-in tokens, one store per password: a new password in the secrets signs every
    editor out."""
    return access.TokenStore()


def tokens(password: str) -> access.TokenStore:
    return token_store(hashlib.sha256(password.encode("utf-8")).hexdigest())


@st.cache_resource
def cookie_component():
    """The component that writes the sign-in cookie, registered once per server."""
    return st.components.v2.component("editor_cookie", js=COOKIE_JS)


def browser_token() -> str | None:
    """The sign-in token sent by the browser on the session's current connection. Read again at
    every call: Streamlit lets a client reconnect to a session by its id, and ``st.context``
    answers for the connection the session has now, not the one it started with."""
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) else None


def signed_in() -> bool:
    """True when the browser now connected holds a live sign-in token (its idle time restarts)."""
    password = configured_password()
    return password is not None and tokens(password).valid(browser_token())


def guess_address() -> str:
    """The address a password guess counts under (``access.client_address``: the peer, or what
    the proxies the operator declared in ``MAP_TRUSTED_PROXIES`` say)."""
    forwarded = st.context.headers.get_all("x-forwarded-for")
    return access.client_address(st.context.ip_address, forwarded, access.trusted_proxies())


def write_cookie(token: str | None, max_age_s: float = 0) -> None:
    """Give the browser its token (None clears it); the page then reloads."""
    data = {"name": COOKIE, "token": token, "maxAge": int(max_age_s)}
    cookie_component()(data=data, key="editor_cookie", on_refused_change=cookie_refused, height=0)


def cookie_refused() -> None:
    st.session_state[REFUSED_KEY] = True


def take_guess() -> None:
    """Move the submitted password out of the field's state: it is compared once, in this run,
    and never stays in the session (another browser that takes the session over would find it)."""
    st.session_state[GUESS_KEY] = st.session_state.get(PASSWORD_KEY, "")
    st.session_state[PASSWORD_KEY] = ""


def password_form(expected: str) -> None:
    """The password field; a submitted password is compared unless a brake holds."""
    with st.form("sign_in", border=False, enter_to_submit=True):
        st.text_input("Editors' password", type="password", key=PASSWORD_KEY)
        st.form_submit_button("Sign in", on_click=take_guess)
    guess = st.session_state.pop(GUESS_KEY, None)
    if not guess:
        st.info("Editing the data needs the editors' password.")
        return
    store = tokens(expected)
    matches = lambda: hmac.compare_digest(guess.encode("utf-8"), expected.encode("utf-8"))
    outcome = access.sign_in(throttle(), store, guess_address(), matches)
    if outcome.token:
        st.info("Signing in…")
        write_cookie(outcome.token, store.lifetime_s)
    elif not outcome.compared and outcome.wait:
        st.error(access.refusal_text(outcome.wait))
    else:
        st.error("Wrong password." + (f" {access.refusal_text(outcome.wait)}" if outcome.wait else ""))


def sign_out(password: str) -> None:
    """End this browser's sign-in on the server, then clear its cookie."""
    tokens(password).revoke(browser_token())
    st.info("Signed out.")
    write_cookie(None)


def admitted() -> bool:
    """True when the browser on this connection holds a live sign-in token; else the password
    form (the password from secrets, compared in constant time, behind the throttle)."""
    expected = configured_password()
    if expected is None:
        st.error(
            f"Editing is on, but no password is set: the operator adds `{PASSWORD_SECRET}` to the app's "
            "secrets (see the README, 'Publishing the app'). Nothing can be edited until then."
        )
        return False
    if signed_in():
        if st.sidebar.button("Sign out", key="sign_out"):
            sign_out(expected)
            return False
        return True
    if st.session_state.pop(REFUSED_KEY, False):
        st.error("This browser did not keep the sign-in cookie: allow cookies for this site and sign in again.")
    elif browser_token():
        st.warning(
            f"Your sign-in has ended (after {access.IDLE_TIMEOUT_S / 60:.0f} minutes without use, "
            f"{access.LIFETIME_S / 3600:.0f} hours after signing in, or when the server restarted or the "
            "password changed). "
            "Sign in again."
        )
    password_form(expected)
    return False


def main() -> None:
    st.set_page_config(page_title="Edit the data", layout="wide")
    st.title("Edit the data")
    if not editing_enabled(sys.argv[1:]):  # the app does not list this page then; refuse a direct run too
        st.error("Editing is turned off on this server.")
        st.stop()
    if not admitted():
        st.stop()
    data_dir = data_dir_from_argv(sys.argv[1:], DEFAULT_DATA)
    ds, problems = check_dataset(data_dir)  # once per run; the events section validates against it
    show_problems(problems)
    districts_section(data_dir)
    events_section(data_dir, ds)


main()
