"""The LGO's card hardware: a thin layer over the APDU client of `protocols.apdu`."""
