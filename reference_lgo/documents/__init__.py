"""Documents the reference LGO produces: printable sheets (PDF) and, later, CDA documents."""
