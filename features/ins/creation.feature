# language: fr
@INS
Fonctionnalité: Création d'une identité et champs de l'INS (règles 1 et 5 du guide INS)
  Une identité ne se crée qu'avec les cinq traits stricts : nom de naissance, premier prénom de
  naissance, date de naissance, sexe et lieu de naissance (code COG) ; aucun autre champ ne peut être
  exigé. Une fois l'INS récupéré, le dossier garde tous les champs de l'INS.

  @REQ.W1-INS-02 @ANS.SC.INS.09.LGO @DOIT @vague1
  Scénario: Tentatives de création successives, chacune sans l'un des cinq traits stricts
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » tente de créer l'identité de la personne « payet-jean-luc » sans le trait « nom de naissance »
    Alors le LGO refuse la création faute du trait « nom de naissance »
    Et le LGO explique son refus par un message clair
    Quand le compte « preparateur » tente de créer l'identité de la personne « payet-jean-luc » sans le trait « premier prénom de naissance »
    Alors le LGO refuse la création faute du trait « premier prénom de naissance »
    Quand le compte « preparateur » tente de créer l'identité de la personne « payet-jean-luc » sans le trait « date de naissance »
    Alors le LGO refuse la création faute du trait « date de naissance »
    Quand le compte « preparateur » tente de créer l'identité de la personne « payet-jean-luc » sans le trait « sexe »
    Alors le LGO refuse la création faute du trait « sexe »
    Quand le compte « preparateur » tente de créer l'identité de la personne « payet-jean-luc » sans le trait « lieu de naissance »
    Alors le LGO refuse la création faute du trait « lieu de naissance »
    Quand le compte « preparateur » recherche les patients avec la saisie « Payet »
    Alors aucun patient n'est trouvé
    Quand le compte « preparateur » crée l'identité de la personne « payet-jean-luc »
    Alors l'identité « payet-jean-luc » est créée au statut « PROV »
    Et une capture de l'écran patient « dossier » de « payet-jean-luc » est jointe au rapport

  @REQ.W1-INS-03 @ANS.SC.INS/va1.22 @DOIT @vague1
  Scénario: Les cinq traits stricts suffisent pour créer une identité, sans aucun autre champ
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » crée l'identité de la personne « kouassi-aya » avec les cinq traits stricts seulement
    Alors l'identité « kouassi-aya » est créée au statut « PROV »
    Et aucun trait du patient « kouassi-aya » n'est verrouillé
    Et le patient « kouassi-aya » n'a pas d'INS
    Quand le compte « preparateur » crée l'identité de la personne « santoni-paul-antoine » avec les cinq traits stricts seulement
    Alors l'identité « santoni-paul-antoine » est créée au statut « PROV »
    Quand le compte « preparateur » crée l'identité de la personne « hassani-fatima » avec les cinq traits stricts seulement
    Alors l'identité « hassani-fatima » est créée au statut « PROV »

  @REQ.W1-INS-04 @ANS.SC.INS/va1.30 @DOIT @vague1
  Scénario: Le dossier garde tous les champs de l'INS récupéré (nom d'usage, INS-NIR)
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « bellanger-camille »
    Quand le compte « preparateur » recherche l'INS du patient « bellanger-camille » auprès d'INSi par ses traits
    Et le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « bellanger-camille »
    Alors le patient « bellanger-camille » porte l'INS de la personne « bellanger-camille »
    Et les traits stricts du patient « bellanger-camille » sont ceux renvoyés par INSi pour la personne « bellanger-camille »
    Et le trait « premier prénom de naissance » du patient « bellanger-camille » vaut « CAMILLE »
    Et le trait « nom utilisé » du patient « bellanger-camille » vaut « Garnier »
    Et une capture de l'écran patient « dossier » de « bellanger-camille » est jointe au rapport

  @REQ.W1-INS-04 @ANS.SC.INS/va1.30 @DOIT @vague1
  Scénario: Le dossier garde tous les champs de l'INS récupéré (née à l'étranger, INS-NIA ; née en Corse)
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « kouassi-aya »
    Et le compte « preparateur » crée l'identité de la personne « santoni-paul-antoine »
    Quand le compte « preparateur » recherche l'INS du patient « kouassi-aya » auprès d'INSi par ses traits
    Et le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « kouassi-aya »
    Alors le patient « kouassi-aya » porte l'INS de la personne « kouassi-aya »
    Et les traits stricts du patient « kouassi-aya » sont ceux renvoyés par INSi pour la personne « kouassi-aya »
    Et le trait « premier prénom de naissance » du patient « kouassi-aya » vaut « AYA »
    Quand le compte « preparateur » recherche l'INS du patient « santoni-paul-antoine » auprès d'INSi par ses traits
    Et le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « santoni-paul-antoine »
    Alors le patient « santoni-paul-antoine » porte l'INS de la personne « santoni-paul-antoine »
    Et le trait « premier prénom de naissance » du patient « santoni-paul-antoine » vaut « PAUL-ANTOINE »
