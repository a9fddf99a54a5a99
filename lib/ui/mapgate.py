"""Maps that let the page scroll: the wheel and one-finger swipes over a map move the page, unless
the reader has clicked into that map (or holds Ctrl, or uses two fingers).

deck.gl takes every wheel event and every touch over its canvas (``touch-action: none``), so a
leader scrolling down a page stopped on the map and zoomed it to a speck, and a phone's vertical
swipe panned it. deck.gl's controller options switch zooming on or off but cannot make it wait for a
click or a key, and Streamlit passes no other Deck property through. This script runs in the page
itself (st.html, not an iframe): it stops an unclaimed wheel event before deck.gl sees it (the
browser then scrolls the page, nothing having called preventDefault), and a style sheet gives
touches on an unclaimed map back to the browser for panning the page while two-finger pinches
still reach the map. Listeners sit on the document, so maps drawn after the script (reruns, other
pages) are covered, and a second copy of the script replaces the first.
"""
from __future__ import annotations

import json

import streamlit as st

ACTIVE_CLASS = "hs-map-active"
MAP_SELECTOR = '[data-testid="stDeckGlJsonChart"]'

GATE_HTML = """<style>
%(map)s:not(.%(active)s) canvas, %(map)s:not(.%(active)s) div {
  touch-action: pan-x pan-y !important;
}
%(map)s.%(active)s { outline: 2px solid #2c7fb8; outline-offset: 1px; }
</style>
<script>
(() => {
  const MAP = %(map_js)s, ACTIVE = %(active_js)s;
  const chartOf = (t) => (t && t.closest) ? t.closest(MAP) : null;
  const old = window.__halfskyMapGate;
  if (old) {
    document.removeEventListener("pointerdown", old.down, true);
    document.removeEventListener("wheel", old.wheel, true);
  }
  const gate = {
    // A press inside a map claims it; a press anywhere else releases every claimed map.
    down: (e) => {
      const chart = chartOf(e.target);
      document.querySelectorAll(MAP + "." + ACTIVE).forEach((c) => {
        if (c !== chart) c.classList.remove(ACTIVE);
      });
      if (chart) chart.classList.add(ACTIVE);
    },
    // Over an unclaimed map without Ctrl, deck.gl never hears of the wheel: the page scrolls.
    wheel: (e) => {
      const chart = chartOf(e.target);
      if (!chart || e.ctrlKey || chart.classList.contains(ACTIVE)) return;
      e.stopPropagation();
    },
  };
  document.addEventListener("pointerdown", gate.down, true);
  document.addEventListener("wheel", gate.wheel, {capture: true, passive: true});
  window.__halfskyMapGate = gate;
})();
</script>"""


def gate_html() -> str:
    """The style sheet and script above, filled in."""
    return GATE_HTML % {"map": MAP_SELECTOR, "active": ACTIVE_CLASS,
                        "map_js": json.dumps(MAP_SELECTOR), "active_js": json.dumps(ACTIVE_CLASS)}


def install() -> None:
    """Put the gate on the page (once per map is harmless: the last copy replaces the others)."""
    st.html(gate_html(), unsafe_allow_javascript=True)
