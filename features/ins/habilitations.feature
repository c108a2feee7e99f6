# language: fr
@INS
Fonctionnalité: Habilitations fines sur l'INS (règle 4 du guide INS)
  Le responsable de traitement (la titulaire) choisit qui voit le matricule INS et qui peut appeler le
  téléservice INSi. Un compte privé d'un de ces droits est refusé par le LGO, sans appel à INSi.

  @REQ.W1-INS-07 @DOIT @vague1
  Scénario: Préparateur privé du droit d'appeler INSi
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » retire au compte « preparateur » le droit « insi.appeler »
    Et une capture de l'écran « droits » est jointe au rapport
    Et le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Alors le LGO refuse faute du droit « insi.appeler »
    Et le LGO explique son refus par un message clair
    Et INSi n'a reçu aucun appel
    Et le dossier du patient « lp-garnier-julien » est inchangé
    Quand le compte « adjoint » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »

  @REQ.W1-INS-07 @DOIT @vague1
  Scénario: Préparateur privé du droit de voir le matricule INS
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » retire au compte « preparateur » le droit « ins.voir_matricule »
    Alors le compte « adjoint » voit le matricule « 279116748235053 » dans le dossier du patient « lp-blanchard »
    Et le compte « preparateur » voit le dossier du patient « lp-blanchard » sans son matricule INS
    Et une capture de l'écran patient « dossier » de « lp-blanchard » est jointe au rapport

  @REQ.W1-INS-07 @DOIT @vague1
  Scénario: Vérification INSi refusée sans le droit d'appeler INSi
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » retire au compte « adjoint » le droit « insi.appeler »
    Et le compte « adjoint » vérifie l'INS du patient « lp-blanchard » auprès d'INSi
    Alors le LGO refuse faute du droit « insi.appeler »
    Et INSi n'a reçu aucun appel
    Et le patient « lp-blanchard » est au statut « QUAL »
