"""The browser half of the districts layer: draws the polygons once, restyles them per day.

``window.aleppo`` is the only global. ``aleppo.show(day, codes)`` looks each district's state up in
the group table (``codes[i]`` = group id, -1 = unknown) and restyles in place, so a date change
never rebuilds a polygon and zoom and pan stay where the reader left them. Contested districts
are filled with an SVG stripe pattern: holder's colour over a band proportional to its share,
the other side's colour for the rest.
"""

DISTRICTS_JS = r"""
(function () {
  var map = __MAP__;
  var CFG = __CFG__;
  // (an element with id="aleppo" would also answer to window.aleppo: never take that for our state)
  var A = window.aleppo = (window.aleppo && !window.aleppo.nodeType) ? window.aleppo : {};
  A.map = map; A.byId = {}; A.ready = false; A.pending = null; A.hidden = A.hidden || {};
  A.day = null; A.paints = 0;
  if (!map.getPane('districts')) { map.createPane('districts').style.zIndex = 390; }
  var SVGNS = 'http://www.w3.org/2000/svg';

  function hatch(svg, h, r, s) {
    var pct = Math.max(1, Math.min(9, Math.round((s == null ? 0.5 : s) * 10)));
    var id = 'hatch-' + h + '-' + r + '-' + pct;
    if (svg.querySelector('#' + id)) { return 'url(#' + id + ')'; }
    var defs = svg.querySelector('defs') ||
      svg.insertBefore(document.createElementNS(SVGNS, 'defs'), svg.firstChild);
    var p = document.createElementNS(SVGNS, 'pattern');
    p.setAttribute('id', id); p.setAttribute('patternUnits', 'userSpaceOnUse');
    p.setAttribute('width', 10); p.setAttribute('height', 10);
    p.setAttribute('patternTransform', 'rotate(45)');
    [[r, 10], [h, pct]].forEach(function (band) {
      var rect = document.createElementNS(SVGNS, 'rect');
      rect.setAttribute('width', band[1]); rect.setAttribute('height', 10);
      rect.setAttribute('fill', CFG.palette[band[0]] || CFG.palette.contested);
      p.appendChild(rect);
    });
    defs.appendChild(p);
    return 'url(#' + id + ')';
  }

  function styleFor(g, layer) {
    var st = Object.assign({}, CFG.base);
    var k = g ? g.k : 'unknown';
    st.fillColor = CFG.palette[k] || CFG.palette.unknown;
    if (k === 'contested' && g.h && g.r && g.h !== 'contested' && layer._path) {
      st.fillColor = hatch(layer._path.ownerSVGElement, g.h, g.r, g.d ? 0.5 : g.s);
    }
    if (g && g.d) { Object.assign(st, CFG.disputed); }
    return st;
  }

  function paint(day, codes) {
    CFG.ids.forEach(function (id, i) {
      var layer = A.byId[id];
      if (!layer) { return; }
      var code = codes[i];
      var g = code >= 0 ? A.groups[code] : null;
      layer.setStyle(styleFor(g, layer));
      var html = g ? g.t : A.unknown[i];
      layer.setTooltipContent(html);
      layer.setPopupContent(html);
    });
    A.day = day; A.codes = codes;
    requestAnimationFrame(function () {
      A.paints += 1; A.paintedDay = day; A.paintedAt = Date.now();
      document.body.setAttribute('data-day', day);
    });
  }

  A.show = function (day, codes) {
    if (!A.ready) { A.pending = [day, codes]; return; }
    paint(day, codes);
  };

  A.restoreOverlays = function () {
    setTimeout(function () {
      var ctl = window.layer_control;
      if (!ctl) { return; }
      if (A.labels && !ctl._layers.some(function (e) { return e.layer === A.labels; })) {
        ctl.addOverlay(A.labels, CFG.labelsName);
      }
      ctl._layers.forEach(function (e) {
        if (e.overlay && A.hidden[e.name] && map.hasLayer(e.layer)) { map.removeLayer(e.layer); }
      });
    }, 0);
  };
  // Remember only what the reader ticks or unticks (layers are also swapped on every date change).
  function byReader() { var c = window.layer_control; return !!(c && c._handlingClick); }
  map.on('overlayremove', function (e) { if (byReader()) { A.hidden[e.name] = true; } });
  map.on('overlayadd', function (e) { if (byReader()) { delete A.hidden[e.name]; } });

  var removed = false;  // the map can be taken down (page change, new basemap) while the data loads
  map.on('unload', function () { removed = true; });

  function init(data) {
    if (removed) { return; }
    A.groups = data.groups; A.unknown = data.unknown;
    var i = 0;
    var layer = L.geoJSON(data.geojson, {
      pane: 'districts',
      style: function () { return styleFor(null, {}); },
      onEachFeature: function (f, l) {
        A.byId[f.properties.id] = l;
        l.bindTooltip('', {sticky: true, className: 'district-tip', maxWidth: 360});
        l.bindPopup('', {maxWidth: 380});
      }
    }).addTo(map);
    A.districts = layer;
    A.labels = L.layerGroup(data.labels.map(function (lab) {
      return L.marker([lab[1], lab[2]], {interactive: false, keyboard: false,
        icon: L.divIcon({className: 'district-label', html: lab[0], iconSize: null})});
    }));
    if (CFG.fit) { map.fitBounds(layer.getBounds(), {padding: [8, 8]}); }
    A.ready = true;
    if (A.pending) { paint(A.pending[0], A.pending[1]); A.pending = null; }
    A.restoreOverlays();
  }

  if (CFG.data) { init(CFG.data); }
  else {
    // The app's map component starts this download while Leaflet loads (window.aleppoPrefetch).
    var pre = window.aleppoPrefetch && window.aleppoPrefetch[CFG.url];
    (pre || fetch(CFG.url).then(function (r) {
      if (!r.ok) { throw new Error('district data ' + r.status); }
      return r.json();
    })).then(init).catch(function (err) { console.error('districts:', err); });
  }
})();
"""

#: Runs on every date change: restyle the districts for the day.
SHOW_JS = "window.aleppo.show(__DAY__, __CODES__); window.aleppo.restoreOverlays();"
