"""The UI in headless Debian Chromium (Playwright, never a downloaded browser): password login,
logout, CPS login through the bench reader, a settings change, and that change found in the audit
trail page. Screenshots land in the test's tmp dir."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _lgo_support import PASSWORD, CardSet, lgo_process, seed_payload, trust_dirs
from playwright.sync_api import Browser, expect, sync_playwright

from protocols.pki import TestPKI
from simulators.cards.bench_reader import BenchReaderServer
from simulators.cards.models import CardManager

pytestmark = pytest.mark.browser
# STACK-NOTES: Debian Chromium with these flags; `playwright install` is never run.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--lang=fr-FR"]  # fmt: skip


def chromium_path() -> str:
    path = (
        os.environ.get("SEGUR_BENCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail("Chromium introuvable (paquet Debian chromium, ou SEGUR_BENCH_CHROMIUM)")
    return path


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def lgo_url(tmp_path: Path, lgo_pki: tuple[TestPKI, Path], lgo_cards: CardSet) -> Iterator[str]:
    manager = CardManager(lgo_cards.catalog, ["Banc Segur 00 00", "Banc Segur 00 01"], {1: "cps-titulaire"})
    manager.reset()
    reader = BenchReaderServer(manager, ("127.0.0.1", 0))
    reader.start()
    pki, export = lgo_pki
    trust = trust_dirs(export, tmp_path / "trust", pki, [lgo_cards.revoked_serial])
    try:
        with lgo_process(tmp_path, {"SEGUR_BENCH_CARDS": "bench"}) as base:
            seeded = httpx.post(
                base + "/driver/v1/seed",
                json=seed_payload(card_reader_mode="bench", bench_reader_address=reader.address, **trust),
            )
            assert seeded.status_code == 200, seeded.text
            yield base
    finally:
        reader.stop()


def test_password_then_cps_login_settings_change_and_audit_trail(
    browser: Browser, lgo_url: str, tmp_path: Path
) -> None:
    page = browser.new_page(base_url=lgo_url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    console_errors: list[str] = []  # CSP violations and script errors show up here
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )

    # Password login, by the labels a screen reader announces.
    page.goto("/connexion")
    expect(page).to_have_title(re.compile("Connexion"))
    page.screenshot(path=str(tmp_path / "0-connexion.png"), full_page=True)
    page.get_by_label("Identifiant", exact=True).fill("titulaire")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Claire Titulaire")
    page.screenshot(path=str(tmp_path / "1-accueil.png"), full_page=True)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")

    # CPS login: the reader shows the card, the PIN is typed.
    expect(page.get_by_label("Lecteur de carte")).to_contain_text("Banc Segur 00 01 — carte présente")
    page.get_by_label("Lecteur de carte").select_option("Banc Segur 00 01")
    page.get_by_label("Code porteur (4 chiffres)").fill("1234")
    page.get_by_role("button", name="Se connecter avec la carte").click()
    expect(page.get_by_text("Claire Titulaire · Pharmacien titulaire · carte CPS")).to_be_visible()

    # A settings change.
    page.get_by_role("link", name="Paramètres").click()
    name = page.get_by_label("Nom de l'officine")
    expect(name).to_have_value("Pharmacie du Banc")
    name.fill("Pharmacie des Écluses")
    page.get_by_role("button", name="Enregistrer les paramètres").click()
    expect(page.get_by_role("status")).to_have_text("Paramètres enregistrés.")
    page.screenshot(path=str(tmp_path / "2-parametres.png"), full_page=True)

    # The change in the audit trail, filtered through htmx.
    page.get_by_role("link", name="Piste d'audit").click()
    page.get_by_label("Compte").fill("titulaire")
    page.get_by_label("Action").select_option("parametres.modifier")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#audit-results caption")).to_have_text("1 évènement(s)")
    row = page.locator("#audit-results tbody tr").first
    expect(row).to_contain_text("Modification des paramètres")
    expect(row).to_contain_text("Claire Titulaire (titulaire)")
    expect(row).to_contain_text("idNatPS")
    row.get_by_text("Avant / après").click()
    expect(row.locator("del")).to_have_text("Pharmacie du Banc")
    expect(row.locator("ins")).to_have_text("Pharmacie des Écluses")
    assert (
        "compte=titulaire&action=parametres.modifier" in page.url
    )  # hx-push-url keeps the filter in the address
    page.screenshot(path=str(tmp_path / "3-piste-audit.png"), full_page=True)
    assert (tmp_path / "3-piste-audit.png").stat().st_size > 10_000
    assert console_errors == []
