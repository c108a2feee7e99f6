# language: fr
@INS
Fonctionnalité: Diffusion de l'identité : fiche d'identité imprimée et traces des destinataires (règles 31 et 32)
  La fiche d'identité imprimée d'une identité qualifiée porte les traits minimaux et le DataMatrix INS ;
  celle d'une autre identité ne porte ni DataMatrix ni matricule. L'officine choisit les traits
  complémentaires imprimés. Chaque impression est tracée avec son destinataire et dit si l'INS a été
  transmis. Le banc lit la fiche comme un auditeur : il décode le DataMatrix de la page imprimée et lit
  son texte ; la fiche est jointe au rapport.

  @REQ.W1-INS-23 @DOIT @vague1
  Scénario: Fiche d'une identité qualifiée : traits minimaux et DataMatrix INS, impression tracée
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Quand le compte « titulaire » imprime la fiche d'identité du patient « lp-blanchard » pour le destinataire « patient » « Isabelle Blanchard »
    Alors la fiche d'identité du patient « lp-blanchard » imprime ses traits minimaux
    Et la fiche d'identité du patient « lp-blanchard » porte le DataMatrix INS de la personne « blanchard-isabelle »
    Et les partenaires du patient « lp-blanchard » comprennent la fiche imprimée par « titulaire » pour le destinataire « patient » « Isabelle Blanchard », avec l'INS
    Et une capture de l'écran patient « dossier » de « lp-blanchard » est jointe au rapport

  @REQ.W1-INS-23 @DOIT @vague1
  Scénario: Fiche d'une identité qualifiée remise à un professionnel de santé
    Étant donné le compte « adjoint » connecté avec son mot de passe
    Quand le compte « adjoint » imprime la fiche d'identité du patient « lp-blanchard » pour le destinataire « professionnel » « Dr Bernard Roux »
    Alors la fiche d'identité du patient « lp-blanchard » porte le DataMatrix INS de la personne « blanchard-isabelle »
    Et les partenaires du patient « lp-blanchard » comprennent la fiche imprimée par « adjoint » pour le destinataire « professionnel » « Dr Bernard Roux », avec l'INS

  @REQ.W1-INS-23 @REQ.W1-INS-18 @DOIT @vague1
  Plan du scénario: Fiche d'une identité <statut> : ni DataMatrix ni matricule INS
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Et le patient « <patient> » est au statut « <statut> »
    Quand le compte « titulaire » imprime la fiche d'identité du patient « <patient> » pour le destinataire « patient » « <nom> »
    Alors la fiche d'identité du patient « <patient> » imprime ses traits minimaux
    Et la fiche d'identité du patient « <patient> » ne porte ni DataMatrix INS ni matricule
    Et les partenaires du patient « <patient> » comprennent la fiche imprimée par « titulaire » pour le destinataire « patient » « <nom> », sans l'INS

    Exemples:
      | statut | patient           | nom              |
      | RECUP  | lp-ferreira       | João Ferreira    |
      | VALI   | lp-beranger       | Héloïse Béranger |
      | PROV   | lp-garnier-julien | Julien Garnier   |

  @REQ.W1-INS-23 @DOIT @vague1
  Scénario: Traits complémentaires choisis pour le site
    Étant donné le compte « titulaire » connecté avec son mot de passe
    Et le compte « preparateur » crée l'identité de la personne « payet-jean-luc » avec le téléphone « 0262 45 67 89 »
    Quand le compte « titulaire » choisit d'imprimer sur les fiches les traits complémentaires « téléphone »
    Et le compte « preparateur » imprime la fiche d'identité du patient « payet-jean-luc » pour le destinataire « patient » « Jean-Luc Payet »
    Alors la fiche d'identité du patient « payet-jean-luc » imprime « 0262 45 67 89 »
    Et la fiche d'identité du patient « payet-jean-luc » ne porte ni DataMatrix INS ni matricule
    Quand le compte « titulaire » choisit d'imprimer sur les fiches les traits complémentaires « aucun »
    Et le compte « preparateur » imprime la fiche d'identité du patient « payet-jean-luc » pour le destinataire « patient » « Jean-Luc Payet »
    Alors la fiche d'identité du patient « payet-jean-luc » n'imprime pas « 0262 45 67 89 »
    Et la fiche d'identité du patient « payet-jean-luc » imprime ses traits minimaux
