# language: fr
@INS
Fonctionnalité: Copies de pièces d'identité conservées chiffrées et purgées (exigence conditionnelle)
  Exigence conditionnelle : si l'officine conserve des copies des pièces d'identité présentées par
  ses patients, le LGO les stocke chiffrées et les supprime automatiquement 5 ans après la dernière
  activité du patient. Un LGO qui ne conserve aucune copie voit ces scénarios ignorés (non
  applicables). Le banc dépose une copie fictive (« spécimen banc »), vérifie que les octets stockés
  ne sont pas ceux du fichier, avance l'horloge du LGO et déclenche la purge.

  @REQ.W1-INS-24 @DOIT @vague1
  Scénario: Copie de la pièce d'identité conservée chiffrée, relue en clair par l'équipe (exigence conditionnelle)
    Étant donné que l'officine conserve des copies des pièces d'identité (exigence conditionnelle)
    Et le compte « titulaire » connecté avec son mot de passe
    Alors les copies de pièces d'identité sont conservées 5 ans après la dernière activité du patient
    Quand le compte « preparateur » dépose la copie de la pièce « passeport » du patient « lp-blanchard »
    Alors la copie est stockée chiffrée : les octets conservés ne sont pas ceux du fichier déposé
    Et la copie sera supprimée 5 ans après la dernière activité du patient
    Et la copie relue par le compte « adjoint » est identique au fichier déposé
    Et une capture de l'écran patient « dossier » de « lp-blanchard » est jointe au rapport

  @REQ.W1-INS-24 @DOIT @vague1
  Scénario: Copie supprimée automatiquement 5 ans après la dernière activité (exigence conditionnelle)
    Étant donné que l'officine conserve des copies des pièces d'identité (exigence conditionnelle)
    Et le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » dépose la copie de la pièce « cni » du patient « lp-ferreira »
    Et l'horloge du LGO avance de 5 ans et 1 jour
    Et le banc déclenche la purge des copies de pièces d'identité
    Alors la copie n'est plus lisible dans le LGO

  @REQ.W1-INS-24 @DOIT @vague1
  Scénario: Une activité du patient repousse la suppression de la copie (exigence conditionnelle)
    Étant donné que l'officine conserve des copies des pièces d'identité (exigence conditionnelle)
    Et le compte « preparateur » connecté avec son mot de passe
    Quand le compte « preparateur » dépose la copie de la pièce « cni » du patient « lp-ferreira »
    Et l'horloge du LGO avance de 4 ans
    Et le compte « preparateur » modifie le trait « nom utilisé » du patient « lp-ferreira » en « Ferreira Lopes »
    Alors le LGO accepte l'action
    Quand l'horloge du LGO avance de 1 an et 1 jour
    Et le banc déclenche la purge des copies de pièces d'identité
    Alors la copie est toujours conservée dans le LGO
