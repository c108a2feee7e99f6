# language: fr
@INS
Fonctionnalité: Justificatifs d'identité : liste paramétrable, niveau de confiance, validation manuelle (règle 19)
  L'officine tient la liste des justificatifs d'identité qu'elle accepte, chacun avec son niveau de
  confiance : haut (passeport, carte nationale d'identité, titre de séjour) ou faible (livret de
  famille, acte de naissance...). Un membre de l'équipe habilité enregistre le type de justificatif
  présenté par le patient et valide l'identité à la main ; aucune validation automatique n'est active
  par défaut, et elle peut toujours être désactivée.

  @REQ.W1-INS-13 @DOIT @vague1
  Scénario: Liste des justificatifs avec leur niveau de confiance, complétée par la titulaire
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Alors la liste des justificatifs d'identité du LGO comprend :
      | justificatif   | confiance |
      | passeport      | haute     |
      | cni            | haute     |
      | titre_sejour   | haute     |
      | livret_famille | faible    |
    Quand le compte « titulaire » ajoute à la liste le justificatif « cni_ue » (« Carte d'identité d'un État de l'Union européenne ») de confiance « haute »
    Alors la liste des justificatifs d'identité du LGO comprend :
      | justificatif | confiance |
      | cni_ue       | haute     |
    Et une capture de l'écran « paramètres » est jointe au rapport
    Quand le compte « preparateur » enregistre pour le patient « lp-ferreira » le justificatif « cni_ue » contrôlé
    Alors le patient « lp-ferreira » est au statut « QUAL »
    Et le dossier du patient « lp-ferreira » montre le justificatif « cni_ue » de confiance « haute » contrôlé par « preparateur »

  @REQ.W1-INS-13 @DOIT @vague1
  Scénario: Un justificatif ajouté avec un faible niveau de confiance ne valide pas l'identité
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » ajoute à la liste le justificatif « attestation_droits » (« Attestation de droits de l'Assurance Maladie ») de confiance « faible »
    Et le compte « adjoint » enregistre pour le patient « lp-ferreira » le justificatif « attestation_droits » contrôlé
    Alors le patient « lp-ferreira » est au statut « RECUP »
    Et le dossier du patient « lp-ferreira » montre le justificatif « attestation_droits » de confiance « faible » contrôlé par « adjoint »

  @REQ.W1-INS-13 @DOIT @vague1
  Scénario: Un justificatif retiré de la liste ne peut plus être enregistré
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » retire de la liste le justificatif « livret_famille »
    Et le compte « preparateur » tente d'enregistrer pour le patient « lp-garnier-julien » le justificatif « livret_famille » contrôlé
    Alors le LGO refuse avec le statut 422 et le code « justificatif_inconnu »
    Et le LGO explique son refus par un message clair
    Et le dossier du patient « lp-garnier-julien » est inchangé

  @REQ.W1-INS-13 @REQ.W1-INS-15 @DOIT @vague1
  Scénario: Validation manuelle réservée aux comptes habilités, tracée avec son auteur
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « etudiant » tente d'enregistrer pour le patient « lp-ferreira » le justificatif « passeport » contrôlé
    Alors le LGO refuse faute du droit « identites.qualifier »
    Et le dossier du patient « lp-ferreira » est inchangé
    Quand le compte « adjoint » enregistre pour le patient « lp-ferreira » le justificatif « passeport » contrôlé
    Alors le patient « lp-ferreira » est au statut « QUAL »
    Et le dossier du patient « lp-ferreira » montre le justificatif « passeport » de confiance « haute » contrôlé par « adjoint »
    Et l'historique des statuts du patient « lp-ferreira » montre, dans l'ordre :
      | ancien | nouveau | auteur  |
      | RECUP  | QUAL    | adjoint |
    Et une capture de l'écran patient « dossier » de « lp-ferreira » est jointe au rapport

  @REQ.W1-INS-13 @DOIT @vague1
  Scénario: Aucune validation automatique par défaut, et le réglage se désactive
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Alors la validation automatique des justificatifs est désactivée
    Quand le compte « preparateur » enregistre pour le patient « lp-ferreira » le justificatif « cni » non contrôlé
    Alors le patient « lp-ferreira » est au statut « RECUP »
    Quand le compte « titulaire » désactive la validation automatique des justificatifs
    Alors la validation automatique des justificatifs est désactivée
    Quand le compte « preparateur » enregistre pour le patient « lp-garnier-julien » le justificatif « passeport » non contrôlé
    Alors le patient « lp-garnier-julien » est au statut « PROV »
    Quand le compte « preparateur » enregistre pour le patient « lp-garnier-julien » le justificatif « passeport » contrôlé
    Alors le patient « lp-garnier-julien » est au statut « VALI »
