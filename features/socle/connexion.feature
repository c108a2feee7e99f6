# language: fr
@socle @SSI
Fonctionnalité: Connexion au LGO à travers l'API de pilotage
  Le banc agit comme un compte du LGO : il ouvre une session de l'API de pilotage par mot de passe
  ou par carte CPS, puis chaque action de la session est faite au nom de ce compte.
  Scénarios du socle du banc : ils vérifient le banc lui-même et ne comptent pour aucune exigence REM.

  Scénario: Connexion par identifiant et mot de passe
    Quand le compte « titulaire » se connecte avec son mot de passe
    Alors le LGO agit au nom du compte « titulaire »
    Et une capture de l'écran « accueil » est jointe au rapport

  Scénario: Mot de passe erroné refusé
    Quand le compte « adjoint » tente de se connecter avec le mot de passe « pas-le-bon-1 »
    Alors le LGO refuse la connexion

  Scénario: Connexion par carte CPS
    Étant donné la carte « cps-titulaire » insérée dans le lecteur CPS
    Quand le porteur de la carte se connecte avec son code porteur
    Alors le LGO agit au nom du compte « titulaire »
    Et une capture de l'écran « accueil » est jointe au rapport

  Scénario: Code porteur faux refusé
    Étant donné la carte « cps-adjoint » insérée dans le lecteur CPS
    Quand le porteur de la carte tente de se connecter avec le code porteur « 0000 »
    Alors le LGO refuse la connexion
