"""Signing in to the staff workspace through its login page, as a person would."""

from __future__ import annotations

from typing import Any


def sign_in(page: Any, advisory_url: str, email: str, password: str) -> None:
    page.goto(f"{advisory_url}/login")
    email_field = page.locator("input[type=email], input[name=email], input[name=username]").first
    email_field.fill(email)
    page.locator("input[type=password]").first.fill(password)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    cookies = {c["name"] for c in page.context.cookies()}
    assert "koonto_staff" in cookies, f"sign-in failed; page says: {page.inner_text('main')[:500]}"
