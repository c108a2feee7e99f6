# language: fr
@socle @SSI
Fonctionnalité: Piste d'audit lue par l'API de pilotage
  Les connexions laissent une trace (qui, quand, comment, par quel canal) que le titulaire consulte.
  Scénarios du socle du banc : ils ne comptent pour aucune exigence REM.

  Scénario: Les connexions par mot de passe et par carte CPS sont tracées
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Et la carte « cps-titulaire » insérée dans le lecteur CPS
    Et le porteur de la carte connecté avec son code porteur
    Quand le compte « titulaire » consulte la piste d'audit
    Alors la piste d'audit contient une connexion de « adjoint » par mot de passe sur le canal « driver »
    Et la piste d'audit contient une connexion de « titulaire » par carte CPS sur le canal « driver »
    Et une capture de l'écran « piste d'audit » est jointe au rapport
