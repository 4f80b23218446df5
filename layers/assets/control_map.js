/* The control map runtime: draws the payload built by layers/payload.py on a Leaflet map made
 * by folium. Python decides every state, style, legend row and word; this file only draws them.
 * Geometry is decoded once; a day is applied by restyling the districts that differ, so zoom,
 * pan and the open claims panel survive a date change. Every text from the data reaches the page
 * through textContent (or a checked http(s) href), never as HTML.
 *
 * One global: window.ControlMap = {mount, instances}. */
(function () {
  "use strict";
  var SCALE = 1e5, NS = "http://www.w3.org/2000/svg";
  // Where the map's start goes, as the page's own timing marks (`python -m bench.app_slider`
  // prints them): Leaflet has run (this script starts after it), the map is made and mounted,
  // the page's parts are built, the first layout and view, the districts drawn, the labels placed.
  function timing(name) { if (window.performance && performance.mark) { performance.mark(name); } }
  timing("cm-leaflet");

  // A packed integer list (layers.encode.pack): zigzag-coded numbers, five bits a digit, lowest
  // first; a digit worth 32 or more is followed by more of the same number.
  function unpacker(digits) {
    var value = {};
    for (var i = 0; i < digits.length; i++) { value[digits.charAt(i)] = i; }
    return function (s) {
      var out = [], z = 0, f = 1;
      for (var k = 0; k < s.length; k++) {
        var d = value[s.charAt(k)];
        z += (d & 31) * f;
        if (d & 32) { f *= 32; continue; }
        out.push(z % 2 ? -(z + 1) / 2 : z / 2);
        z = 0; f = 1;
      }
      return out;
    };
  }
  function decode(a) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; out.push([y / SCALE, x / SCALE]); }
    return out;
  }
  function fmt(s, v) { return String(s).replace(/\{(\w+)\}/g, function (m, k) { return v[k]; }); }
  function el(parent, tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null && text !== "") { e.textContent = text; }
    if (cls) { e.className = cls; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function svg(parent, tag, attrs) {
    var e = document.createElementNS(NS, tag);
    for (var a in attrs) { if (attrs[a] !== null && attrs[a] !== undefined) { e.setAttribute(a, attrs[a]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function httpUrl(u) { return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null; }
  function typing(target) {
    var t = target && target.tagName;
    return t === "TEXTAREA" || t === "SELECT" || (t === "INPUT" && target.type !== "range") ||
      (target && target.isContentEditable);
  }

  function View(map, P, opts) {
    var self = this, W = P.words, nDays = P.days.length, nDist = P.districts.length, AR = P.lang === "ar";
    var root = document.getElementById(opts.root || "cm-page");
    var ids = P.districts.map(function (d) { return d[0]; });
    this.map = map; this.payload = P; this.days = P.days;
    var listeners = [], playing = null, day = -1, openDistrict = -1, openFeature = null, hashTimer = null;
    // The address keeps the day (#YYYY-MM-DD) once the reader pauses: history calls are slow.
    function rememberDay() { try { history.replaceState(null, "", "#" + P.days[day]); } catch (e) { /* about:blank */ } }

    // Days: every day's state id per district, from the first day and the daily changes. A day
    // is decoded when it is first shown (with the days before it), not all before the first
    // paint (all 400 days of 1,000 districts took about 25 ms there).
    var unpack = unpacker(P.pack);
    var grid = [Int32Array.from(unpack(P.first))];
    function dayRow(d) {
      while (grid.length <= d) {
        var cur = grid[grid.length - 1].slice(), ch = unpack(P.changes[grid.length - 1]);
        for (var k = 0; k < ch.length; k += 2) { cur[ch[k]] = ch[k + 1]; }
        grid.push(cur);
      }
      return grid[d];
    }
    // Each day's districts that changed hands, each state's claims (from the table of claims),
    // each decoded when first asked for; each day's front, from the distinct fronts.
    var changedDays = [], claimLists = [];
    function changedOn(d) {
      if (!changedDays[d]) {
        var s = changedDays[d] = {};
        unpack(P.changed[d]).forEach(function (j) { s[j] = true; });
      }
      return changedDays[d];
    }
    function claimsOf(sid) {
      return claimLists[sid] || (claimLists[sid] = unpack(P.states[sid][7]).map(function (c) { return P.claims[c]; }));
    }
    var frontOf = unpack(P.front);

    // Fill patterns (split stripes, disputed hatching), as SVG the districts refer to by id.
    var defsSvg = svg(document.body, "svg", {width: 0, height: 0, "aria-hidden": "true", "class": "cm-defs"});
    var defs = svg(defsSvg, "defs", {});
    P.patterns.forEach(function (p, i) {
      var pat = svg(defs, "pattern", {id: "cm-pat-" + i, patternUnits: "userSpaceOnUse", width: p.size,
        height: p.size, patternTransform: "rotate(" + p.angle + ")"});
      svg(pat, "rect", {width: p.size, height: p.size, fill: p.background});
      p.bands.forEach(function (b) { svg(pat, "rect", {x: b[0], width: b[1], height: p.size, fill: b[2]}); });
    });
    function pathStyle(i) {
      var s = L.extend({}, P.districtStyle, P.styles[i]);
      if (s.fillPattern !== undefined) { s.fillColor = "url(#cm-pat-" + s.fillPattern + ")"; delete s.fillPattern; }
      return s;
    }
    var styles = P.styles.map(function (s, i) { return pathStyle(i); });
    function styleFor(sid, changed) {
      var s = L.extend({}, styles[sid < 0 ? P.unknownStyle : P.states[sid][6]]);
      if (changed) { L.extend(s, P.changedStyle); }
      return s;
    }

    // Layout: the map goes into its slot in the page; the page's parts are built from words.
    var slot = root.querySelector(".cm-mapslot");
    slot.appendChild(map.getContainer());
    map.getContainer().setAttribute("role", "region");
    map.getContainer().setAttribute("aria-label", W.map_label);
    map.getContainer().setAttribute("dir", "ltr");
    if (map.attributionControl) { map.attributionControl.setPrefix(false); }
    // The map does not take the page's scroll. In a frame (an article, the app) a wheel over the
    // map scrolls the page, and Ctrl or ⌘ with it zooms the map (as a trackpad's pinch does); on a
    // touch screen one finger scrolls the page and two fingers move and zoom the map, while a mouse
    // or pen on it drags as on a computer. Each gesture switches Leaflet's own handler on or off
    // as it starts (a handler switched on then still hears that event: its listener sits on the
    // container, where the event arrives after this capturing one), and a note over the map
    // says how to move it when the other gesture is tried. (A page of its own, with a mouse, keeps
    // Leaflet's wheel zoom: the map fills the window.)
    var gesture = el(map.getContainer(), "div", null, "cm-gesture"), gestureTimer = null;
    gesture.setAttribute("aria-hidden", "true");
    gesture.dir = AR ? "rtl" : "ltr";
    function gestureNote(text) {
      if (gesture.textContent !== text) { gesture.textContent = text; }
      gesture.classList.add("cm-on");
      clearTimeout(gestureTimer);
      gestureTimer = setTimeout(function () { gesture.classList.remove("cm-on"); }, 1500);
    }
    if (window.parent !== window) {
      map.scrollWheelZoom.disable();
      map.getContainer().addEventListener("wheel", function (ev) {
        if (ev.ctrlKey || ev.metaKey) {
          map.scrollWheelZoom.enable();
          gesture.classList.remove("cm-on");
        } else {
          map.scrollWheelZoom.disable();
          gestureNote(W.wheel_hint);
        }
      }, true);
    }
    if (window.matchMedia && matchMedia("(pointer: coarse)").matches) {
      map.dragging.disable();  // (Leaflet's pinch still moves and zooms the map)
      map.getContainer().addEventListener("pointerdown", function (ev) {
        if (ev.pointerType === "touch") { map.dragging.disable(); } else { map.dragging.enable(); }
      }, true);
      map.getContainer().addEventListener("touchmove", function (ev) {
        if (ev.touches.length === 1) { gestureNote(W.touch_hint); }
      }, {passive: true});
    }
    var status = {tiles: !P.tiles};
    if (P.tiles) {
      var tiles = L.tileLayer(P.tiles.url, {maxZoom: 19, attribution: P.tiles.attribution});
      tiles.on("load tileerror", function () { status.tiles = true; });
      tiles.addTo(map);
    }
    function pane(name, z) { map.createPane(name).style.zIndex = z; return L.svg({pane: name, padding: 0.3}); }
    var districtRenderer = L.svg({padding: 0.3});
    var frontRenderer = pane("cm-front", 410), routeRenderer = pane("cm-routes", 420);
    var pointRenderer = pane("cm-points", 430);

    var T = P.text;
    function names(dd) { return AR ? (dd[2] || dd[1]) : dd[1]; }
    function otherName(dd) { return AR ? dd[1] : dd[2]; }
    function stateLine(s) { return T[s[8]]; }
    // A per-day text: a string, or pieces (an index into the text table, or a literal string).
    function told(t) {
      return typeof t === "string" ? t : t.map(function (p) { return typeof p === "number" ? T[p] : p; }).join("");
    }

    // Districts, tooltips (short) and the claims panel (everything).
    var polys = [];
    function tip(j) {
      var box = el(null, "div", null, "cm-tip"), dd = P.districts[j], sid = dayRow(day)[j];
      box.dir = AR ? "rtl" : "ltr";
      el(box, "strong", names(dd));
      if (otherName(dd)) { el(box, "span", " · " + otherName(dd), "cm-alt"); }
      if (sid < 0) { el(box, "div", W.no_record, "cm-state"); return box; }
      var s = P.states[sid];
      el(box, "div", stateLine(s), "cm-state");
      el(box, "div", fmt(W.since, {date: T[s[4]]}) + (s[5] ? " · " + W.basis_inferred : ""));
      return box;
    }
    // The boundaries, each shared one stored once (arcs); a ring joins its arcs end to start.
    var arcs = [], ax = 0, ay = 0;
    P.arcs.forEach(function (packed) {
      var a = unpack(packed);
      ax += a[0]; ay += a[1];
      arcs.push(decode([ax, ay].concat(a.slice(2))));
    });
    function ring(refs) {
      var out = [];
      refs.forEach(function (r, k) {
        var pts = r >= 0 ? arcs[r] : arcs[~r].slice().reverse();
        out = out.concat(k ? pts.slice(1) : pts);
      });
      out.pop();  // the closing point: Leaflet closes rings itself
      return out;
    }
    var shapes = P.geom.map(function (g) {
      return g.map(function (poly) { return poly.map(function (r) { return ring(unpack(r)); }); });
    });
    // A map laid out at no size yet (a closed panel, a frame not shown) is fitted when it gets one.
    // The map has no view until then (see control_map.py), and its size is read from its element:
    // Leaflet keeps the size it first reads until it has a view.
    function sizeNow() { var c = map.getContainer(); return {x: c.clientWidth, y: c.clientHeight}; }
    function sized() { var z = sizeNow(); return z.x > 0 && z.y > 0; }
    var fitting = false, userMoved = false, hasView = false;
    map.whenReady(function () { hasView = true; });
    function fit() {
      if (!sized()) { return; }
      fitting = true;
      map.fitBounds(bounds, {padding: [4, 4], animate: false});
      fitting = false;
    }
    // The shapes go on the map once the page has its final layout and the first view is set
    // (the end of this function), so each is projected once.
    for (var j = 0; j < nDist; j++) {
      var layer = L.polygon(shapes[j], L.extend({renderer: districtRenderer}, styleFor(-1, false)));
      layer.bindTooltip((function (jj) { return function () { return tip(jj); }; })(j),
        {sticky: true, direction: "auto", opacity: 0.95});
      layer.on("click", (function (jj) { return function () { self.openPanel(jj); }; })(j));
      polys.push(layer);
    }
    var bounds = P.focus ? L.latLngBounds([P.focus[0], P.focus[1]], [P.focus[2], P.focus[3]])
      : L.featureGroup(polys).getBounds();

    // Front line: the arcs between two districts, picked per day.
    var pairs = P.pairs.map(function (list) { return unpack(list).map(function (i) { return arcs[i]; }); });
    var front = L.polyline([], L.extend({renderer: frontRenderer, interactive: false}, P.frontStyle)).addTo(map);
    var frontApprox = L.polyline([], L.extend({renderer: frontRenderer, interactive: false},
      P.frontApproxStyle)).addTo(map);
    function pick(list) { var out = []; unpack(list).forEach(function (i) { out = out.concat(pairs[i]); }); return out; }

    function srcName(i) { var s = P.sources[i] || {}; return s.p || s.t || s.k || "?"; }
    // A route (of P.routes: it has a status per day, st) or a checkpoint (of P.checkpoints): its
    // tooltip says what it is that day, short; a click opens all of it in the panel (whole): who
    // ran it, how its place is known, the note and the sources.
    function feature(box, it, tag, whole) {
      var code = it.st && it.st[day];
      if (P.routeWords[code]) { el(box, tag, W[P.routeWords[code]], "cm-state"); }
      if (it.from || it.to) { el(box, tag, fmt(W.active, {start: it.from || W.open, end: it.to || W.open})); }
      if (whole && it.op) { el(box, tag, fmt(W.operator, {op: it.op})); }
      if (it.ap) { el(box, tag, it.st ? W.approx_alignment : W.approx_location, "cm-state"); }
      if (whole && it.pd) { el(box, tag, it.pd, "cm-alt"); }
      if (whole && it.note) { el(box, tag, it.note); }
    }
    function featureTip(layer, it, sticky) {
      layer.bindTooltip(function () {
        var box = el(null, "div", null, "cm-tip");
        box.dir = AR ? "rtl" : "ltr";
        el(box, "strong", AR ? (it.na || it.n) : it.n);
        feature(box, it, "div", false);
        return box;
      }, {sticky: sticky, direction: "auto"});
      layer.on("click", function () { self.openPanel(it); });
    }
    var routes = P.routes.map(function (r) {
      var lines = r.g.map(function (g) { return decode(unpack(g)); }), band = null;
      if (r.ap) { band = L.polyline(lines, L.extend({renderer: routeRenderer, interactive: false}, P.routeBand)); }
      var line = L.polyline(lines, {renderer: routeRenderer});
      featureTip(line, r, true);
      return {r: r, line: line, band: band};
    });
    var points = P.checkpoints.map(function (c) {
      var m = L.circleMarker([c.y, c.x], L.extend({renderer: pointRenderer},
        c.ap ? P.checkpointStyles.approx : P.checkpointStyles.exact));
      featureTip(m, c, false);
      return {c: c, m: m};
    });
    // A tooltip stays whole inside the map. Leaflet puts it beside the pointer (the side with more
    // room) and lets the map's edge cut it, which on a phone or a narrow embed happened to about a
    // quarter of them. Once placed it is moved in with the CSS `translate` (which adds to Leaflet's
    // own placement) and, where it would then cover the pointer, above the pointer or below it.
    var openTip = null, tipFrame = 0;
    function inward(lo, hi, min, max) { return lo < min ? min - lo : hi > max ? max - hi : 0; }
    function keepInside(box) {
      box.style.translate = "";
      var c = map.getContainer().getBoundingClientRect(), r = box.getBoundingClientRect();
      var p = map.latLngToContainerPoint(openTip.getLatLng()), y = c.top + p.y;
      var dx = inward(r.left, r.right, c.left + 4, c.right - 4), x = c.left + p.x - dx, dy = 0;
      if (dx && x > r.left - 12 && x < r.right + 12) {
        dy = y - 16 - r.height > c.top ? y - 12 - r.bottom : y + 12 - r.top;
      }
      dy += inward(r.top + dy, r.bottom + dy, c.top + 4, c.bottom - 4);
      box.style.translate = dx + "px " + dy + "px";
      box.classList.toggle("cm-moved", !!(dx || dy));  // its arrow would point elsewhere
    }
    function placeTip() {  // once a frame, after Leaflet's own handlers placed it
      tipFrame = tipFrame || requestAnimationFrame(function () {
        var box = openTip && openTip.getElement();
        tipFrame = 0;
        if (box) { keepInside(box); }
      });
    }
    map.on("tooltipopen tooltipclose", function (e) { openTip = e.type === "tooltipopen" ? e.tooltip : null; });
    map.on("tooltipopen mousemove zoomend moveend resize", placeTip);

    function setText(node, text) { if (node.textContent !== text) { node.textContent = text; } }
    function show(layer, on) {
      if (on && !map.hasLayer(layer)) { layer.addTo(map); } else if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
    }

    // Place labels: as many as fit at this zoom, most important first; they never take a tap.
    // All of them sit in one box in their own pane (one layer to composite, not one per label),
    // placed in the map's layer coordinates, so they move with the map while it is dragged.
    var labelBox = L.DomUtil.create("div", "cm-label-layer", map.createPane("cm-labels"));
    map.getPane("cm-labels").style.zIndex = 450;
    var labelAt = decode(unpack(P.labelAt));
    // A label is out of the page until it fits: the many that never fit are never laid out.
    var labels = P.labels.map(function (l, k) {
      var node = el(null, "span", l[0], l[1] ? "cm-label cm-landmark" : "cm-label");
      node.style.display = "none";
      return {at: L.latLng(labelAt[k]), node: node, w: 0, h: 0, shown: false};
    });
    // Each label's size, once, from the text metrics of the font its style gives it (and of its
    // ::before mark), not from a layout of every label: placing a thousand labels took 110 ms of
    // style and layout, most of it for labels that do not fit. Boxes keep a margin (placeLabels).
    var metrics = null, fonts = {};
    function fontOf(cs) { return cs.fontStyle + " " + cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily; }
    function sizeLabels() {
      labels.forEach(function (o) {
        if (o.w) { return; }
        var f = fonts[o.node.className];
        if (!f) {
          var cs = getComputedStyle(o.node), mark = getComputedStyle(o.node, "::before");
          var text = /^["'](.*)["']$/.exec(mark.content || "");
          f = fonts[o.node.className] = {font: fontOf(cs), h: Math.round(parseFloat(cs.lineHeight) ||
            1.2 * parseFloat(cs.fontSize)), mark: text ? text[1] : "", markFont: fontOf(mark)};
        }
        metrics = metrics || document.createElement("canvas").getContext("2d");
        metrics.font = f.font;
        var w = metrics.measureText(o.node.textContent).width;
        if (f.mark) { metrics.font = f.markFont; w += metrics.measureText(f.mark).width; }
        o.w = Math.ceil(w); o.h = f.h;
      });
    }
    function placeLabels() {
      if (!hasView || !sized()) { return; }
      var size = map.getSize(), taken = [];
      labelBox.style.display = "";
      sizeLabels();
      labels.forEach(function (o) {
        var p = map.latLngToContainerPoint(o.at);
        var r = [p.x - o.w / 2 - 2, p.y - o.h / 2 - 1, p.x + o.w / 2 + 2, p.y + o.h / 2 + 1];
        var fits = o.w > 0 && r[0] >= 0 && r[1] >= 0 && r[2] <= size.x && r[3] <= size.y &&
          !taken.some(function (t) { return r[0] < t[2] && r[2] > t[0] && r[1] < t[3] && r[3] > t[1]; });
        if (fits) {
          taken.push(r);
          var at = map.latLngToLayerPoint(o.at);
          o.node.style.left = at.x + "px";
          o.node.style.top = at.y + "px";
        }
        // Out of the page, not merely invisible: hidden labels would still be laid out.
        if (fits !== o.shown) { o.node.style.display = fits ? "" : "none"; }
        o.shown = fits;
      });
    }
    // While the map zooms the labels are away (their places are the old zoom's), back at its end.
    map.on("zoomstart", function () { labelBox.style.display = "none"; });
    this.labelBoxes = function () {
      return labels.filter(function (o) { return o.shown; }).map(function (o) {
        var b = o.node.getBoundingClientRect();
        return {text: o.node.textContent, left: b.left, top: b.top, right: b.right, bottom: b.bottom};
      });
    };

    // North arrow (the map is always north-up) and the locator inset beside the map.
    var North = L.Control.extend({options: {position: "topright"}, onAdd: function () {
      var box = L.DomUtil.create("div", "cm-north");
      box.setAttribute("role", "img"); box.setAttribute("aria-label", W.north_label); box.title = W.north_label;
      // (room under the letter's baseline: the Arabic letter reaches below it)
      var s = svg(box, "svg", {width: 24, height: 38, viewBox: "0 0 24 38"});
      svg(s, "path", {d: "M12 1 L20 21 L12 16 L4 21 Z", fill: "currentColor"});
      svg(s, "text", {x: 12, y: 32, "text-anchor": "middle", "font-size": 11, "font-weight": 700,
        fill: "currentColor"}).textContent = W.north;
      return box;
    }});
    new North().addTo(map);
    var inset = root.querySelector(".cm-locator");
    if (inset && P.locator && P.locator.shapes.length) {
      var F = P.locator.frame, k = Math.cos((F[1] + F[3]) / 2 * Math.PI / 180), IW = 170;
      var IH = Math.round(IW * (F[3] - F[1]) / ((F[2] - F[0]) * k));
      var pt = function (lon, lat) { return [(lon - F[0]) / (F[2] - F[0]) * IW, (F[3] - lat) / (F[3] - F[1]) * IH]; };
      var map2 = svg(inset, "svg", {width: IW, height: IH, viewBox: "0 0 " + IW + " " + IH, role: "img",
        "aria-label": W.locator, "class": "cm-locator-map"});
      P.locator.shapes.forEach(function (polys, n) {
        var d = polys.map(function (poly) {
          return poly.map(function (ring) {
            return "M" + decode(unpack(ring)).map(function (ll) { return pt(ll[1], ll[0]).map(function (v) { return v.toFixed(1); }).join(" "); }).join("L") + "Z";
          }).join("");
        }).join("");
        svg(map2, "path", {d: d, "class": n === 0 && P.locator.home ? "cm-loc-home" : "cm-loc-other"});
      });
      var B = P.locator.place, a = pt(B[0], B[3]), b = pt(B[2], B[1]);
      var cx = (a[0] + b[0]) / 2, cy = (a[1] + b[1]) / 2, half = Math.max(4, (b[0] - a[0]) / 2, (b[1] - a[1]) / 2);
      svg(map2, "rect", {x: cx - half, y: cy - half, width: 2 * half, height: 2 * half, "class": "cm-loc-place"});
      el(inset, "figcaption", W.locator_credit);
    }

    // The date control: slider, previous/next, play with speed, the day written out.
    var ctl = root.querySelector(".cm-controls");
    var prevBtn = el(ctl, "button", "◀", "cm-btn cm-prev"), nextBtn = el(ctl, "button", "▶", "cm-btn cm-next");
    var playBtn = el(ctl, "button", "▶", "cm-btn cm-play"), slider = el(ctl, "input", null, "cm-slider");
    nextBtn.textContent = AR ? "◀" : "▶"; prevBtn.textContent = AR ? "▶" : "◀";
    [prevBtn, playBtn, nextBtn].forEach(function (b) { b.type = "button"; });
    prevBtn.setAttribute("aria-label", W.prev); prevBtn.title = W.prev;
    nextBtn.setAttribute("aria-label", W.next); nextBtn.title = W.next;
    slider.type = "range"; slider.min = "0"; slider.max = String(nDays - 1); slider.step = "1";
    slider.setAttribute("role", "slider");
    slider.setAttribute("aria-label", W.slider);
    var speedBox = el(ctl, "label", null, "cm-speed"), speedSel = el(null, "select");
    el(speedBox, "span", W.speed + " ");
    speedBox.appendChild(speedSel);
    (opts.speeds || [0.5, 1, 2, 4]).forEach(function (n) {
      var o = el(speedSel, "option", fmt(W.speed_unit, {n: n}));
      o.value = String(n);
      if (n === (opts.speed || 1)) { o.selected = true; }
    });
    var dateEl = root.querySelector(".cm-date"), captionEl = root.querySelector(".cm-caption");
    var citeEl = root.querySelector(".cm-cite"), descEl = document.getElementById(root.id + "-desc");
    var tbody = root.querySelector(".cm-states tbody"), textTimer = null;
    if (descEl) { map.getContainer().setAttribute("aria-describedby", descEl.id); }
    // The text alternative and the table of states for screen readers, once the reader pauses.
    // The table's rows are made once; a pause rewrites only the cells of districts whose state
    // differs from the day the table last showed (a rebuild of a thousand rows took the page
    // 170 ms of layout on every pause).
    var cells = null, described = null;
    function stateCells(sid) {
      var s = sid >= 0 ? P.states[sid] : null;
      if (!s) { return [W.no_record, "", "", ""]; }
      return [stateLine(s), T[s[4]], s[5] ? W.basis_inferred : W.basis_sourced,
        claimsOf(sid).map(function (c) { return srcName(c[2]); }).filter(function (v, k, a) {
          return a.indexOf(v) === k; }).join(", ")];
    }
    function describeDay() {
      if (descEl) { descEl.textContent = [told(P.summaries[day]), told(P.captions[day]), P.rangeNote].join(" "); }
      if (!tbody) { return; }
      var now = dayRow(day), jj, k, text;
      if (!cells) {
        cells = [];
        var rows = document.createDocumentFragment();
        for (jj = 0; jj < nDist; jj++) {
          var tr = el(rows, "tr");
          el(tr, "th", names(P.districts[jj])).setAttribute("scope", "row");
          text = stateCells(now[jj]);
          cells.push(text.map(function (t) { return el(tr, "td", t); }));
        }
        tbody.textContent = "";
        tbody.appendChild(rows);
      } else {
        for (jj = 0; jj < nDist; jj++) {
          if (described[jj] === now[jj]) { continue; }
          text = stateCells(now[jj]);
          for (k = 0; k < text.length; k++) { setText(cells[jj][k], text[k]); }
        }
      }
      described = now;
    }
    var keysEl = root.querySelector(".cm-keys");
    if (keysEl) { keysEl.textContent = W.keys; }

    // The legend: rows and swatches drawn from the styles the map draws with.
    var legend = root.querySelector(".cm-legend");
    var details = el(legend, "details");
    details.open = !opts.legendClosed;
    el(details, "summary", W.legend);
    var ul = el(details, "ul");
    P.legend.forEach(function (row) {
      var li = el(ul, "li"), sw = row.swatch, st = sw.kind === "fill" ? styles[sw.style] : sw.style;
      var box = svg(li, "svg", {width: 26, height: 16, "class": "cm-sw", "aria-hidden": "true",
        "data-kind": sw.kind});
      if (sw.kind === "fill") {
        svg(box, "rect", {x: 1, y: 1, width: 24, height: 14, fill: st.fillColor, "fill-opacity": st.fillOpacity,
          stroke: P.swatchOutline.color, "stroke-width": P.swatchOutline.weight});
      } else if (sw.kind === "dot") {
        svg(box, "circle", {cx: 13, cy: 8, r: Math.min(st.radius, 6.5), fill: st.fillColor,
          "fill-opacity": st.fillOpacity, stroke: st.color, "stroke-width": st.weight, "stroke-dasharray": st.dashArray});
      } else {
        var band = sw.kind === "band";
        svg(box, "line", {x1: 2, y1: 8, x2: 24, y2: 8, stroke: st.color,
          "stroke-width": Math.min(st.weight, band ? 12 : 5), "stroke-opacity": st.opacity,
          "stroke-dasharray": st.dashArray, "stroke-linecap": band ? "round" : null});
      }
      li.setAttribute("data-style", sw.kind === "fill" ? String(sw.style) : "");
      el(li, "span", row.label);
    });

    // The claims panel: every claim on the chosen district and day, never clipped (it scrolls).
    var panel = root.querySelector(".cm-panel");
    function claimItem(list, c) {
      var li = el(list, "li");
      var head = T[c[0]] + " — " + (c[4] != null ? fmt(W.share, {pct: Math.round(c[4] * 100)}) : W.whole);
      el(li, "div", head, "cm-claim-side");
      var bits = [fmt(W.dated, {date: T[c[1]]})];
      if (c[5] != null) { bits.push(T[c[5]]); }
      if (c[6]) { bits.push(fmt(W.claimant, {who: c[6]})); }
      el(li, "div", bits.join(" · "), "cm-claim-meta");
      source(li, c[2]);
      if (c[3] != null) { el(li, "div", T[c[3]], "cm-claim-note"); }
    }
    function source(li, i) {
      var src = P.sources[i] || {}, line = el(li, "div", null, "cm-claim-src");
      var title = src.t || src.k || "?", url = httpUrl(src.url);
      el(line, "span", fmt(W.source, {src: ""}));
      if (url) {
        var a = el(line, "a", title);
        a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
      } else { el(line, "span", title); }
      var meta = [src.p, src.d].filter(Boolean).join(", ");
      if (meta) { el(line, "span", " (" + meta + ")"); }
    }
    function renderPanel() {
      var it = openFeature, dd = P.districts[openDistrict], sid = dd && dayRow(day)[openDistrict];
      panel.textContent = "";
      if (!dd && !it) { el(panel, "p", W.panel_hint, "cm-hint"); return; }
      var name = it ? [AR ? it.na || it.n : it.n, AR ? it.n : it.na] : [names(dd), otherName(dd)];
      var head = el(panel, "div", null, "cm-panel-head");
      el(head, "h2", name[0] + (name[1] && name[1] !== name[0] ? " · " + name[1] : ""));
      var close = el(head, "button", "×", "cm-btn cm-close");
      close.type = "button"; close.setAttribute("aria-label", W.close); close.title = W.close;
      close.addEventListener("click", function () { self.openPanel(-1); });
      el(panel, "p", P.dayLabels[day], "cm-panel-day");
      if (it) {
        feature(panel, it, "p", true);
        if (it.s.length) {
          el(panel, "h3", W.sources);
          var items = el(panel, "ul", null, "cm-claims");
          it.s.forEach(function (i) { source(el(items, "li"), i); });
        }
        return;
      }
      if (sid < 0) { el(panel, "p", W.no_record, "cm-state"); return; }
      var s = P.states[sid];
      el(panel, "p", stateLine(s), "cm-state");
      el(panel, "p", fmt(W.since, {date: T[s[4]]}) + " · " + (s[5] ? W.basis_inferred : W.basis_sourced));
      el(panel, "h3", W.claims);
      var list = el(panel, "ol", null, "cm-claims");
      claimsOf(sid).forEach(function (c) { claimItem(list, c); });
    }
    // A district (its index or id; -1 closes the panel), or a route or checkpoint of the payload.
    this.openPanel = function (j) {
      openFeature = typeof j === "object" ? j : null;
      openDistrict = typeof j === "string" ? ids.indexOf(j) : typeof j === "number" ? j : -1;
      renderPanel();
      if ((openFeature || openDistrict >= 0) && panel.parentNode.scrollTo) { panel.parentNode.scrollTo(0, 0); }
      emit("district");
    };

    function emit(kind) {
      listeners.forEach(function (cb) { try { cb(kind, self); } catch (e) { /* a listener's own error */ } });
    }

    this.setDay = function (i, quiet) {
      i = Math.max(0, Math.min(nDays - 1, i | 0));
      var next = dayRow(i), prev = day >= 0 ? dayRow(day) : null, nowCh = changedOn(i), wasCh = day >= 0 ? changedOn(day) : {};
      var before = day;
      day = i;
      for (var jj = 0; jj < nDist; jj++) {
        if (prev && prev[jj] === next[jj] && !nowCh[jj] === !wasCh[jj]) { continue; }
        polys[jj].setStyle(styleFor(next[jj], nowCh[jj]));
        if (nowCh[jj]) { polys[jj].bringToFront(); }
        if (polys[jj].isTooltipOpen()) { polys[jj].getTooltip().setContent(tip(jj)); }
      }
      if (openTip) { placeTip(); }  // its text may have changed its size
      // The front is redrawn only when it moves (a packed list is one string to compare).
      var fr = P.fronts[frontOf[i]], old = before >= 0 ? P.fronts[frontOf[before]] : null;
      if (!old || old[0] !== fr[0]) { front.setLatLngs(pick(fr[0])); }
      if (!old || old[1] !== fr[1]) { frontApprox.setLatLngs(pick(fr[1])); }
      // Routes, checkpoints and words are touched only where they change: a write the page
      // must restyle or lay out again costs more than the comparison.
      routes.forEach(function (o) {
        var code = o.r.st[i], on = code !== "-";
        if (before >= 0 && o.r.st[before] === code) { return; }
        if (o.band) { show(o.band, on); if (on) { o.band.setStyle({color: P.routeStyles[code].color}); } }
        show(o.line, on);
        if (on) { o.line.setStyle(P.routeStyles[code]); }
        if (on && o.line.isTooltipOpen()) { o.line.getTooltip().update(); }  // its status, that day
      });
      points.forEach(function (o) { show(o.m, o.c.on[i] === "1"); });
      dateEl.textContent = P.dayLabels[i];
      setText(captionEl, told(P.captions[i]));
      if (citeEl && P.citations) { setText(citeEl, told(P.citations[i])); }
      clearTimeout(textTimer);
      if (self.ready) { textTimer = setTimeout(describeDay, 150); }  // (the first: after the first paint)
      slider.value = String(i);
      slider.setAttribute("aria-valuetext", P.dayLabels[i]);
      prevBtn.disabled = i === 0; nextBtn.disabled = i === nDays - 1;
      // a route or checkpoint not drawn on the new day closes its panel
      var it = openFeature;
      if (it && (it.st ? it.st[i] === "-" : it.on[i] !== "1")) { openFeature = null; }
      if (openDistrict >= 0 || it) { renderPanel(); }
      if (opts.hash) { clearTimeout(hashTimer); hashTimer = setTimeout(rememberDay, 250); }
      if (!quiet) { emit("day"); }
      return i;
    };
    this.day = function () { return day; };
    this.isoDay = function () { return P.days[day]; };
    this.onChange = function (cb) { listeners.push(cb); };
    this.step = function (n) { self.stop(); return self.setDay(day + n); };

    function setPlayLabel(on) {
      playBtn.textContent = on ? "❚❚ " + W.pause : "▶ " + W.play;
      playBtn.setAttribute("aria-label", on ? W.pause : W.play);
      playBtn.title = on ? W.pause : W.play;
      playBtn.setAttribute("aria-pressed", on ? "true" : "false");
    }
    this.stop = function () { if (playing) { clearInterval(playing); playing = null; setPlayLabel(false); } };
    this.play = function () {
      if (playing) { return; }
      if (day >= nDays - 1) { self.setDay(0); }
      setPlayLabel(true);
      playing = setInterval(function () {
        if (day >= nDays - 1) { self.stop(); } else { self.setDay(day + 1); }
      }, 1000 / (+speedSel.value || 1));
    };
    this.toggle = function () { if (playing) { self.stop(); } else { self.play(); } };
    speedSel.addEventListener("change", function () { if (playing) { self.stop(); self.play(); } });
    prevBtn.addEventListener("click", function () { self.step(-1); });
    nextBtn.addEventListener("click", function () { self.step(1); });
    playBtn.addEventListener("click", function () { self.toggle(); });
    slider.addEventListener("input", function () { self.stop(); self.setDay(+slider.value); });
    // Keys on the slider are ours: a day per arrow, a week per page, the ends with Home/End.
    slider.addEventListener("keydown", function (ev) {
      var back = AR ? "ArrowRight" : "ArrowLeft", fwd = AR ? "ArrowLeft" : "ArrowRight";
      var moves = {Home: -nDays, End: nDays, PageUp: -7, PageDown: 7, ArrowDown: -1, ArrowUp: 1};
      moves[back] = -1; moves[fwd] = 1;
      if (!(ev.key in moves) || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
      ev.preventDefault();
      self.step(moves[ev.key]);
    });
    this.handleKey = function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || typing(ev.target)) { return false; }
      if (ev.key === ",") { self.step(-1); } else if (ev.key === ".") { self.step(1); } else if (ev.key === "k" || ev.key === "K") {
        self.toggle();
      } else { return false; }
      ev.preventDefault();
      return true;
    };
    document.addEventListener("keydown", function (ev) { self.handleKey(ev); });

    // What tests and the snapshot renderer read: drawn styles through Leaflet's public options.
    this.styleOf = function (id) {
      var jj = ids.indexOf(id);
      if (jj < 0) { return null; }
      var o = polys[jj].options, sid = dayRow(day)[jj];
      return {fillColor: o.fillColor, fillOpacity: o.fillOpacity, color: o.color, weight: o.weight,
        opacity: o.opacity, dashArray: o.dashArray || null,
        state: sid < 0 ? null : P.codes[P.states[sid][0]],
        changed: !!changedOn(day)[jj]};
    };
    this.legendStyles = function () {
      return P.legend.map(function (row) {
        var st = row.swatch.kind === "fill" ? styles[row.swatch.style] : row.swatch.style;
        return {label: row.label, kind: row.swatch.kind, fillColor: st.fillColor || null,
          fillOpacity: st.fillOpacity === undefined ? null : st.fillOpacity, color: st.color || null};
      });
    };
    this.status = status;
    this.fit = fit;
    this.print = function (on) {
      document.body.classList.toggle("cm-print", on !== false);
      map.invalidateSize({animate: false});
      fit();
      placeLabels();
    };

    var start = opts.start !== undefined ? opts.start : P.start;
    if (opts.hash) {
      var wanted = P.days.indexOf(location.hash.slice(1));
      if (wanted >= 0) { start = wanted; }
    }
    // The day's words written and every part of the page built, the layout is final: set the
    // first view, then draw the districts and labels.
    timing("cm-built");
    this.setDay(start, true);
    renderPanel();
    setPlayLabel(false);
    map.invalidateSize({animate: false, pan: false});  // (a map given with a view of its own)
    fit();
    timing("cm-fitted");
    map.whenReady(function () {  // now, or when a map with no size yet gets one (its first view)
      polys.forEach(function (p) { p.addTo(map); });
      polys.forEach(function (p, jj) { if (changedOn(day)[jj]) { p.bringToFront(); } });
    });
    timing("cm-drawn");
    labels.forEach(function (o) { labelBox.appendChild(o.node); });
    map.on("zoomend moveend resize", placeLabels);
    placeLabels();
    timing("cm-labelled");
    // Once the view moves for any reason but our own fitting, a resize keeps it (never refits).
    map.on("movestart zoomstart", function () { if (!fitting) { userMoved = true; } });
    if (window.ResizeObserver) {
      var seenSize = sizeNow();
      new ResizeObserver(function () {
        // Called once on observing, and on every size change: only a new size needs any work.
        var now = sizeNow();
        if (now.x === seenSize.x && now.y === seenSize.y) { return; }
        var moved = userMoved;
        map.invalidateSize({animate: false});
        userMoved = moved;  // a new size is not the reader moving the map
        if (!userMoved) { fit(); }
        placeLabels();
        seenSize = now;
      }).observe(map.getContainer());
    }
    this.ready = true;
    // When the first frame with the map was painted (a task queued from the frame's callback runs
    // after that frame's paint): what the benchmarks time.
    requestAnimationFrame(function () { setTimeout(function () { self.readyAt = Date.now(); }, 0); });
    // The text alternative and the screen readers' table are first written after the first paint,
    // when the page is idle. (A timer set at the mount's start could fire as soon as a long mount
    // ended, ahead of the task after the first paint; the table's first layout takes 50-90 ms at
    // 1,000 districts, 8-15 ms on the bundled data.)
    function firstText() { if (!cells) { describeDay(); } }
    requestAnimationFrame(function () {
      if (window.requestIdleCallback) { requestIdleCallback(firstText, {timeout: 1000}); } else { setTimeout(firstText, 1); }
    });
  }

  window.ControlMap = {
    instances: [],
    mount: function (map, payload, opts) {
      timing("cm-mount");
      var view = new View(map, payload, opts || {});
      this.instances.push(view);
      return view;
    }
  };
})();
