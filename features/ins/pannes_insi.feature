# language: fr
@INS
Fonctionnalité: Téléservice INSi en panne : message clair, rien d'enregistré, appel tracé (règles 37, 39)
  Chaque pack de pannes du banc (scenarios/faults/insi.*.yaml) est armé par son tag. Le LGO doit dire
  en français ce qui se passe, ne rien enregistrer à moitié, garder la trace de l'appel en échec, et
  permettre de recommencer une fois la panne levée.

  @REQ.W1-INS-19 @DOIT @vague1
  Plan du scénario: Recherche INSi pendant une panne « <panne> », puis après la panne
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Alors le LGO signale l'erreur INSi « <code> » par un message clair
    Et le dossier du patient « lp-garnier-julien » est inchangé
    Et le journal des appels INSi du LGO garde l'appel en échec du patient « lp-garnier-julien »
    Quand la panne INSi est levée
    Et le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »

    @panne.insi.coupure
    Exemples: connexion coupée sans réponse
      | panne   | code              |
      | coupure | insi_indisponible |

    @panne.insi.erreur-http
    Exemples: frontal HTTP en erreur 503
      | panne       | code              |
      | erreur-http | insi_indisponible |

    @panne.insi.malformee
    Exemples: réponse SOAP tronquée
      | panne     | code              |
      | malformee | insi_indisponible |

    @panne.insi.tls
    Exemples: négociation TLS refusée
      | panne | code              |
      | tls   | insi_indisponible |

    @panne.insi.indisponible
    Exemples: faute SOAP du service indisponible
      | panne        | code        |
      | indisponible | insi_erreur |

  @REQ.W1-INS-19 @DOIT @vague1 @panne.insi.idam-refuse
  Scénario: INSi refuse le logiciel (IDAM inconnu, siram_100 / desir_550)
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Alors le LGO signale l'erreur INSi « insi_erreur » par un message clair
    Et le dossier du patient « lp-garnier-julien » est inchangé
    Et le journal du scénario montre la faute SOAP de sous-code « siram_100 » pour l'opération INSi « rechercherInsAvecTraitsIdentite »
    Et le journal des appels INSi du LGO garde l'appel en échec du patient « lp-garnier-julien »

  @REQ.W1-INS-11 @DOIT @vague1 @panne.insi.lent
  Scénario: INSi lent (3 s par réponse) : la recherche aboutit quand même
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « garnier-julien »
