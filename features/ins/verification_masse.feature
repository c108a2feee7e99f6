# language: fr
@INS
Fonctionnalité: Vérification en masse des identités auprès d'INSi (règle 46, recommandation)
  Le LGO peut vérifier en une fois tous les INS qu'il détient, par des appels automatiques au
  téléservice INSi (certificat INSI-AUTO), et rendre compte des identités dont la vérification est KO
  et dont le statut a donc été abaissé. Une panne d'INSi n'abaisse rien.

  @REQ.W1-INS-25 @ANS.SC.INS.58 @PEUT @vague1
  Scénario: Vérification en masse : les INS conformes restent, l'INS qu'INSi ne connaît plus est retiré
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Et INSi ne connaît plus la personne « ferreira-joao »
    Quand le compte « titulaire » lance la vérification en masse des INS enregistrés
    Alors le rapport de vérification en masse compte 2 identités vérifiées, 1 OK et 1 KO
    Et le rapport de vérification en masse cite comme abaissées les identités :
      | patient     |
      | lp-ferreira |
    Et le patient « lp-ferreira » n'a pas d'INS
    Et le patient « lp-ferreira » est au statut « PROV »
    Et le patient « lp-blanchard » est au statut « QUAL »
    Et le patient « lp-blanchard » porte l'INS de la personne « blanchard-isabelle »
    Et INSi a reçu la vérification des INS des patients « lp-ferreira » et « lp-blanchard » avec le certificat « INSI-AUTO »
    Et le journal des appels INSi du LGO montre pour le patient « lp-ferreira » la vérification « KO » avec le certificat « INSI-AUTO »
    Et le journal des appels INSi du LGO montre pour le patient « lp-blanchard » la vérification « OK » avec le certificat « INSI-AUTO »
    Et une capture de l'écran patient « dossier » de « lp-ferreira » est jointe au rapport

  @REQ.W1-INS-25 @ANS.SC.INS.58 @PEUT @vague1
  Scénario: Vérification en masse sans écart : rien n'est abaissé
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Quand le compte « adjoint » lance la vérification en masse des INS enregistrés
    Alors le rapport de vérification en masse compte 2 identités vérifiées, 2 OK et 0 KO
    Et le rapport de vérification en masse ne cite aucune identité abaissée
    Et le patient « lp-ferreira » est au statut « RECUP »
    Et le patient « lp-blanchard » est au statut « QUAL »

  @REQ.W1-INS-25 @ANS.SC.INS.58 @PEUT @vague1 @panne.insi.indisponible
  Scénario: INSi en panne pendant la vérification en masse : erreurs signalées, rien n'est abaissé
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » lance la vérification en masse des INS enregistrés
    Alors le rapport de vérification en masse signale les erreurs d'INSi
    Et le rapport de vérification en masse ne cite aucune identité abaissée
    Et le patient « lp-ferreira » porte l'INS de la personne « ferreira-joao »
    Et le patient « lp-blanchard » porte l'INS de la personne « blanchard-isabelle »
