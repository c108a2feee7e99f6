# language: fr
@INS
Fonctionnalité: Vérification d'un INS enregistré auprès d'INSi (règles 48, 49 et 51)
  Le LGO vérifie un INS déjà enregistré en interrogeant INSi avec les traits de l'identité. Il trace
  l'appel et son résultat. Sur un résultat KO, il retire le matricule et l'OID et abaisse le statut ;
  une panne d'INSi n'est pas un résultat KO et ne change rien. Un appel sans personne derrière
  (vérification automatique) utilise le certificat INSI-AUTO.

  @REQ.W1-INS-20 @DOIT @vague1
  Scénario: Vérification conforme d'une identité qualifiée
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » vérifie l'INS du patient « lp-blanchard » auprès d'INSi
    Alors la vérification INSi est « OK » sans changer le statut
    Et le patient « lp-blanchard » est au statut « QUAL »
    Et le patient « lp-blanchard » porte l'INS de la personne « blanchard-isabelle »
    Et le journal INSi du banc montre la vérification de l'INS « 279116748235053 »
    Et le journal des appels INSi du LGO montre la vérification « OK » du patient « lp-blanchard » par « titulaire »
    Et une capture de l'écran patient « journal des appels INSi » de « lp-blanchard » est jointe au rapport

  @REQ.W1-INS-20 @DOIT @vague1
  Scénario: Vérification automatique avec le certificat INSI-AUTO
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » vérifie l'INS du patient « lp-ferreira » auprès d'INSi en mode automatique
    Alors la vérification INSi est « OK » sans changer le statut
    Et le journal INSi du banc montre la vérification de l'INS « 170019913902745 » avec le certificat « INSI-AUTO »

  @REQ.W1-INS-20 @REQ.W1-INS-15 @DOIT @vague1
  Plan du scénario: Vérification KO : matricule et OID retirés, statut abaissé (<avant> -> <après>)
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Et INSi ne connaît plus la personne « <personne> »
    Quand le compte « titulaire » vérifie l'INS du patient « <patient> » auprès d'INSi
    Alors la vérification INSi est « KO » et le statut est abaissé
    Et le patient « <patient> » est au statut « <après> »
    Et le patient « <patient> » n'a pas d'INS
    Et l'historique des statuts du patient « <patient> » montre, dans l'ordre :
      | ancien  | nouveau | auteur    |
      | <avant> | <après> | titulaire |
    Et le journal des appels INSi du LGO montre la vérification « KO » du patient « <patient> » par « titulaire »
    Et une capture de l'écran patient « dossier » de « <patient> » est jointe au rapport

    Exemples:
      | patient      | personne           | avant | après |
      | lp-blanchard | blanchard-isabelle | QUAL  | VALI  |
      | lp-ferreira  | ferreira-joao      | RECUP | PROV  |

  @REQ.W1-INS-20 @DOIT @vague1 @panne.insi.indisponible
  Scénario: INSi en panne pendant la vérification : rien n'est abaissé
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » vérifie l'INS du patient « lp-blanchard » auprès d'INSi
    Alors le LGO signale l'erreur INSi « insi_erreur » par un message clair
    Et le dossier du patient « lp-blanchard » est inchangé
    Et le patient « lp-blanchard » porte l'INS de la personne « blanchard-isabelle »
