/* The standalone snapshot page: geometry decoded once, a day's state applied by restyling.
 * Every text from the data reaches the page through textContent, never as HTML. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("snapshot-data").textContent);
  var C = JSON.parse(document.getElementById("snapshot-config").textContent);
  var UI = C.ui, SCALE = 1e5, NS = "http://www.w3.org/2000/svg";
  var nDays = D.days.length, nDist = D.districts.length, AR = C.lang === "ar";
  var UNKNOWN = 4, CONTESTED = 3;

  function decode(a) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; out.push([y / SCALE, x / SCALE]); }
    return out;
  }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k]; }); }
  function add(parent, tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    parent.appendChild(e);
    return e;
  }
  function dayText(iso) {
    var p = iso.split("-");
    return (+p[2]) + " " + C.months[+p[1] - 1] + " " + p[0];
  }
  function srcName(i) { var s = D.sources[i] || {}; return s.p || s.t || "?"; }
  function tipBox() { var b = document.createElement("div"); b.className = "tip"; b.dir = AR ? "rtl" : "ltr"; return b; }
  function addSources(box, list) { if (list.length) { add(box, "div", UI.sources + ": " + list.map(srcName).join(", ")); } }

  // Every day's state id per district, from the first day and the daily changes.
  var grid = [], cur = Int32Array.from(D.first);
  grid.push(cur);
  for (var d = 1; d < nDays; d++) {
    cur = cur.slice();
    var ch = D.changes[d - 1];
    for (var k = 0; k < ch.length; k += 2) { cur[ch[k]] = ch[k + 1]; }
    grid.push(cur);
  }

  var map = L.map("map", {zoomSnap: 0.25, zoomDelta: 0.5, renderer: L.svg({padding: 0.3})});
  map.getContainer().setAttribute("dir", "ltr");
  map.attributionControl.setPrefix("Leaflet");
  var status = {tiles: !C.tiles};
  if (C.tiles) {
    var tiles = L.tileLayer(C.tiles, {maxZoom: 19, attribution: C.tileCredit});
    tiles.on("load", function () { status.tiles = true; });
    tiles.on("tileerror", function () { status.tiles = true; });
    tiles.addTo(map);
  }
  function pane(name, z) { map.createPane(name).style.zIndex = z; return L.svg({pane: name, padding: 0.3}); }
  var districtRenderer = L.svg({padding: 0.3});
  var frontRenderer = pane("front", 410), routeRenderer = pane("routes", 420), pointRenderer = pane("points", 430);

  // Two-tone stripes for split and disputed districts: the holder's stripe width is its share.
  var defs = null, made = {};
  function svgEl(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    for (var a in attrs) { e.setAttribute(a, attrs[a]); }
    return e;
  }
  function stripes(a, b, share) {
    var pct = Math.max(5, Math.min(95, Math.round(share * 20) * 5)), id = "stripe-" + a + "-" + b + "-" + pct;
    if (!made[id]) {
      if (!defs) { defs = svgEl("defs", {}); districtRenderer._container.insertBefore(defs, districtRenderer._container.firstChild); }
      var p = svgEl("pattern", {id: id, patternUnits: "userSpaceOnUse", width: 10, height: 10, patternTransform: "rotate(45)"});
      p.appendChild(svgEl("rect", {width: 10, height: 10, fill: C.palette[b]}));
      p.appendChild(svgEl("rect", {width: pct / 10, height: 10, fill: C.palette[a]}));
      defs.appendChild(p);
      made[id] = true;
    }
    return "url(#" + id + ")";
  }
  function styleFor(sid) {
    var st = {fillColor: C.palette[UNKNOWN], fillOpacity: 0.5, color: "#ffffff", weight: 1, opacity: 1, dashArray: null};
    if (sid < 0) { return st; }
    var s = D.states[sid], holder = s[2], rest = s[3];
    st.fillColor = C.palette[s[0]];
    st.fillOpacity = 0.75;
    if (s[0] === CONTESTED && holder >= 0 && rest >= 0 && holder !== CONTESTED && rest !== CONTESTED) {
      st.fillColor = stripes(holder, rest, s[4] || s[1] === null ? 0.5 : s[1]);
      st.fillOpacity = 0.85;
      st.color = "#333333";
      st.weight = 1.2;
    }
    if (s[4]) { st.color = "#000000"; st.weight = 2.4; st.dashArray = "5 4"; }
    return st;
  }

  var day = -1, polys = [];
  function districtTip(j) {
    var box = tipBox(), dd = D.districts[j], sid = grid[day][j];
    add(box, "strong", AR ? (dd.na || dd.n) : dd.n);
    var other = AR ? dd.n : dd.na;
    if (other) { add(box, "span", " · " + other, "alt"); }
    if (sid < 0) { add(box, "div", UI.no_record, "state"); return box; }
    var s = D.states[sid], line = C.labels[s[0]];
    if (s[4]) { line = UI.disputed_tip; }
    else if (s[0] === CONTESTED && s[2] >= 0 && s[3] >= 0 && s[1] !== null) {
      line = fmt(UI.holds, {side: C.labels[s[2]], pct: Math.round(s[1] * 100), rest: C.labels[s[3]]});
    }
    add(box, "div", line, "state");
    add(box, "div", fmt(UI.since, {date: dayText(s[5])}));
    add(box, "div", UI.claims + ":");
    var ul = add(box, "ul");
    s[6].forEach(function (c) {
      var t = C.labels[c[0]] + (c[1] !== null ? " (" + Math.round(c[1] * 100) + "%)" : "") + " — " + srcName(c[2]);
      if (c[5]) { t += " (" + fmt(UI.claimant, {who: c[5]}) + ")"; }
      if (c[3]) { t += " [" + fmt(UI.precision, {p: c[3]}) + "]"; }
      if (c[4]) { t += ": " + c[4]; }
      add(ul, "li", t);
    });
    return box;
  }
  for (var j = 0; j < nDist; j++) {
    var rings = D.geom[j].map(function (poly) { return poly.map(decode); });
    var layer = L.polygon(rings, L.extend({renderer: districtRenderer}, styleFor(-1))).addTo(map);
    layer.bindTooltip((function (jj) { return function () { return districtTip(jj); }; })(j), {sticky: true});
    polys.push(layer);
  }
  var bounds = L.featureGroup(polys).getBounds();
  function fit() { map.fitBounds(bounds, {padding: [4, 4], animate: false}); }
  fit();

  // Front line: shared boundaries stored once, selected per day.
  var pairs = D.pairs.map(function (lines) { return lines.map(decode); });
  var frontOpts = L.extend({renderer: frontRenderer, interactive: false}, C.front);
  var front = L.polyline([], frontOpts).addTo(map);
  var frontApprox = L.polyline([], L.extend({}, frontOpts, {dashArray: "6 5", opacity: 0.75})).addTo(map);
  function pick(idx) { var out = []; idx.forEach(function (i) { out = out.concat(pairs[i]); }); return out; }

  var routes = D.routes.map(function (r) {
    var lines = r.g.map(decode), band = null;
    if (r.ap) { band = L.polyline(lines, {renderer: routeRenderer, weight: 13, opacity: 0.3, interactive: false, lineCap: "round"}); }
    var line = L.polyline(lines, {renderer: routeRenderer});
    line.bindTooltip(function () {
      var box = tipBox(), code = r.st[day];
      add(box, "strong", AR ? (r.na || r.n) : r.n);
      var key = {p: "proposed", u: "in use", c: "closed", r: "route"}[code];
      if (key) { add(box, "div", UI[key], "state"); }
      if (r.ap) { add(box, "div", UI.approx_alignment, "state"); }
      if (r.pd) { add(box, "div", r.pd, "alt"); }
      if (r.note) { add(box, "div", r.note); }
      addSources(box, r.s);
      return box;
    }, {sticky: true});
    return {r: r, line: line, band: band};
  });
  var points = D.checkpoints.map(function (c) {
    var m = L.circleMarker([c.y, c.x], {renderer: pointRenderer, radius: c.ap ? 8 : 5, color: "#222222", weight: 2,
      fillColor: "#ffffff", fillOpacity: c.ap ? 0.45 : 1, dashArray: c.ap ? "3 3" : null});
    m.bindTooltip(function () {
      var box = tipBox();
      add(box, "strong", AR ? (c.na || c.n) : c.n);
      if (c.op) { add(box, "div", fmt(UI.operator, {op: c.op})); }
      if (c.from || c.to) { add(box, "div", fmt(UI.active, {start: c.from ? dayText(c.from) : UI.open, end: c.to ? dayText(c.to) : UI.open})); }
      if (c.ap) { add(box, "div", UI.approx_location, "state"); }
      if (c.pd) { add(box, "div", c.pd, "alt"); }
      if (c.note) { add(box, "div", c.note); }
      addSources(box, c.s);
      return box;
    });
    return {c: c, m: m};
  });
  function show(layer, on) { if (on && !map.hasLayer(layer)) { layer.addTo(map); } else if (!on && map.hasLayer(layer)) { map.removeLayer(layer); } }

  var dateEl = document.getElementById("date"), slider = document.getElementById("slider");
  function setDay(i) {
    i = Math.max(0, Math.min(nDays - 1, i | 0));
    var next = grid[i], prev = day >= 0 ? grid[day] : null;
    day = i;
    for (var jj = 0; jj < nDist; jj++) {
      if (prev && prev[jj] === next[jj]) { continue; }
      polys[jj].setStyle(styleFor(next[jj]));
      if (next[jj] >= 0 && D.states[next[jj]][4]) { polys[jj].bringToFront(); }
      if (polys[jj].isTooltipOpen()) { polys[jj].getTooltip().update(); }
    }
    front.setLatLngs(pick(D.front[i][0]));
    frontApprox.setLatLngs(pick(D.front[i][1]));
    routes.forEach(function (o) {
      var code = o.r.st[i], on = code !== "-";
      if (o.band) { show(o.band, on); if (on) { o.band.setStyle({color: C.routeStyles[code].color}); } }
      show(o.line, on);
      if (on) { o.line.setStyle(C.routeStyles[code]); }
    });
    points.forEach(function (o) { show(o.m, o.c.on[i] === "1"); });
    dateEl.textContent = C.dayLabels[i];
    slider.value = String(i);
    return i;
  }

  var timer = null, playBtn = document.getElementById("play");
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    playBtn.innerHTML = "&#9654;";
    playBtn.setAttribute("aria-label", UI.play);
    playBtn.title = UI.play;
  }
  function play() {
    if (day >= nDays - 1) { setDay(0); }
    playBtn.innerHTML = "&#10074;&#10074;";
    playBtn.setAttribute("aria-label", UI.pause);
    playBtn.title = UI.pause;
    timer = setInterval(function () { if (day >= nDays - 1) { stop(); } else { setDay(day + 1); } }, 700);
  }
  function remember() { try { history.replaceState(null, "", "#" + D.days[day]); } catch (e) { /* about:blank */ } }
  playBtn.addEventListener("click", function () { if (timer) { stop(); } else { play(); } });
  slider.addEventListener("input", function () { stop(); setDay(+slider.value); remember(); });

  var start = C.start, wanted = D.days.indexOf(location.hash.slice(1));
  if (!C.static && wanted >= 0) { start = wanted; }
  setDay(start);

  var userMoved = false;
  map.on("dragstart", function () { userMoved = true; });
  map.getContainer().addEventListener("wheel", function () { userMoved = true; }, {passive: true});
  if (window.ResizeObserver) {
    new ResizeObserver(function () { map.invalidateSize({animate: false}); if (!userMoved) { fit(); } }).observe(map.getContainer());
  }
  window.snapshot = {
    days: D.days, setDay: setDay, status: status,
    day: function () { return day; },
    print: function (on) {
      document.body.classList.toggle("print", on !== false);
      map.invalidateSize({animate: false});
      fit();
    },
    ready: true
  };
})();
