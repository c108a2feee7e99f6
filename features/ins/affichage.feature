# language: fr
@INS
Fonctionnalité: Paramétrage des traits affichés (règle 3 du guide INS)
  L'officine choisit les traits d'identité affichés dans le dossier ; les traits principaux (nom de
  naissance, premier prénom de naissance, date de naissance, sexe) restent toujours affichés.

  @REQ.W1-INS-05 @DOIT @vague1
  Scénario: Traits affichés choisis par la titulaire, traits principaux toujours visibles
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » choisit d'afficher les traits « nom utilisé »
    Alors le dossier du patient « lp-blanchard » affiche les traits principaux
    Et le dossier du patient « lp-blanchard » affiche les traits « nom utilisé »
    Et le dossier du patient « lp-blanchard » n'affiche pas les traits « lieu de naissance »
    Quand le compte « titulaire » choisit d'afficher les traits « lieu de naissance, prénoms de naissance »
    Alors le dossier du patient « lp-blanchard » affiche les traits « lieu de naissance, prénoms de naissance »
    Et le dossier du patient « lp-blanchard » n'affiche pas les traits « nom utilisé »
    Et une capture de l'écran patient « dossier » de « lp-blanchard » est jointe au rapport

  @REQ.W1-INS-05 @DOIT @vague1
  Scénario: Aucun trait facultatif choisi : les traits principaux restent affichés
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » choisit de n'afficher aucun trait facultatif
    Alors le dossier du patient « lp-blanchard » affiche les traits principaux
    Et le dossier du patient « lp-blanchard » n'affiche pas les traits « lieu de naissance, nom utilisé, prénom utilisé »
