"""Screenshots of the reference LGO's web UI with Playwright and Debian's Chromium (STACK-NOTES
"Browser"; never `playwright install`).

Each capture opens a fresh browser context, logs in through the LGO's own login form as the
scenario's current account (password form, or the CPS form with the card already in the reader),
opens the screen and saves a full-page PNG. One browser is launched per run and reused.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from bench.targets.base import DriverSession, slug
from reports.model import Screenshot

CHROMIUM_ENV = "SEGUR_BENCH_CHROMIUM"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=fr-FR",  # French browser widgets (file input, date picker) need Debian's chromium-l10n too
]
# Chromium on Linux also takes its UI language from LANGUAGE.
LAUNCH_ENV = {"LANGUAGE": "fr"}
PAGE_TIMEOUT_MS = 30_000
LOGIN_PATH = "/connexion"
# Screen names a feature may use for the reference LGO; a path starting with "/" is taken as is.
SCREENS: dict[str, str] = {
    "accueil": "/",
    "connexion": LOGIN_PATH,
    "comptes": "/comptes",
    "droits": "/droits",
    "paramètres": "/parametres",
    "piste d'audit": "/audit",
    "mon compte": "/mon-compte",
}


def chromium_path() -> str | None:
    """SEGUR_BENCH_CHROMIUM, else chromium (or chromium-browser) on the PATH (CONVENTIONS)."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screen_path(screen: str) -> str | None:
    if screen.startswith("/"):
        return screen
    return SCREENS.get(screen.strip().lower())


class BrowserCapture:
    def __init__(self, ui_url: str, folder: Path) -> None:
        self.ui_url = ui_url.rstrip("/")
        self.folder = folder
        self.count = 0
        self._playwright: Any = None
        self._browser: Any = None

    def _launch(self) -> Any:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            executable = chromium_path()
            if executable is None:
                raise _CaptureUnavailable(
                    f"Chromium introuvable (installer le paquet Debian chromium ou définir {CHROMIUM_ENV})"
                )
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, headless=True, args=LAUNCH_ARGS, env={**os.environ, **LAUNCH_ENV}
            )
        return self._browser

    def capture(self, screen: str, name: str, session: DriverSession | None) -> Screenshot:
        path = screen_path(screen)
        if path is None:
            known = ", ".join(f"« {s} »" for s in SCREENS)
            return Screenshot(
                name=name, screen=screen, note=f"écran inconnu du LGO de référence (connus : {known})"
            )
        self.count += 1
        file = self.folder / f"{self.count:03d}-{slug(name)}.png"
        try:
            browser = self._launch()
            context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
            try:
                page = context.new_page()
                page.set_default_timeout(PAGE_TIMEOUT_MS)
                if session is not None:
                    self._login(page, session)
                page.goto(self.ui_url + path, wait_until="networkidle")
                self.folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(file), full_page=True)
            finally:
                context.close()
        except _CaptureUnavailable as exc:
            return Screenshot(name=name, screen=screen, note=str(exc))
        except Exception as exc:  # Playwright raises its own Error and TimeoutError types
            return Screenshot(name=name, screen=screen, note=f"capture impossible : {_first_line(exc)}")
        return Screenshot(name=name, screen=screen, file=f"{self.folder.name}/{file.name}")

    def _login(self, page: Any, session: DriverSession) -> None:
        """Through the LGO's login form, as a person would."""
        if not session.secret:
            raise _CaptureUnavailable("connexion à l'interface impossible : secret de la session inconnu")
        page.goto(self.ui_url + LOGIN_PATH, wait_until="networkidle")
        if session.method == "password":
            page.fill("#login", session.login or "")
            page.fill("#password", session.secret)
            page.click("form[action='/connexion'] button[type=submit]")
        else:
            if session.reader:
                page.select_option("#reader", session.reader)
            page.fill("#pin", session.secret)
            page.click("form[action='/connexion/cps'] button[type=submit]")
        page.wait_for_load_state("networkidle")
        if page.url.rstrip("/").endswith(LOGIN_PATH) or page.url.endswith(LOGIN_PATH + "/cps"):
            error = page.locator("#login-error")
            text = error.inner_text() if error.count() else "formulaire de connexion toujours affiché"
            raise _CaptureUnavailable(f"connexion à l'interface refusée : {text}")

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


class _CaptureUnavailable(Exception):
    pass


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
