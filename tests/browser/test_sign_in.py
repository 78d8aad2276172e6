"""A person signs in through the real login page in Chromium."""

from __future__ import annotations


def test_sign_in_in_the_browser(sign_in, page, shot) -> None:
    sign_in("an", ["appraiser"])
    assert "an · Sở Nội vụ" in page.inner_text("header"), "the unit by its name, not its code"
    shot("home-after-sign-in")
    page.click("text=English")
    assert page.inner_text("header button") == "Sign out"
