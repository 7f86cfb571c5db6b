"""The rule that tells a person's byline from an agency's, desk's or credit line's."""

from __future__ import annotations

import pytest

from search.bylines import PersonName, is_person, person_name


@pytest.mark.parametrize("byline", [
    "AFP", "6Medias, avec L'Express", "Huffington Post", "Non Stop Zapping", "BFM TV", "Orange avec AFP",
    "Le Monde", "La rédaction", "Reuters", "France 24", "Jean Dupont et Awa Traoré", "Service Politique",
    "Le Parisien avec AFP", "contact@exemple.ml", "", "Un Deux Trois Quatre Cinq Six",
])
def test_agencies_desks_and_credit_lines_are_not_people(byline):
    assert not is_person(byline)


@pytest.mark.parametrize("byline, family, given, family_last", [
    ("Florian Lautre", "Lautre", "Florian", True),
    ("Haoua SANGARÉ", "SANGARÉ", "Haoua", True),
    ("SANGARÉ Haoua", "SANGARÉ", "Haoua", False),
    ("Charles de Gaulle", "de Gaulle", "Charles", True),
    ("Éloïse Dupré-Lefèvre", "Dupré-Lefèvre", "Éloïse", True),
    ("Jean-Pierre Raffarin", "Raffarin", "Jean-Pierre", True),
    ("Lautre, Florian", "Lautre", "Florian", False),
    ("  Awa   Traoré ", "Traoré", "Awa", True),
])
def test_a_person_gets_family_and_given_names(byline, family, given, family_last):
    assert person_name(byline) == PersonName(family, given, family_last)
