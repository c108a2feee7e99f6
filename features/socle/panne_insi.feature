# language: fr
@socle @INS
Fonctionnalité: Panne armée par son tag et lue dans le journal des échanges
  Le banc interroge le simulateur INSi sur son guichet national (certificat INSI-AUTO), comme le ferait
  un LGO, puis relit par le plan de contrôle ce que le journal a retenu de l'échange.
  Scénarios du socle du banc : ils ne comptent pour aucune exigence REM.

  Scénario: Sans panne, INSi trouve l'identité
    Quand le banc interroge INSi sur les traits de la personne « garnier-julien »
    Alors INSi répond avec le code retour « 00 »
    Et le journal du scénario contient l'échange INSi « rechercherInsAvecTraitsIdentite » au statut 200

  @panne.insi.indisponible
  Scénario: INSi indisponible par le pack de pannes du tag
    Quand le banc interroge INSi sur les traits de la personne « garnier-julien »
    Alors INSi répond par une faute SOAP « Receiver » de sous-code « siram_500 »
    Et le journal du scénario montre la faute SOAP de sous-code « siram_500 » pour l'opération INSi « rechercherInsAvecTraitsIdentite »
