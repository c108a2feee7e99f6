"""`pki export DIR`: copies the test PKI into the layout of CONVENTIONS, with a French README."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from protocols.pki import profiles, store
from protocols.pki.profiles import TRUSTED_CAS

if TYPE_CHECKING:
    from protocols.pki.testpki import Credential, TestPKI

CLIENT_ROLES = {
    "insi-auto": "INSi, appels automatiques (certificat logiciel, CN INSI-AUTO)",
    "insi-manu": "INSi, appels déclenchés par un utilisateur (CN INSI-MANU)",
    "org-auth": "authentification de l'organisation : DMP, e-prescription, MVS, DP (TLS client)",
    "org-sign": "signature de l'organisation : assertion VIHF, XAdES",
    "insi-auto-expired": "NÉGATIF : INSI-AUTO expiré (validité entièrement passée)",
    "insi-auto-revoked": "NÉGATIF : INSI-AUTO révoqué (listé dans la CRL ORGANISATIONS)",
    "insi-auto-wrong-ca": "NÉGATIF : INSI-AUTO émis par une AC non reconnue (TEST AC INCONNUE)",
}


def _copy(source: Path, target: Path, *, private: bool = False) -> None:
    store.atomic_write(target, source.read_bytes(), private=private)


def _copy_credential(credential: Credential, clients: Path) -> None:
    _copy(credential.cert_pem, clients / f"{credential.name}.pem")
    _copy(credential.chain_pem, clients / f"{credential.name}.chain.pem")
    _copy(credential.key_pem, clients / f"{credential.name}.key", private=True)
    _copy(credential.p12, clients / f"{credential.name}.p12", private=True)


def export_pki(pki: TestPKI, directory: Path, professionals: list[tuple[str, str]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    cas = {"root": pki.root, "organisations": pki.organisations, "personnes": pki.personnes}
    for ca, credential in cas.items():
        _copy(credential.cert_pem, directory / "ca" / f"{ca}.pem")
        _copy(pki.crl_pem(ca), directory / "crl" / f"{ca}.crl.pem")
    _copy(pki.chain_pem, directory / "ca" / "chain.pem")
    clients = directory / "clients"
    for name in CLIENT_ROLES:
        _copy_credential(pki.client(name), clients)
    exported_ps: list[tuple[str, str, str]] = []
    for id_nat_ps, display_name in professionals:
        _copy_credential(pki.professional(id_nat_ps, "auth", display_name), clients)
        _copy_credential(pki.professional(id_nat_ps, "sign", display_name), clients)
        exported_ps.append((id_nat_ps, display_name, f"ps-{profiles.rpps_part(id_nat_ps)}"))
    store.atomic_write(directory / "README.txt", readme(pki, exported_ps).encode("utf-8"))


def readme(pki: TestPKI, professionals: list[tuple[str, str, str]]) -> str:
    """The README of an export (French: it is read by the editors' teams)."""
    lines = [
        "PKI DE TEST DU BANC SÉGUR (façon IGC-Santé) — NE PAS UTILISER EN PRODUCTION",
        "",
        f"Mot de passe de tous les fichiers PKCS#12 (.p12) : {pki.P12_PASSWORD}",
        "Les clés privées (.key) sont en PEM PKCS#8 non chiffré. Tout est en RSA 2048, SHA-256.",
        "",
        "ca/ — autorités de certification à déclarer comme de confiance",
    ]
    for ca in TRUSTED_CAS:
        lines.append(f"  {ca}.pem : {profiles.CA_COMMON_NAMES[ca]}")
    lines += [
        "  chain.pem : la racine puis les deux AC intermédiaires (fichier -CAfile / truststore)",
        "",
        "crl/ — listes de révocation (PEM), une par AC",
    ]
    for ca in TRUSTED_CAS:
        lines.append(f"  {ca}.crl.pem : CRL de {profiles.CA_COMMON_NAMES[ca]}")
    lines += [
        f"  Les certificats pointent vers {profiles.CRL_URL.format(ca='<ac>')} (DER),",
        "  servi par le plan de contrôle du banc quand il tourne.",
        "",
        "clients/ — certificats clients ; pour chaque nom :",
        "  <nom>.pem : le certificat seul ; <nom>.chain.pem : le certificat puis son AC émettrice",
        "  (à présenter en TLS) ; <nom>.key : la clé privée ; <nom>.p12 : clé + certificat + AC émettrice.",
        "  L'AC émettrice est l'AC intermédiaire, sauf pour insi-auto-wrong-ca (la racine inconnue).",
    ]
    for name, role in CLIENT_ROLES.items():
        lines.append(f"  {name} : {role}")
    if professionals:
        lines.append("  Professionnels de santé (AC PERSONNES ; serialNumber du sujet = idNatPS) :")
        for id_nat_ps, display_name, base in professionals:
            lines.append(f"  {base}-auth / {base}-sign : {display_name} (idNatPS {id_nat_ps})")
        lines.append(
            "    -auth = authentification (TLS en mode CPx, jeton d'identité PS), -sign = signature."
        )
    else:
        lines.append("  (aucun professionnel exporté)")
    lines += [
        "",
        "Les serveurs simulés présentent un certificat émis par l'AC ORGANISATIONS (SAN localhost,",
        "127.0.0.1, ::1 et <service>.bench.test) avec la chaîne complète.",
        "",
        "Vérifications possibles :",
        "  openssl verify -CAfile ca/chain.pem clients/insi-auto.pem",
        "  openssl verify -crl_check -CAfile ca/chain.pem -CRLfile crl/organisations.crl.pem \\",
        "      clients/insi-auto-revoked.pem     (doit échouer : certificat révoqué)",
        "  openssl pkcs12 -info -nokeys -in clients/insi-auto.p12 -passin pass:" + pki.P12_PASSWORD,
        "",
    ]
    return "\n".join(lines)
