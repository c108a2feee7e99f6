# language: fr
@INS
Fonctionnalité: Verrouillage des traits stricts d'une identité récupérée ou qualifiée (règles 26 et 27)
  Une fois l'identité récupérée ou qualifiée, ses cinq traits stricts sont verrouillés et affichés
  comme tels ; les traits complémentaires (nom et prénom utilisés) restent modifiables. Changer un
  trait strict n'est possible qu'avec un motif : le matricule et l'OID sont alors retirés, le statut
  baisse et le changement est tracé.

  @REQ.W1-INS-17 @DOIT @vague1
  Scénario: Trait strict d'une identité qualifiée : modification refusée sans motif
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Et les traits stricts du patient « lp-blanchard » sont verrouillés
    Quand le compte « adjoint » modifie le trait « nom de naissance » du patient « lp-blanchard » en « BLANCHART »
    Alors le LGO refuse avec le statut 409 et le code « trait_verrouille »
    Et le LGO explique son refus par un message clair
    Et le dossier du patient « lp-blanchard » est inchangé
    Et une capture de l'écran patient « dossier » de « lp-blanchard » est jointe au rapport

  @REQ.W1-INS-17 @DOIT @vague1
  Scénario: Les traits complémentaires restent modifiables sans toucher à l'INS
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » modifie le trait « nom utilisé » du patient « lp-blanchard » en « Martin »
    Alors le LGO accepte l'action
    Et le trait « nom utilisé » du patient « lp-blanchard » vaut « Martin »
    Et le patient « lp-blanchard » est au statut « QUAL »
    Et le patient « lp-blanchard » porte l'INS de la personne « blanchard-isabelle »

  @REQ.W1-INS-17 @REQ.W1-INS-15 @REQ.W1-INS-18 @DOIT @vague1
  Plan du scénario: Trait strict d'une identité <avant> modifié avec un motif : INS retiré, statut abaissé
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » modifie le trait « <trait> » du patient « <patient> » en « <valeur> » avec le motif « <motif> »
    Alors le LGO accepte l'action
    Et le trait « <trait> » du patient « <patient> » vaut « <valeur> »
    Et le statut du patient « <patient> » est abaissé depuis « <avant> » par « titulaire »
    Et le patient « <patient> » n'a pas d'INS
    Et aucun trait du patient « <patient> » n'est verrouillé
    Et l'historique des statuts du patient « <patient> » garde le motif « <motif> »
    Et le LGO ne transmettrait pour le patient « <patient> » que ses traits, sans matricule INS

    Exemples:
      | patient      | avant | trait             | valeur            | motif                                           |
      | lp-blanchard | QUAL  | date de naissance | 04/11/1979        | Erreur de l'état civil corrigée sur la CNI      |
      | lp-ferreira  | RECUP | nom de naissance  | FERREIRA DA SILVA | Nom de naissance complet déclaré par le patient |
