# language: fr
@INS
Fonctionnalité: Identités venues d'un autre domaine d'identification (règles 30, 52, 53 et 55)
  Exigence conditionnelle : elle s'applique au LGO qui intègre des données référencées par l'INS
  venant d'un autre domaine d'identification, par exemple l'INS lu au comptoir sur le DataMatrix d'une
  fiche d'identité ou d'un document, ou reçu avec les données d'un établissement. Avant toute
  intégration, le LGO revérifie l'identité auprès du téléservice INSi (appel automatique, certificat
  INSI-AUTO) et trace l'appel ; sur un résultat KO ou une panne d'INSi, il n'intègre jamais
  l'identité. Un LGO qui n'intègre pas de telles données voit ces scénarios ignorés (non applicables).
  La transaction de vérification relève aussi de l'autorisation CNDA du téléservice INSi : le LGO
  présente cette pièce.

  @REQ.W1-INS-21 @DOIT @vague1
  Scénario: INS lu sur le DataMatrix d'un document : revérifié par INSi puis intégré
    Étant donné que le LGO intègre des identités venues d'un autre domaine (exigence conditionnelle)
    Et le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » intègre l'identité lue sur le DataMatrix INS de la personne « roussel-thomas »
    Alors l'identité « roussel-thomas » est intégrée au statut « RECUP »
    Et le patient « roussel-thomas » porte l'INS de la personne « roussel-thomas »
    Et les traits stricts du patient « roussel-thomas » sont ceux renvoyés par INSi pour la personne « roussel-thomas »
    Et le journal INSi du banc montre la vérification de l'INS « 190109913422138 » avec le certificat « INSI-AUTO »
    Et le journal des appels INSi du LGO montre la revérification « OK » avec le certificat INSI-AUTO pour le patient « roussel-thomas »
    Et une capture de l'écran patient « journal des appels INSi » de « roussel-thomas » est jointe au rapport

  @REQ.W1-INS-21 @DOIT @vague1
  Scénario: INS et traits reçus d'un établissement : revérifiés par INSi puis intégrés
    Étant donné que le LGO intègre des identités venues d'un autre domaine (exigence conditionnelle)
    Et le compte « adjoint » connecté avec son mot de passe
    Quand le compte « adjoint » intègre l'INS et les traits de la personne « payet-jean-luc » reçus d'un établissement
    Alors l'identité « payet-jean-luc » est intégrée au statut « RECUP »
    Et le patient « payet-jean-luc » porte l'INS de la personne « payet-jean-luc »
    Et INSi a reçu un appel avec le certificat « INSI-AUTO »
    Et le journal des appels INSi du LGO montre la revérification « OK » avec le certificat INSI-AUTO pour le patient « payet-jean-luc »

  @REQ.W1-INS-21 @DOIT @vague1
  Scénario: Personne qu'INSi ne connaît plus : revérification KO, rien n'est intégré
    Étant donné que le LGO intègre des identités venues d'un autre domaine (exigence conditionnelle)
    Et le compte « preparateur » connecté avec son mot de passe
    Et INSi ne connaît plus la personne « morel-sophie »
    Quand le compte « preparateur » intègre l'identité lue sur le DataMatrix INS de la personne « morel-sophie »
    Alors le LGO n'intègre pas l'identité et dit pourquoi
    Et aucune identité de la personne « morel-sophie » n'est enregistrée dans le LGO
    Et INSi a reçu un appel avec le certificat « INSI-AUTO »
    Et le journal des appels INSi du LGO garde la revérification « KO » avec le certificat INSI-AUTO

  @REQ.W1-INS-21 @DOIT @vague1
  Scénario: DataMatrix associant les traits d'une personne au matricule d'une autre : rien n'est intégré
    Étant donné que le LGO intègre des identités venues d'un autre domaine (exigence conditionnelle)
    Et le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » intègre l'identité lue sur un DataMatrix INS aux traits de la personne « roussel-thomas » et au matricule de la personne « morel-sophie »
    Alors le LGO n'intègre pas l'identité et dit pourquoi
    Et aucune identité de la personne « roussel-thomas » n'est enregistrée dans le LGO
    Et aucune identité de la personne « morel-sophie » n'est enregistrée dans le LGO
    Et le journal des appels INSi du LGO garde la revérification « KO » avec le certificat INSI-AUTO

  @REQ.W1-INS-21 @DOIT @vague1 @panne.insi.indisponible
  Scénario: INSi en panne pendant la revérification : rien n'est intégré, puis intégration une fois INSi rétabli
    Étant donné que le LGO intègre des identités venues d'un autre domaine (exigence conditionnelle)
    Et le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » intègre l'identité lue sur le DataMatrix INS de la personne « roussel-thomas »
    Alors le LGO n'intègre pas l'identité et dit pourquoi
    Et aucune identité de la personne « roussel-thomas » n'est enregistrée dans le LGO
    Quand la panne INSi est levée
    Et le compte « preparateur » intègre l'identité lue sur le DataMatrix INS de la personne « roussel-thomas »
    Alors l'identité « roussel-thomas » est intégrée au statut « RECUP »

  @REQ.W1-INS-21 @DOIT @vague1
  Scénario: DataMatrix mal lu (clé du matricule fausse) : refusé sans appel à INSi
    Étant donné que le LGO intègre des identités venues d'un autre domaine (exigence conditionnelle)
    Et le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » intègre l'identité lue sur le DataMatrix INS de la personne « roussel-thomas » dont la clé du matricule est fausse
    Alors le LGO refuse avec le statut 422 et le code « datamatrix_invalide »
    Et le LGO explique son refus par un message clair
    Et INSi n'a reçu aucun appel
    Et aucune identité de la personne « roussel-thomas » n'est enregistrée dans le LGO

  @REQ.W1-INS-21 @DOIT @vague1
  Scénario: Preuve CNDA de la transaction de vérification INSi présentée par le LGO
    Étant donné que le LGO intègre des identités venues d'un autre domaine (exigence conditionnelle)
    Alors le LGO présente au moins une pièce justificative pour l'exigence « W1-INS-21 »
    Et chaque pièce présentée a l'empreinte SHA-256 annoncée et est jointe au rapport
    Et chaque pièce présentée porte la version du logiciel testé
