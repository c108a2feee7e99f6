# language: fr
@INS
Fonctionnalité: Statuts de l'identité et leur historique (règles 20 et 21 du guide INS)
  Une identité est provisoire (PROV) par défaut ; récupérée (RECUP) après INSi sans justificatif à haut
  niveau de confiance ; validée (VALI) avec un tel justificatif seul ; qualifiée (QUAL) avec les deux.
  La carte Vitale n'est pas un justificatif d'identité. Chaque changement de statut est gardé : ancien
  statut, nouveau statut, date et auteur.

  @REQ.W1-INS-14 @REQ.W1-INS-15 @DOIT @vague1
  Scénario: Parcours complet de qualification : provisoire, récupérée, qualifiée
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le patient « lp-garnier-julien » est au statut « PROV »
    Quand le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Et le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « lp-garnier-julien »
    Alors le patient « lp-garnier-julien » est au statut « RECUP »
    Quand le compte « titulaire » enregistre pour le patient « lp-garnier-julien » le justificatif « cni » contrôlé
    Alors le patient « lp-garnier-julien » est au statut « QUAL »
    Et le patient « lp-garnier-julien » porte l'INS de la personne « garnier-julien »
    Et l'historique des statuts du patient « lp-garnier-julien » montre, dans l'ordre :
      | ancien | nouveau | auteur      |
      | PROV   | RECUP   | preparateur |
      | RECUP  | QUAL    | titulaire   |
    Et une capture de l'écran patient « dossier » de « lp-garnier-julien » est jointe au rapport

  @REQ.W1-INS-14 @REQ.W1-INS-15 @DOIT @vague1
  Scénario: Identité validée sur pièce d'identité, puis qualifiée par INSi
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Et le compte « adjoint » crée l'identité de la personne « kouassi-aya »
    Quand le compte « adjoint » enregistre pour le patient « kouassi-aya » le justificatif « titre_sejour » contrôlé
    Alors le patient « kouassi-aya » est au statut « VALI »
    Et le patient « kouassi-aya » n'a pas d'INS
    Quand le compte « adjoint » recherche l'INS du patient « kouassi-aya » auprès d'INSi par ses traits
    Et le compte « adjoint » intègre l'identité renvoyée par INSi au dossier du patient « kouassi-aya »
    Alors le patient « kouassi-aya » est au statut « QUAL »
    Et le patient « kouassi-aya » porte l'INS de la personne « kouassi-aya »
    Et l'historique des statuts du patient « kouassi-aya » montre, dans l'ordre :
      | ancien | nouveau | auteur  |
      | PROV   | VALI    | adjoint |
      | VALI   | QUAL    | adjoint |

  @REQ.W1-INS-14 @DOIT @vague1
  Scénario: Un justificatif à faible niveau de confiance ne valide pas l'identité
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » enregistre pour le patient « lp-garnier-julien » le justificatif « livret_famille » contrôlé
    Alors le patient « lp-garnier-julien » est au statut « PROV »
    Quand le compte « titulaire » enregistre pour le patient « lp-ferreira » le justificatif « livret_famille » contrôlé
    Alors le patient « lp-ferreira » est au statut « RECUP »

  @REQ.W1-INS-14 @DOIT @vague1 @contrat-simulé
  Scénario: La carte Vitale seule ne qualifie pas l'identité
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et la carte Vitale « vitale-garnier » dans le lecteur Vitale
    Quand le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » avec la carte Vitale, bénéficiaire « garnier-julien »
    Et le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « lp-garnier-julien »
    Alors le patient « lp-garnier-julien » est au statut « RECUP »

  @REQ.W1-INS-16 @DOIT @vague1
  Plan du scénario: Identité <attribut> : aucun appel à INSi
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le patient « <patient> » porte l'attribut « <attribut> »
    Quand le compte « preparateur » recherche l'INS du patient « <patient> » auprès d'INSi par ses traits
    Alors le LGO refuse avec le statut 409 et le code « insi_bloque »
    Et le LGO explique son refus par un message clair
    Et INSi n'a reçu aucun appel
    Et le patient « <patient> » est au statut « PROV »

    Exemples:
      | attribut | patient            |
      | douteuse | lp-perrin-douteuse |
      | fictive  | lp-fictif          |

  @REQ.W1-INS-16 @REQ.W1-INS-15 @DOIT @vague1
  Scénario: Signaler douteuse une identité qualifiée la rend provisoire et bloque INSi
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Et le patient « lp-blanchard » est au statut « QUAL »
    Quand le compte « titulaire » signale l'identité du patient « lp-blanchard » comme « douteuse »
    Alors le patient « lp-blanchard » est au statut « PROV »
    Et le patient « lp-blanchard » n'a pas d'INS
    Et l'historique des statuts du patient « lp-blanchard » montre, dans l'ordre :
      | ancien | nouveau | auteur    |
      | QUAL   | PROV    | titulaire |
    Quand le compte « titulaire » recherche l'INS du patient « lp-blanchard » auprès d'INSi par ses traits
    Alors le LGO refuse avec le statut 409 et le code « insi_bloque »
    Et INSi n'a reçu aucun appel
    Et une capture de l'écran patient « dossier » de « lp-blanchard » est jointe au rapport

  @REQ.W1-INS-16 @DOIT @vague1
  Scénario: L'attribut douteuse retiré, INSi peut de nouveau être appelé
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » retire l'attribut « douteuse » du patient « lp-perrin-douteuse »
    Et le compte « titulaire » recherche l'INS du patient « lp-perrin-douteuse » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
