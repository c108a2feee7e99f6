# language: fr
@INS
Fonctionnalité: Récupération de l'INS auprès d'INSi et reprise des données (règles 6, 11, 12, 37, 39)
  Au comptoir, l'équipe interroge le téléservice INSi par les traits de l'identité ou avec la carte
  Vitale. Le LGO montre la réponse, contrôle sa cohérence avec l'identité locale (prénoms, date sans
  « 00 », nom, prénom et sexe renseignés, clé du matricule), puis, si l'équipe l'accepte, remplace les
  traits par ceux d'INSi et enregistre le matricule et l'OID. Un appel déclenché par une personne
  utilise le certificat INSI-MANU. Réponses 01 et 02 : rien n'est enregistré, l'équipe complète les
  traits et recommence.

  @REQ.W1-INS-11 @REQ.W1-INS-14 @DOIT @vague1
  Scénario: Récupération par les traits puis intégration de l'identité INSi (CR 00)
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et aucun trait du patient « lp-garnier-julien » n'est verrouillé
    Quand le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « garnier-julien »
    Et le LGO propose d'intégrer l'identité renvoyée
    Et le journal INSi du banc montre une recherche par les traits avec le certificat « INSI-MANU » et le code retour « 00 »
    Et le dossier du patient « lp-garnier-julien » est inchangé
    Quand le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « lp-garnier-julien »
    Alors le LGO accepte l'action
    Et le patient « lp-garnier-julien » est au statut « RECUP »
    Et le patient « lp-garnier-julien » porte l'INS de la personne « garnier-julien »
    Et les traits stricts du patient « lp-garnier-julien » sont ceux renvoyés par INSi pour la personne « garnier-julien »
    Et une capture de l'écran patient « dossier » de « lp-garnier-julien » est jointe au rapport

  @REQ.W1-INS-11 @REQ.W1-INS-19 @DOIT @vague1
  Scénario: Personne inconnue d'INSi (CR 01) : rien n'est enregistré
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » recherche l'INS du patient « lp-schmidt » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 01 »
    Et le dossier du patient « lp-schmidt » est inchangé
    Et le patient « lp-schmidt » est au statut « PROV »
    Et le journal INSi du banc montre une recherche par les traits avec le certificat « INSI-MANU » et le code retour « 01 »
    Et chaque appel reçu par INSi figure au journal des appels INSi du LGO pour le patient « lp-schmidt »

  @REQ.W1-INS-11 @DOIT @vague1
  Scénario: CR 01 sur une date de naissance mal saisie, puis INS trouvé après correction
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » recherche l'INS du patient « lp-duchemin-date » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 01 »
    Quand le compte « preparateur » modifie le trait « date de naissance » du patient « lp-duchemin-date » en « 24/12/1949 »
    Alors le LGO accepte l'action
    Quand le compte « preparateur » recherche l'INS du patient « lp-duchemin-date » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « duchemin-marguerite »
    Quand le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « lp-duchemin-date »
    Alors le patient « lp-duchemin-date » est au statut « RECUP »
    Et le patient « lp-duchemin-date » porte l'INS de la personne « duchemin-marguerite »

  @REQ.W1-INS-11 @DOIT @vague1
  Scénario: Homonymes (CR 02) : rien n'est enregistré, puis le deuxième prénom départage
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Et le compte « adjoint » crée l'identité « nicolas-lefebvre » suivante :
      | champ                | valeur     |
      | nom de naissance     | LEFEBVRE   |
      | prénoms de naissance | NICOLAS    |
      | sexe                 | M          |
      | date de naissance    | 14/03/1975 |
      | lieu de naissance    | 59350      |
    Quand le compte « adjoint » recherche l'INS du patient « nicolas-lefebvre » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 02 »
    Et le dossier du patient « nicolas-lefebvre » est inchangé
    Et le journal INSi du banc montre une recherche par les traits avec le certificat « INSI-MANU » et le code retour « 02 »
    Quand le compte « adjoint » modifie le trait « prénoms de naissance » du patient « nicolas-lefebvre » en « NICOLAS ANDRE »
    Et le compte « adjoint » recherche l'INS du patient « nicolas-lefebvre » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « lefebvre-nicolas-andre-lille »
    Quand le compte « adjoint » intègre l'identité renvoyée par INSi au dossier du patient « nicolas-lefebvre »
    Alors le patient « nicolas-lefebvre » porte l'INS de la personne « lefebvre-nicolas-andre-lille »

  @REQ.W1-INS-11 @DOIT @vague1
  Scénario: Homonymes de même liste de prénoms départagés par le lieu de naissance
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Et le compte « adjoint » crée l'identité de la personne « lefebvre-nicolas-pierre-arras »
    Quand le compte « adjoint » recherche l'INS du patient « lefebvre-nicolas-pierre-arras » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « lefebvre-nicolas-pierre-arras »
    Et le journal INSi du banc montre une requête avec le lieu de naissance « 62041 »

  @REQ.W1-INS-11 @REQ.W1-INS-19 @DOIT @vague1
  Scénario: Ancien matricule renvoyé par INSi (INSHISTO) gardé avec la réponse
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « roussel-thomas »
    Quand le compte « preparateur » recherche l'INS du patient « roussel-thomas » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « roussel-thomas »
    Et INSi renvoie aussi l'ancien matricule « 190109913490830 »
    Et le journal des appels INSi du LGO garde pour le patient « roussel-thomas » l'INS et l'historique renvoyés pour la personne « roussel-thomas »

  @REQ.W1-INS-11 @DOIT @vague1
  Plan du scénario: Reprise refusée : <cas>
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « <personne> »
    Quand le compte « preparateur » recherche l'INS du patient « <personne> » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et le LGO signale que l'identité renvoyée ne peut pas être reprise (« <motif> »)
    Quand le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « <personne> »
    Alors le LGO refuse l'intégration (« <motif> »)
    Et le dossier du patient « <personne> » est inchangé
    Et le patient « <personne> » est au statut « PROV »
    Et le patient « <personne> » n'a pas d'INS

    Exemples:
      | cas                                          | personne          | motif              |
      | jour et mois de naissance « 00 » (lunaire)   | benali-ahmed      | date_incomplete    |
      | jour de naissance « 00 »                     | hassani-fatima    | date_incomplete    |
      | clé du matricule renvoyé invalide            | perrin-olivier    | matricule_invalide |

  @REQ.W1-INS-11 @DOIT @vague1
  Scénario: Reprise refusée : premier prénom de naissance incohérent avec la réponse INSi
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité « claire-boyer » suivante :
      | champ                | valeur     |
      | nom de naissance     | BOYER      |
      | prénoms de naissance | CLAIRE     |
      | sexe                 | F          |
      | date de naissance    | 26/04/1977 |
      | lieu de naissance    | 31555      |
    Quand le compte « preparateur » recherche l'INS du patient « claire-boyer » auprès d'INSi par ses traits
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « boyer-marie »
    Et le LGO signale que l'identité renvoyée ne peut pas être reprise (« prenoms_incoherents »)
    Quand le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « claire-boyer »
    Alors le LGO refuse l'intégration (« prenoms_incoherents »)
    Et le patient « claire-boyer » n'a pas d'INS

  @REQ.W1-INS-11 @DOIT @vague1 @contrat-simulé
  Scénario: Récupération avec la carte Vitale familiale, bénéficiaire assuré
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et la carte Vitale « vitale-garnier » dans le lecteur Vitale
    Quand le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » avec la carte Vitale, bénéficiaire « garnier-julien »
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « garnier-julien »
    Et le journal INSi du banc montre une recherche par carte Vitale avec le certificat « INSI-MANU » et le code retour « 00 »
    Quand le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « lp-garnier-julien »
    Alors le patient « lp-garnier-julien » est au statut « RECUP »
    Et le patient « lp-garnier-julien » porte l'INS de la personne « garnier-julien »

  @REQ.W1-INS-11 @DOIT @vague1 @contrat-simulé
  Plan du scénario: Carte Vitale : l'INS renvoyé est celui du bénéficiaire choisi (<cas>)
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Et la carte Vitale « <carte> » dans le lecteur Vitale
    Et le compte « preparateur » crée l'identité de la personne « <bénéficiaire> »
    Quand le compte « preparateur » recherche l'INS du patient « <bénéficiaire> » avec la carte Vitale, bénéficiaire « <bénéficiaire> »
    Alors la recherche INSi aboutit au code retour « 00 »
    Et INSi renvoie l'INS et les traits de la personne « <bénéficiaire> »

    Exemples:
      | cas                                  | carte            | bénéficiaire   |
      | jumelle de rang 2                    | vitale-garnier   | garnier-ines   |
      | nouveau-né sans NIR sur la carte     | vitale-chevalier | chevalier-gabin |
