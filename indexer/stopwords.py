"""Loupe's French stop list: the one definition, imported by the analyzer and the tests.

Whoosh's `lang="fr"` list is not used: it drops content words such as `été`
(summer) and `étions`-style forms users search for. This list keeps only
articles, pronouns, prepositions, conjunctions and the commonest auxiliary forms.
Entries are lowercased; both accented and unaccented spellings are listed where
users commonly drop the accent (`à`/`a`, `où`/`ou`).
"""

FRENCH_STOP_WORDS = frozenset(
    """
    a à au aux avec ce ces cet cette c ça ca d dans de des du elle elles en et eux
    il ils je j l la le les leur leurs lui m ma mais me même meme mes moi mon n ne
    nos notre nous on ou où par pas pour qu que qui s sa se ses si son sur t ta te
    tes toi ton tu un une vos votre vous y
    est sont été etre être ai as avons avez ont avait avaient était etait étaient
    etaient sera seront serait fut soit sont
    ceci cela celle celles celui ceux dont donc or ni car
    """.split()
) - {"été"}  # `été` is also the noun "summer": searchable on purpose
