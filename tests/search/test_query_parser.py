"""Reading the search box: punctuation stays punctuation, syntax stays syntax (search/query_parser.py)."""

from __future__ import annotations

import pytest

from search.query_parser import QuerySyntaxError, clean_word, parse
from engines.query import And, DateRange, Near, Not, Or, Pattern, Phrase, Word, describe


def tree(text: str):
    return parse(text).tree


# ---------------------------------------------------------------- punctuation that ends or surrounds words


@pytest.mark.parametrize("text", ["divisée ?", "divisée?", "divisée\u00a0?", "divisée\u202f?", "divisée !", "divisée…",
                                  "divisée ?!", "¿divisée?", "divisée.", "divisée,", "divisée ;"])
def test_sentence_punctuation_around_a_word_leaves_the_word(text):
    assert tree(text) == Word("divisée")


def test_a_question_mark_glued_to_a_year_is_not_a_wildcard():
    assert tree("retraites en 2019?") == And((Word("retraites"), Word("en"), Word("2019")))


def test_a_lone_question_mark_is_dropped():
    assert tree("qui dirige la transition ?") == And((Word("qui"), Word("dirige"), Word("la"), Word("transition")))


def test_a_question_mark_between_letters_stands_for_one_letter():
    assert tree("mé?ro") == Pattern("mé?ro")


def test_a_star_after_two_letters_is_a_prefix():
    node = tree("souverain*")
    assert node == Pattern("souverain*") and node.is_prefix


@pytest.mark.parametrize("text", ["« souveraineté »", "«souveraineté»", "“souveraineté”", "„souveraineté“"])
def test_guillemets_and_curly_quotes_make_a_phrase(text):
    assert tree(text) == Phrase("souveraineté")


def test_an_unpaired_guillemet_is_typography():
    assert tree("« souveraineté") == Word("souveraineté")


def test_a_spaced_colon_in_a_title_is_punctuation():
    assert tree("Montebourg : « Il n’est pas trop tard »") == And(
        (Word("Montebourg"), Phrase("Il n’est pas trop tard")))


def test_a_colon_before_a_space_is_punctuation_not_a_field():
    assert tree("Mali: la Chine") == And((Word("Mali"), Word("la"), Word("Chine")))


def test_a_lone_dash_between_words_is_not_an_exclusion():
    assert tree("Mali - Chine") == And((Word("Mali"), Word("Chine")))


def test_text_without_any_word_gives_no_tree():
    assert parse("? !").tree is None
    assert parse("? !").had_words is False


# ---------------------------------------------------------------- operators, fields, groups


def test_explicit_and_binds_tighter_than_or_and_or_tighter_than_juxtaposition():
    assert tree("Mali AND Niger OR Chine") == Or((And((Word("Mali"), Word("Niger"))), Word("Chine")))
    assert tree("Mali OR Niger sécurité") == And((Or((Word("Mali"), Word("Niger"))), Word("sécurité")))


@pytest.mark.parametrize("text", ["Mali -Niger", "Mali NOT Niger", "Mali SAUF Niger", "Mali ANDNOT Niger"])
def test_every_spelling_of_exclusion_gives_not(text):
    assert tree(text) == And((Word("Mali"), Not(Word("Niger"))))


def test_a_query_of_exclusions_only_keeps_every_other_article():
    assert tree("-Mali -Niger") == Not(Or((Word("Mali"), Word("Niger"))))


def test_a_field_applies_to_the_next_word_a_phrase_or_a_group():
    assert tree("auteur:Jean Dupont") == And((Word("Jean", "author"), Word("Dupont")))
    assert tree('titre:"la Chine"') == Phrase("la Chine", "title")
    assert tree("titre:(Chine OR Mali)") == Or((Word("Chine", "title"), Word("Mali", "title")))


def test_a_phrase_keeps_its_slop():
    assert tree('"coopération sécuritaire"~2') == Phrase("coopération sécuritaire", None, 2)


@pytest.mark.parametrize("text, expected", [
    ("date:2019", DateRange("2019", "2019")),
    ("date:[2018-01 TO 2019-06]", DateRange("2018-01", "2019-06")),
    ("date:[2018 TO]", DateRange("2018", None)),
    ("date:[TO 2018]", DateRange(None, "2018")),
])
def test_dates_and_date_ranges(text, expected):
    assert tree(text) == expected


def test_near_joins_words_in_any_order_within_a_distance():
    assert tree("souveraineté NEAR/5 Mali") == Near((Word("souveraineté"), Word("Mali")), 5)
    assert tree("souveraineté PROCHE/3 Mali") == Near((Word("souveraineté"), Word("Mali")), 3)
    assert tree("souveraineté NEAR Mali") == Near((Word("souveraineté"), Word("Mali")), 10)


def test_a_url_is_a_word_not_a_field():
    assert isinstance(tree("https://exemple.ml/q01"), Word)


def test_describe_gives_the_query_back_as_text():
    assert describe(tree('Mali -"coopération sécuritaire" titre:Chine')) == \
        '(Mali AND NOT "coopération sécuritaire" AND title:Chine)'


# ---------------------------------------------------------------- what really is malformed


@pytest.mark.parametrize("text, words", [
    ('"coopération sécuritaire', ['"', "phrase is not closed"]),
    ("(Mali OR Niger", ["parenthes"]),
    ("Mali OR Niger)", ["parenthes"]),
    ("autor:AFP", ["autor", "auteur"]),
    ("*", ["*", "filters"]),
    ("a*", ["a*", "2"]),
    ("date:2019-13", ["YYYY"]),
    ("date:0000", ["YYYY", "0001"]),
    ("date:201*", ["YYYY"]),
    ("(" * 30 + "Mali" + ")" * 30, ["nested"]),
])
def test_malformed_syntax_is_refused_with_a_message_naming_the_fix(text, words):
    with pytest.raises(QuerySyntaxError) as refused:
        parse(text)
    for word in words:
        assert word in str(refused.value)


def test_clean_word_strips_punctuation_but_keeps_inner_apostrophes_hyphens_and_wildcards():
    assert clean_word("«l’ambassadeur»,") == "l’ambassadeur"
    assert clean_word("sino-maliennes.") == "sino-maliennes"
    assert clean_word("souverain*?") == "souverain*"
