# language: fr
@INS
Fonctionnalité: Pas de matricule INS transmis pour une identité non qualifiée (règle 28)
  Le LGO ne transmet (documents, messagerie, DMP) le matricule INS et son OID que pour une identité
  qualifiée ; pour toute autre identité, il ne transmet que les traits. Le banc lit ce que le LGO
  enverrait à un partenaire.

  @REQ.W1-INS-18 @DOIT @vague1
  Scénario: Identité qualifiée : l'INS accompagne les traits
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Alors le LGO transmettrait pour le patient « lp-blanchard » l'INS de la personne « blanchard-isabelle »

  @REQ.W1-INS-18 @DOIT @vague1
  Plan du scénario: Identité <statut> : les traits seulement, sans matricule INS
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Et le patient « <patient> » est au statut « <statut> »
    Alors le LGO ne transmettrait pour le patient « <patient> » que ses traits, sans matricule INS

    Exemples:
      | statut | patient           |
      | RECUP  | lp-ferreira       |
      | VALI   | lp-beranger       |
      | PROV   | lp-garnier-julien |

  @REQ.W1-INS-18 @DOIT @vague1
  Scénario: INS récupéré mais pas encore qualifié : toujours pas transmis
    Étant donné le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » recherche l'INS du patient « lp-garnier-julien » auprès d'INSi par ses traits
    Et le compte « preparateur » intègre l'identité renvoyée par INSi au dossier du patient « lp-garnier-julien »
    Alors le patient « lp-garnier-julien » est au statut « RECUP »
    Et le LGO ne transmettrait pour le patient « lp-garnier-julien » que ses traits, sans matricule INS
    Quand le compte « titulaire » enregistre pour le patient « lp-garnier-julien » le justificatif « cni » contrôlé
    Alors le LGO transmettrait pour le patient « lp-garnier-julien » l'INS de la personne « garnier-julien »
