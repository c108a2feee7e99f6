# language: fr
@INS
Fonctionnalité: Traces des accès à l'INS, des appels INSi et des modifications d'identité (règles 4, 16, 37, 39)
  Le LGO garde un journal dédié des accès à l'INS d'un patient et des appels au téléservice INSi
  (date, heure, utilisateur, certificat, code retour et toutes les données renvoyées), et trace dans
  sa piste d'audit les consultations et modifications d'identité (quand, quoi, qui). Le banc compare
  le journal du LGO avec ce que le simulateur INSi a réellement reçu.

  @REQ.W1-INS-06 @DOIT @vague1
  Scénario: Consultation de l'INS et appel INSi tracés dans les journaux dédiés
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Quand le compte « adjoint » ouvre le dossier du patient « lp-blanchard »
    Et le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et le journal des accès INS du LGO montre un accès de « adjoint » au patient « lp-blanchard »
    Et le journal des appels INSi du LGO montre pour le patient « lp-garnier-julien » un appel de « preparateur » avec le certificat « INSI-MANU » et le code retour « 00 »
    Et une capture de l'écran patient « journal des accès INS » de « lp-blanchard » est jointe au rapport
    Et une capture de l'écran patient « journal des appels INSi » de « lp-garnier-julien » est jointe au rapport

  @REQ.W1-INS-19 @DOIT @vague1
  Scénario: Chaque appel de récupération est tracé avec toutes les données renvoyées
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « morel-sophie »
    Quand le compte « preparateur » recherche l'INS du patient « morel-sophie » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie aussi l'ancien matricule « 268059935090233 »
    Et chaque appel reçu par INSi figure au journal des appels INSi du LGO pour le patient « morel-sophie »
    Et le journal des appels INSi du LGO garde pour le patient « morel-sophie » l'INS et l'historique renvoyés pour la personne « morel-sophie »
    Et le journal des appels INSi du LGO montre pour le patient « morel-sophie » un appel de « preparateur » avec le certificat « INSI-MANU » et le code retour « 00 »
    Et une capture de l'écran patient « journal des appels INSi » de « morel-sophie » est jointe au rapport

  @REQ.W1-INS-19 @DOIT @vague1
  Scénario: Recherche en plusieurs appels (homonymes) : chaque appel est tracé
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « lefebvre-nicolas-pierre-arras »
    Quand le compte « preparateur » recherche l'INS du patient « lefebvre-nicolas-pierre-arras » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et chaque appel reçu par INSi figure au journal des appels INSi du LGO pour le patient « lefebvre-nicolas-pierre-arras »

  @REQ.W1-INS-12 @DOIT @vague1
  Scénario: Modification d'identité tracée : quand, quoi, qui
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » modifie le trait « nom utilisé » du patient « lp-ferreira » en « Ferreira Lopes »
    Alors le LGO accepte l'action
    Quand le compte « adjoint » ouvre le dossier du patient « lp-ferreira »
    Alors la piste d'audit montre la modification du patient « lp-ferreira » par « preparateur » avec la valeur « Ferreira Lopes »
    Et la piste d'audit montre la consultation du patient « lp-ferreira » par « adjoint »
    Et une capture de l'écran « piste d'audit » est jointe au rapport
