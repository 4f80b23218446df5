// The app's map as a Streamlit v2 component: it shows the very page a snapshot is (the folium
// plugin in layers/control_map.py), a static, content-hashed file per data set and basemap,
// in a same-origin frame. The map draws every day in the browser;
// this module only reports the reader's day to Streamlit (for ?date= and the panels) and passes
// the page-wide keys (, . k) to the map.

var FRAME_NAME = 'control-map';  // the app's map frame (a comparison on the page is another)
var REPORT_MS = 80;    // a burst of steps reports once, when the reader pauses
// The reader's day and view, kept here so they outlive a remount: Streamlit may drop the
// component while a rerun builds another page (a new basemap), and the new page opens where the
// old one was. One map per page, so one record.
var kept = {day: null, center: null, zoom: null};

function mapOf(frame) {
  var w = frame.contentWindow;
  return w && w.ControlMap && w.ControlMap.instances[0];
}

function build(root, state, data, setStateValue) {
  var frame = document.createElement('iframe');
  frame.name = FRAME_NAME;
  frame.title = data.title;
  frame.style.cssText = 'width:100%;border:0;display:block;height:' + data.height + 'px;';
  root.appendChild(frame);
  state.frame = frame;
  state.url = data.url;
  frame.addEventListener('load', function () {
    if (state.frame !== frame) { return; }
    var view = mapOf(frame);
    if (!view) { console.error('map: the page at ' + data.url + ' did not draw'); return; }
    state.view = view;
    var i = [kept.day, data.start].map(function (d) { return view.days.indexOf(d); })
      .filter(function (j) { return j >= 0; })[0];
    if (i !== undefined && i !== view.day()) { view.setDay(i, true); }
    if (kept.center) { view.map.setView(kept.center, kept.zoom, {animate: false}); }
    var timer = null;
    view.onChange(function (kind) {
      if (kind !== 'day') { return; }
      kept.day = view.isoDay();
      clearTimeout(timer);
      timer = setTimeout(function () { setStateValue('day', kept.day); }, REPORT_MS);
    });
    fitHeight(state, data.height);
  }, {once: true});
  // The page is a static file of this server (text/html, same origin): the browser streams and
  // caches it, and the map opens on the reader's day (#YYYY-MM-DD) without drawing another first.
  frame.src = data.url + '#' + (kept.day || data.start);
}

// A wide frame has a fixed height (the page inside lays out to it); on a phone the page stacks
// map, control, legend and claims, and the frame grows to show all of it.
function fitHeight(state, height) {
  var frame = state.frame, doc = frame.contentDocument;
  if (!doc || !window.ResizeObserver) { return; }
  function apply() {
    var narrow = frame.clientWidth < 760;
    frame.style.height = (narrow ? doc.documentElement.scrollHeight : height) + 'px';
  }
  state.resize = new ResizeObserver(apply);
  state.resize.observe(doc.body);
  state.resize.observe(frame);
  apply();
}

function teardown(state) {
  if (state.resize) { state.resize.disconnect(); }
  if (state.view) { kept.center = state.view.map.getCenter(); kept.zoom = state.view.map.getZoom(); }
  if (state.frame) { state.frame.remove(); }
  state.frame = state.view = state.resize = null;
}

export default function (component) {
  var root = component.parentElement, data = component.data;
  var state = root.__controlMap || (root.__controlMap = {});
  if (!state.keys) {
    state.keys = function (ev) { if (state.view) { state.view.handleKey(ev); } };
    document.addEventListener('keydown', state.keys);
  }
  if (state.url !== data.url) {  // another data set or basemap: a new page, same day and view
    teardown(state);
    build(root, state, data, component.setStateValue);
  }
  return function () {
    document.removeEventListener('keydown', state.keys);
    teardown(state);
    root.__controlMap = null;
  };
}
