# language: fr
@INS
Fonctionnalité: Téléservice INSi appelé en mode CPx, homologation CNDA (guide d'intégration SEL-MP-043)
  Le pharmacien connecté avec sa carte CPS interroge INSi en mode CPx : la connexion TLS porte ses
  données d'authentification et l'assertion du professionnel de santé est signée par la carte
  elle-même. Le banc vérifie ce qu'INSi a reçu (assertion vérifiée, identifiant du professionnel,
  aucun écart relevé par le simulateur) et que la carte a bien signé. Les recherches par traits et par
  carte Vitale en certificat logiciel sont vérifiées ailleurs (reprise_insi.feature). L'exigence se
  prouve par l'autorisation CNDA du téléservice INSi : le LGO présente cette pièce.

  @REQ.W1-INS-22 @DOIT @vague1
  Scénario: Recherche INSi par les traits en mode CPx, assertion signée par la carte CPS
    Étant donné la carte « cps-titulaire » insérée dans le lecteur CPS
    Et le porteur de la carte connecté avec son code porteur
    Quand le compte « titulaire » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits en mode CPx
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « garnier-julien »
    Et le journal INSi du banc montre une recherche par les traits en mode CPx au nom de « titulaire » avec le code retour « 00 »
    Et la carte CPS a signé pendant l'appel à INSi
    Et le simulateur INSi ne relève aucune erreur sur les échanges en mode CPx
    Et le journal des appels INSi du LGO montre pour le patient « lp-garnier-julien » un appel de « titulaire » avec le certificat « CPx » et le code retour « 00 »
    Quand le compte « titulaire » intègre l'identité renvoyée par INSi au dossier du patient « lp-garnier-julien »
    Alors le patient « lp-garnier-julien » est au statut « RECUP »
    Et le patient « lp-garnier-julien » porte l'INS de la personne « garnier-julien »

  @REQ.W1-INS-22 @DOIT @vague1
  Scénario: Vérification d'un INS en mode CPx par le pharmacien adjoint
    Étant donné la carte « cps-adjoint » insérée dans le lecteur CPS
    Et le porteur de la carte connecté avec son code porteur
    Quand le compte « adjoint » vérifie l'INS du patient « lp-blanchard » auprès d'INSi en mode CPx
    Alors la vérification INSi est « OK » sans changer le statut
    Et le journal INSi du banc montre une vérification en mode CPx au nom de « adjoint »
    Et la carte CPS a signé pendant l'appel à INSi
    Et le simulateur INSi ne relève aucune erreur sur les échanges en mode CPx
    Et le patient « lp-blanchard » est au statut « QUAL »

  @REQ.W1-INS-22 @DOIT @vague1
  Scénario: Carte CPS retirée après la connexion : le mode CPx est refusé sans appel à INSi
    Étant donné la carte « cps-titulaire » insérée dans le lecteur CPS
    Et le porteur de la carte connecté avec son code porteur
    Quand la carte CPS est retirée du lecteur
    Et le compte « titulaire » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits en mode CPx
    Alors le LGO refuse avec le statut 409 et le code « carte_cps_absente »
    Et le LGO explique son refus par un message clair
    Et INSi n'a reçu aucun appel
    Et le dossier du patient « lp-garnier-julien » est inchangé

  @REQ.W1-INS-22 @DOIT @vague1
  Scénario: Session ouverte par mot de passe : pas de mode CPx, pas d'appel à INSi
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Quand le compte « adjoint » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits en mode CPx
    Alors le LGO refuse le mode CPx faute de carte CPS dans la session
    Et INSi n'a reçu aucun appel
    Et le dossier du patient « lp-garnier-julien » est inchangé

  @REQ.W1-INS-22 @DOIT @vague1
  Scénario: Autorisation CNDA du téléservice INSi présentée par le LGO
    Alors le LGO présente au moins une pièce justificative pour l'exigence « W1-INS-22 »
    Et chaque pièce présentée a l'empreinte SHA-256 annoncée et est jointe au rapport
    Et chaque pièce présentée porte la version du logiciel testé
