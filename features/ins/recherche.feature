# language: fr
@INS
Fonctionnalité: Recherche d'antériorité d'un patient dans le LGO (règle 17 du guide INS)
  Avant de créer une identité, l'équipe de l'officine cherche si le patient est déjà connu : par sa
  date de naissance (affinée par les premières lettres du nom et du prénom), par son matricule INS
  complet, ou par une saisie libre qui ignore accents, tirets, apostrophes et espaces et qui porte
  sur tous les prénoms. Patients du monde « default » : ceux du LGO (lp-…) et des identités créées
  pendant le scénario à partir des personnes du monde.

  @REQ.W1-INS-01 @ANS.SC.INS.06.LGO @DOIT @vague1
  Scénario: Recherche par date de naissance : liste complète, puis affinée par le prénom
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « garnier-lea »
    Et le compte « preparateur » crée l'identité de la personne « garnier-ines »
    Quand le compte « preparateur » recherche les patients nés le « 21/09/2016 »
    Alors les patients trouvés sont exactement :
      | patient      |
      | garnier-lea  |
      | garnier-ines |
    Quand le compte « preparateur » recherche les patients nés le « 21/09/2016 » dont le prénom commence par « IN »
    Alors les patients trouvés sont exactement :
      | patient      |
      | garnier-ines |
    Et une capture de la recherche de patients est jointe au rapport

  @REQ.W1-INS-01 @ANS.SC.INS.06.LGO @DOIT @vague1
  Scénario: Recherche par date de naissance parmi des homonymes, affinée par le début du nom
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Et le compte « adjoint » crée l'identité de la personne « lefebvre-nicolas-pierre-lille »
    Et le compte « adjoint » crée l'identité de la personne « lefebvre-nicolas-andre-lille »
    Quand le compte « adjoint » recherche les patients nés le « 14/03/1975 »
    Alors les patients trouvés sont exactement :
      | patient                       |
      | lp-lefebvre-typo              |
      | lefebvre-nicolas-pierre-lille |
      | lefebvre-nicolas-andre-lille  |
    Quand le compte « adjoint » recherche les patients nés le « 14/03/1975 » dont le nom commence par « LEFEB » et le prénom par « NIC »
    Alors les patients trouvés sont exactement :
      | patient                       |
      | lefebvre-nicolas-pierre-lille |
      | lefebvre-nicolas-andre-lille  |
    Quand le compte « adjoint » recherche les patients nés le « 15/03/1975 »
    Alors aucun patient n'est trouvé

  @REQ.W1-INS-08 @DOIT @vague1
  Scénario: Recherche par matricule INS complet, clé comprise
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Quand le compte « adjoint » recherche le patient de matricule INS « 279116748235053 »
    Alors les patients trouvés sont exactement :
      | patient      |
      | lp-blanchard |
    Quand le compte « adjoint » recherche le patient de matricule INS « 184066938304193 »
    Alors aucun patient n'est trouvé

  @REQ.W1-INS-08 @DOIT @vague1
  Plan du scénario: Matricule INS saisi avec une clé erronée (<cas>)
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Quand le compte « adjoint » recherche le patient de matricule INS « <saisie> »
    Alors le LGO refuse avec le statut 422 et le code « cle_matricule_invalide »
    Et le LGO explique son refus par un message clair
    Et le message du LGO mentionne « <clé attendue> »

    Exemples:
      | cas                      | saisie          | clé attendue |
      | Strasbourg               | 279116748235099 | 53           |
      | Corse-du-Sud (2A = 19)   | 162112A00407399 | 68           |

  @REQ.W1-INS-09 @DOIT @vague1
  Plan du scénario: Recherche insensible aux signes : « <saisie> » retrouve « <patient> »
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » recherche les patients avec la saisie « <saisie> »
    Alors les patients trouvés comprennent « <patient> »

    Exemples:
      | saisie         | patient           |
      | D'HALLUIN      | lp-dhalluin       |
      | de la Ferriere | lp-de-la-ferriere |
      | BERANGER       | lp-beranger       |
      | heloise        | lp-beranger       |

  @REQ.W1-INS-09 @DOIT @vague1
  Scénario: Noms composés à trait d'union retrouvés sans les tirets
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « lambert-duval-marie-claire »
    Et le compte « preparateur » crée l'identité de la personne « mercier-lagarde-antoine »
    Quand le compte « preparateur » recherche les patients avec la saisie « Lambert Duval »
    Alors les patients trouvés comprennent « lambert-duval-marie-claire »
    Quand le compte « preparateur » recherche les patients avec la saisie « mercier lagarde »
    Alors les patients trouvés comprennent « mercier-lagarde-antoine »
    Quand le compte « preparateur » recherche les patients avec la saisie « Marie Claire »
    Alors les patients trouvés comprennent « lambert-duval-marie-claire »
    Et une capture de la recherche de patients est jointe au rapport

  @REQ.W1-INS-10 @DOIT @vague1
  Plan du scénario: Recherche sur tous les prénoms : « <saisie> » (<prénom>)
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité « boyer-malou » suivante :
      | champ                | valeur              |
      | nom de naissance     | Boyer               |
      | prénoms de naissance | Marie Claire Louise |
      | sexe                 | F                   |
      | date de naissance    | 26/04/1977          |
      | lieu de naissance    | 31555               |
      | prénom utilisé       | Malou               |
    Quand le compte « preparateur » recherche les patients avec la saisie « <saisie> »
    Alors les patients trouvés comprennent « boyer-malou »
    Quand le compte « preparateur » recherche les patients nés le « 26/04/1977 » dont le prénom commence par « <début> »
    Alors les patients trouvés sont exactement :
      | patient     |
      | boyer-malou |

    Exemples:
      | prénom                      | saisie | début |
      | premier prénom de naissance | marie  | MAR   |
      | troisième prénom            | Louise | LOU   |
      | prénom utilisé              | malou  | MAL   |
