// The app's map is the very page a snapshot is (the folium plugin in layers/control_map.py), a
// static, content-hashed file per data set and basemap, shown in a same-origin frame that
// Streamlit draws with the session's first message (app.py, show_map: st.iframe). This v2
// component comes with the rest of the page and attaches to that frame, found by the address
// Python gives it: it reports the reader's day to Streamlit (for ?date= and the panels), passes
// the page-wide keys (, . k) to the map, keeps the day and view when another basemap loads
// another page, and on a phone grows the frame to its content. The map draws every day itself;
// nothing here is on the way to its first paint.

var REPORT_MS = 80;    // a burst of steps reports once, when the reader pauses
var NARROW = 760;      // below this width the page inside stacks map, control, legend and claims
// The reader's day and view, kept here so they outlive the page in the frame: another basemap
// loads another page, which opens where the old one was. One map per app page, so one record.
var kept = {day: null, center: null, zoom: null};

function viewIn(frame) {
  var w = frame.contentWindow;
  return w && w.ControlMap && w.ControlMap.instances[0];
}

// The map in the frame is ours to follow: restore the kept day and view, report the reader's days.
function follow(state, frame, view) {
  if (state.view === view) { return; }
  state.view = view;
  var want = view.days.indexOf(kept.day);
  if (want >= 0 && want !== view.day()) { view.setDay(want, true); }
  if (kept.center) { view.map.setView(kept.center, kept.zoom, {animate: false}); }
  var timer = null;
  function report() {
    state.report(kept.day);
    setTimeout(function () { markDay(state, kept.day); }, 0);  // the report goes out first
  }
  view.onChange(function (kind) {
    if (kind !== 'day' || state.view !== view) { return; }
    kept.day = view.isoDay();
    clearTimeout(timer);
    timer = setTimeout(report, REPORT_MS);
  });
  view.map.on('moveend', function () {
    if (state.view === view) { kept.center = view.map.getCenter(); kept.zoom = view.map.getZoom(); }
  });
  // A reader quicker than this component (it arrives after the map): their day is reported now.
  if (view.isoDay() !== state.day) { kept.day = view.isoDay(); report(); } else { markDay(state, view.isoDay()); }
  fitHeight(state, frame);
  (state.root.host || state.root).setAttribute('data-follows', 'map');  // what tests wait for
}

// The areas chart beside the map marks the map's day from a page element (its id from Python):
// the day is written there, and the chart hears the input event, with no server round trip.
function markDay(state, day) {
  if (!day) { return; }
  soon(state, 'marking', function () { return state.dayInput && document.getElementById(state.dayInput); },
    function (input) {
      if (input.value === day) { return; }
      input.value = day;
      input.dispatchEvent(new Event('input'));
    }, null);
}

// Call then(found) once find() returns an element: now, or on one of the next 600 frames (an
// element Streamlit draws may come a moment after this component); else call missing().
function soon(state, slot, find, then, missing, tries) {
  cancelAnimationFrame(state[slot]);
  var found = find();
  if (found) { then(found); return; }
  if ((tries || 0) < 600) {
    state[slot] = requestAnimationFrame(function () { soon(state, slot, find, then, missing, (tries || 0) + 1); });
  } else if (missing) { missing(); }
}

// A wide frame keeps the height Streamlit drew it with (the page inside lays out to it); on a
// phone the frame, and the box Streamlit sized for it, grow to show all of the stacked page.
function fitHeight(state, frame) {
  var doc = frame.contentDocument;
  if (state.resize) { state.resize.disconnect(); }
  if (!doc || !window.ResizeObserver) { return; }
  function apply() {
    var narrow = frame.clientWidth < NARROW, h = narrow ? doc.documentElement.scrollHeight : state.height;
    frame.style.height = h + 'px';
    frame.parentElement.style.height = narrow ? h + 'px' : '';
  }
  state.resize = new ResizeObserver(apply);
  state.resize.observe(doc.body);
  state.resize.observe(frame);
  apply();
}

// Find the frame (Streamlit may draw this component a moment before it), then follow each page
// it loads: the one there now, if drawn already, and every one after (another basemap).
function attach(state) {
  soon(state, 'pending', function () {
    return document.querySelector('iframe[src^="' + CSS.escape(state.url) + '"]');
  }, function (frame) {
    if (state.frame === frame) { return; }
    detach(state);
    state.frame = frame;
    state.onLoad = function () {
      var view = viewIn(frame);
      if (view) { follow(state, frame, view); } else { console.error('map: the page at ' + frame.src + ' did not draw'); }
    };
    frame.addEventListener('load', state.onLoad);
    var view = viewIn(frame);
    if (view && view.ready) { follow(state, frame, view); }
  }, function () { console.error('map: no frame showing ' + state.url); });
}

function detach(state) {
  cancelAnimationFrame(state.pending);
  cancelAnimationFrame(state.marking);
  if (state.resize) { state.resize.disconnect(); }
  if (state.frame) { state.frame.removeEventListener('load', state.onLoad); }
  state.frame = state.view = state.resize = null;
}

export default function (component) {
  var root = component.parentElement, data = component.data;
  var state = root.__controlMap;
  if (!state) {
    state = root.__controlMap = {root: root};
    state.keys = function (ev) { if (state.view) { state.view.handleKey(ev); } };
    document.addEventListener('keydown', state.keys);
  }
  state.height = data.height;
  state.url = data.url;
  state.day = data.day;
  state.dayInput = data.dayInput;
  state.report = function (day) { component.setStateValue('day', day); };
  attach(state);
  if (state.view) { markDay(state, state.view.isoDay()); }  // the page's elements are new after a rerun
  return function () {
    document.removeEventListener('keydown', state.keys);
    detach(state);
    root.__controlMap = null;
  };
}
