"""Whether text on a page can be read: the WCAG contrast of an element's computed colour against the background
actually behind it (the first ancestor that paints one), measured in the browser."""

from __future__ import annotations

from typing import Any

__all__ = ["contrast", "illegible"]

#: (colour, background) of an element as the browser computes them, both as [r, g, b]
_COLOURS = """(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 4).map(Number);
  let node = element, background = null;
  while (node && node.nodeType === 1) {
    const found = rgb(getComputedStyle(node).backgroundColor);
    if (found.length < 4 || found[3] > 0) { background = found.slice(0, 3); break; }
    node = node.parentElement;
  }
  return [rgb(getComputedStyle(element).color).slice(0, 3), background || [255, 255, 255]];
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(locator: Any) -> float:
    """The contrast ratio (1 to 21) of the element's text against what is behind it."""
    colour, background = locator.evaluate(_COLOURS)
    light, dark = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def illegible(page: Any, selector: str, minimum: float = 4.5) -> list[str]:
    """The texts of the elements matching ``selector`` whose contrast is below ``minimum`` (WCAG AA)."""
    found = page.locator(selector)
    assert found.count() > 0, f"nothing matches {selector}"
    return [
        f"{found.nth(i).inner_text()!r}: {contrast(found.nth(i)):.2f}"
        for i in range(found.count())
        if contrast(found.nth(i)) < minimum
    ]
