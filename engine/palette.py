"""Colours of class maps: the ones people expect for common land-cover names, else a palette.

Used for the GeoTIFF colour table (engine/classify.py) and the paletted
renderer QGIS shows (algorithms/classify.py), so both agree. Names are
matched by word, in English and French ("Open water", "plan d'eau",
"Forêt"), never by substring ("plateau" is not water). The fallback palette
has no blue, so only water looks like water.
"""

import re
import unicodedata
from typing import Dict, Tuple

RGB = Tuple[int, int, int]

# word -> colour; a class takes the colour of its first known word
KNOWN: Dict[str, RGB] = {}
for _words, _colour in (
    (("water", "eau", "eaux", "lake", "lac", "river", "riviere", "fleuve", "sea", "mer", "ocean"), (31, 120, 200)),
    (("forest", "foret", "forets", "woodland", "bois", "tree", "trees", "arbres"), (27, 120, 55)),
    (("crops", "crop", "cropland", "cultures", "culture", "agriculture", "arable"), (230, 194, 41)),
    (("urban", "urbain", "built", "bati", "buildings", "batiments", "artificial", "artificiel"), (178, 24, 43)),
    (("grass", "grassland", "prairie", "prairies", "pasture", "pelouse"), (127, 188, 65)),
    (("bare", "nu", "soil", "sol", "sand", "sable", "rock", "roche"), (194, 168, 120)),
    (("snow", "neige", "ice", "glace"), (240, 240, 240)),
    (("wetland", "wetlands", "marsh", "marais", "humide"), (102, 194, 165)),
    (("shrub", "shrubland", "shrubs", "arbustes", "lande", "maquis"), (166, 118, 29)),
    (("cloud", "nuage", "nuages"), (200, 200, 200)),
):
    for _word in _words:
        KNOWN[_word] = _colour

# Other classes, by their order among the unknown names: no blue in it.
FALLBACK = [
    (51, 160, 44), (255, 127, 0), (227, 26, 28), (106, 61, 154), (177, 89, 40), (251, 154, 153),
    (253, 191, 111), (178, 223, 138), (202, 178, 214), (255, 237, 111), (128, 128, 128), (141, 211, 199),
]


def _words(name: str):
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii").lower()
    return [word for word in re.split(r"[^a-z0-9]+", plain) if word]


def known_colour(name: str):
    """The expected colour of a class name (e.g. blue for water / eau), or None."""
    for word in _words(name):
        if word in KNOWN:
            return KNOWN[word]
    return None


def class_colours(classes: Dict[int, str]) -> Dict[int, RGB]:
    """code -> (r, g, b) for a class map's classes."""
    colours, others = {}, 0
    for code, name in sorted(classes.items()):
        colour = known_colour(name)
        if colour is None:
            colour = FALLBACK[others % len(FALLBACK)]
            others += 1
        colours[int(code)] = colour
    return colours


def hex_colour(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
