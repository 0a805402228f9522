"""French translations, applied to i18n/sitscube_fr.ts by scripts/make_ts.py."""

FRENCH = {
    "Cloud mask (SCL)": "Masque de nuages (SCL)",
    "Cube processing": "Traitement de cubes",
    "cloud": "nuage",
    "shadow": "ombre",
    "cirrus": "cirrus",
    "mask": "masque",
    "Mask band": "Bande de masque",
    "Classes to mask": "Classes à masquer",
    "Dilation (pixels)": "Dilatation (pixels)",
    "Drop dates masked more than (fraction 0-1)": "Écarter les dates masquées à plus de (fraction 0-1)",
    "Masked cube": "Cube masqué",
    "MASK_VALUES must be whole numbers separated by commas, e.g. 0,1,3,8,9,10 (got '{text}').":
        "MASK_VALUES doit être une liste d'entiers séparés par des virgules, par ex. 0,1,3,8,9,10 (reçu « {text} »).",
    "Dropped {date}: {percent:.1f}% masked (more than {limit:.0f}%).":
        "{date} écartée : {percent:.1f} % masqué (plus de {limit:.0f} %).",
    "Harmonize Sentinel-2 baselines": "Harmoniser les baselines Sentinel-2",
    "baseline": "baseline",
    "offset": "décalage",
    "harmonize": "harmoniser",
    "Harmonized cube": "Cube harmonisé",
    "Offset removed on {n} date(s): {dates}": "Décalage retiré sur {n} date(s) : {dates}",
    "No date carries the offset: the cube is copied unchanged.": "Aucune date ne porte le décalage : le cube est copié sans changement.",
}
