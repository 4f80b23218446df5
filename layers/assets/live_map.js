// The app's map as a Streamlit v2 component: Leaflet drawn in the page, inside this component's
// shadow root (no iframe). Python sends `base` (a folium map rendered once per data content and
// basemap by layers/live_map.py) and `day` (the day's feature groups and layer control). The map
// is built once; a new `day` replaces only the previous day's groups and control, so zoom, pan and
// the layers the reader hid survive a date change. A new `base` (another basemap, edited data)
// rebuilds the map at the reader's current view.
//
// Every string run here was rendered by folium from escaped data (layers/style.py): no data text
// reaches this module unescaped.

function loadScript(src) {
  return new Promise(function (resolve, reject) {
    var s = document.createElement('script');
    s.src = src; s.async = false; s.onload = resolve;
    s.onerror = function () { reject(new Error('could not load ' + src)); };
    document.head.appendChild(s);
  });
}

// Run a script string in the page's global scope (folium declares its layers as globals).
function run(code) {
  var s = document.createElement('script');
  s.textContent = code;
  document.head.appendChild(s);
  s.remove();
}

// Start the district data download now, alongside Leaflet's; the districts layer picks it up.
function prefetch(urls) {
  var got = window.aleppoPrefetch = window.aleppoPrefetch || {};
  urls.forEach(function (url) {
    if (got[url]) { return; }
    got[url] = fetch(url).then(function (r) {
      if (!r.ok) { throw new Error('district data ' + r.status + ' ' + url); }
      return r.json();
    });
    got[url].catch(function () { delete got[url]; });  // a failed download is tried again next time
  });
}

var leafletReady = null;

function loadLeaflet(links) {
  if (window.L) { return Promise.resolve(); }
  if (!leafletReady) {
    leafletReady = links.reduce(function (p, src) {
      return p.then(function () { return loadScript(src); });
    }, Promise.resolve());
  }
  return leafletReady;
}

function build(root, state, base, height) {
  state.nodes = base.css.map(function (href) {
    var link = document.createElement('link');
    link.rel = 'stylesheet'; link.href = href;
    return root.appendChild(link);
  });
  var head = document.createElement('div');
  head.innerHTML = base.header;  // <style>/<meta> only: inserted as HTML, scripts in it never run
  var box = document.createElement('div');
  box.style.cssText = 'position:relative;width:100%;height:' + height + 'px;';
  box.innerHTML = '<div class="folium-map" id="map_div"></div>' + base.html;
  state.nodes.push(root.appendChild(head), root.appendChild(box));
  window.__aleppoMapDiv = box.firstChild;  // folium's script is given the element (layers/live_map.py)
  window.feature_group = [];
  window.layer_control = null;
  run(base.script + '\nwindow.__aleppoLiveMap = map_div;');
  state.map = window.__aleppoLiveMap;
  state.base = base.script;
  state.day = null;
}

function teardown(state) {
  if (state.map) { state.map.remove(); }
  (state.nodes || []).forEach(function (n) { n.remove(); });
  state.map = null; state.nodes = [];
  window.feature_group = [];
  window.layer_control = null;
}

function showDay(state, day) {
  if (state.day === day) { return; }
  var map = state.map;
  (window.feature_group || []).forEach(function (g) { map.removeLayer(g); });
  window.feature_group = [];
  if (window.layer_control) { map.removeControl(window.layer_control); window.layer_control = null; }
  run('(function () {\nvar map_div = window.__aleppoLiveMap;\n' + day + '\n})();');
  state.day = day;
}

export default function (component) {
  var root = component.parentElement;
  var data = component.data;
  var state = root.__aleppoLive || (root.__aleppoLive = {});
  state.latest = data;
  prefetch(data.prefetch || []);
  loadLeaflet(data.base.js).then(function () {
    var d = state.latest;
    if (state.unmounted) { return; }
    if (state.map && state.base !== d.base.script) {  // another basemap: rebuild, keep the reader's view
      var center = state.map.getCenter(), zoom = state.map.getZoom();
      teardown(state);
      build(root, state, d.base, d.height);
      state.map.setView(center, zoom, {animate: false});
    }
    if (!state.map) { build(root, state, d.base, d.height); }
    showDay(state, d.day);
  }).catch(function (err) { console.error('map:', err); });
  return function () {
    state.unmounted = true;
    teardown(state);
    root.__aleppoLive = null;
  };
}
