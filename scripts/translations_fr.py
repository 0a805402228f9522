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
    # Real catalogs (issue 13): bit-flag masks, unflagged dates, units, asset authentication, presets
    "Landsat Collection 2 (qa_pixel) and other bit-flag bands are masked by bits: a pixel is masked when any of the MASK_BITS is set. Default for qa_pixel: fill, dilated_cloud, cirrus, cloud, shadow; add snow or water, or give bit numbers (0-15). A cube without SCL but with qa_pixel is masked with qa_pixel even when MASK_BAND is left at SCL. MASK_VALUES is then not used.":
        "Landsat Collection 2 (qa_pixel) et les autres bandes de bits sont masquées par bits : un pixel est masqué dès que l'un des MASK_BITS est levé. Par défaut pour qa_pixel : fill, dilated_cloud, cirrus, cloud, shadow ; ajoutez snow ou water, ou donnez des numéros de bit (0-15). Un cube sans SCL mais avec qa_pixel est masqué avec qa_pixel même si MASK_BAND reste à SCL. MASK_VALUES n'est alors pas utilisé.",
    "Bits to mask (bit-flag bands such as qa_pixel)": "Bits à masquer (bandes de bits comme qa_pixel)",
    "UNFLAGGED_DATES (advanced): a date without earthsearch:boa_offset_applied in a cube whose other dates have it holds values as ESA ships them, so by default ('baseline') it is corrected by its baseline, with a warning naming it; 'removed' treats such dates as already corrected by the catalog. The baseline is read from s2:processing_baseline, processing:version (CDSE) or the product name (_N0400_). Float cubes are corrected in their units; reflectance that 'Load cube' computed with UNITS 'reflectance' already has each date's offset applied. Dates that need the correction in a cube with no reflectance band are an error.":
        "UNFLAGGED_DATES (avancé) : une date sans earthsearch:boa_offset_applied dans un cube dont les autres dates l'ont porte les valeurs telles que l'ESA les livre ; par défaut (« baseline ») elle est donc corrigée selon sa baseline, avec un avertissement qui la nomme ; « removed » considère ces dates comme déjà corrigées par le catalogue. La baseline est lue dans s2:processing_baseline, processing:version (CDSE) ou le nom du produit (_N0400_). Les cubes flottants sont corrigés dans leurs unités ; la réflectance calculée par « Charger un cube » avec UNITS « reflectance » porte déjà le décalage de chaque date. Des dates à corriger dans un cube sans bande de réflectance sont une erreur.",
    "Dates the catalog did not flag": "Dates que le catalogue n'a pas signalées",
    "This algorithm cannot write a recipe (.sitscube): choose a .nc or .zarr output.":
        "Cet algorithme ne peut pas écrire de recette (.sitscube) : choisissez une sortie .nc ou .zarr.",
    "Recipe written to {path}: the steps run when a later step (or a .nc/.zarr output) needs the values. A recipe is not loaded into the map.":
        "Recette écrite dans {path} : les étapes s'exécutent quand une étape suivante (ou une sortie .nc/.zarr) a besoin des valeurs. Une recette n'est pas chargée dans la carte.",
    "UNITS: 'dn' (default) keeps the values as stored (integers, nodata kept); 'reflectance' writes float32 surface reflectance, each date with its own scale and offset from the items (raster:bands, CDSE's raster:scale/raster:offset, the COG header; Sentinel-2 0.0001 and -0.1 from baseline 04.00 unless the catalog removed it; Landsat Collection 2 Level-2 0.0000275 and -0.2). Such a cube needs no harmonization.\n\nCatalog conventions: asset keys with a resolution (CDSE's B04_10m, B04_20m …) are chosen to fit RESOLUTION and named without it in the cube (B04); data type and nodata come from the COG headers when the items do not state them (Planetary Computer); s3:// assets are read through their https alternate unless S3 credentials (AWS_ACCESS_KEY_ID …) are set. AUTH_CONFIG (advanced): a QGIS authentication configuration whose headers (e.g. a CDSE bearer token) are sent with every asset request; they are never written to the cube or the log.":
        "UNITS : « dn » (par défaut) garde les valeurs stockées (entiers, nodata conservé) ; « reflectance » écrit la réflectance de surface en float32, chaque date avec son propre facteur et décalage tirés des items (raster:bands, raster:scale/raster:offset du CDSE, l'en-tête du COG ; Sentinel-2 0,0001 et -0,1 à partir de la baseline 04.00 sauf si le catalogue l'a retiré ; Landsat Collection 2 niveau 2 0,0000275 et -0,2). Un tel cube n'a pas besoin d'harmonisation.\n\nConventions des catalogues : les clés d'assets avec une résolution (B04_10m, B04_20m … du CDSE) sont choisies selon RESOLUTION et nommées sans elle dans le cube (B04) ; type de données et nodata viennent des en-têtes COG quand les items ne les donnent pas (Planetary Computer) ; les assets s3:// sont lus par leur alternative https sauf si des identifiants S3 (AWS_ACCESS_KEY_ID …) sont définis. AUTH_CONFIG (avancé) : une configuration d'authentification QGIS dont les en-têtes (par ex. un jeton bearer du CDSE) accompagnent chaque requête d'asset ; ils ne sont jamais écrits dans le cube ni dans le journal.",
    "Values": "Valeurs",
    "Authentication for the assets": "Authentification pour les assets",
    "More presets: 'cdse' (Copernicus Data Space Ecosystem, ESA's own catalog: assets B04_10m, B04_20m … are chosen to fit the cube's resolution; its s3:// assets are read through their https alternates unless S3 credentials are set, with the bearer token of an AUTH_CONFIG in 'Load cube') and 'usgs-landsat' (USGS LandsatLook, Landsat Collection 2 Level-2, collection landsat-c2l2-sr). Landsat Collection 2 Level-2 is also 'landsat-c2-l2' on Earth Search and the Planetary Computer.":
        "Autres préréglages : « cdse » (Copernicus Data Space Ecosystem, le catalogue de l'ESA : les assets B04_10m, B04_20m … sont choisis selon la résolution du cube ; ses assets s3:// sont lus par leurs alternatives https sauf si des identifiants S3 sont définis, avec le jeton bearer d'un AUTH_CONFIG dans « Charger un cube ») et « usgs-landsat » (USGS LandsatLook, Landsat Collection 2 niveau 2, collection landsat-c2l2-sr). Landsat Collection 2 niveau 2 est aussi « landsat-c2-l2 » sur Earth Search et le Planetary Computer.",
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
    'Temporal composite': 'Composite temporel',
    'composite': 'composite',
    'median': 'médiane',
    'mosaic': 'mosaïque',
    'cloud-free': 'sans nuages',
    'percentile': 'centile',
    'Method': 'Méthode',
    'Bands (default: all but class bands)': 'Bandes (par défaut : toutes sauf les bandes de classes)',
    'From date (optional)': 'Depuis la date (facultatif)',
    'To date (optional, included)': "Jusqu'à la date (facultatif, incluse)",
    'One composite per': 'Un composite par',
    'Composite': 'Composite',
    'Export time series': 'Exporter les séries temporelles',
    'export': 'export',
    'samples': 'échantillons',
    'Points (optional)': 'Points (facultatif)',
    'Point id field': 'Champ identifiant des points',
    'Time series (CSV)': 'Séries temporelles (CSV)',
    'Cube as netCDF (optional)': 'Cube en netCDF (facultatif)',
    '{n} feature(s) without geometry were skipped.': '{n} entité(s) sans géométrie ignorée(s).',
    'POINTS has no feature with a geometry.': "POINTS n'a aucune entité avec une géométrie.",
    'Gap-fill in time': 'Combler les lacunes dans le temps',
    'gap': 'lacune',
    'interpolation': 'interpolation',
    "Fill the series' ends with the nearest value": 'Remplir les extrémités de la série avec la valeur la plus proche',
    'Maximum gap (days)': 'Lacune maximale (jours)',
    'Gap-filled cube': 'Cube comblé',
    'Spectral index': 'Indice spectral',
    'index': 'indice',
    'vegetation': 'végétation',
    'Index': 'Indice',
    'Cube with the index': "Cube avec l'indice",
    'Classify': 'Classer',
    'Classification': 'Classification',
    'random forest': 'forêt aléatoire',
    'classification': 'classification',
    'prediction': 'prédiction',
    'land cover': 'occupation du sol',
    'map': 'carte',
    'Raster': 'Raster',
    'Model': 'Modèle',
    'SITS Cube model (*.sitsmodel)': 'Modèle SITS Cube (*.sitsmodel)',
    'Classes': 'Classes',
    'Probability': 'Probabilité',
    '{n} training feature(s) skipped: {reason}.': "{n} entité(s) d'entraînement ignorée(s) : {reason}.",
    'Train random forest': 'Entraîner une forêt aléatoire',
    'training': 'entraînement',
    'accuracy': 'précision',
    'Training polygons or points': "Polygones ou points d'entraînement",
    'Class field': 'Champ de classe',
    'Number of trees': "Nombre d'arbres",
    'Cross-validation folds': 'Plis de validation croisée',
    'Maximum tree depth (empty: unlimited)': 'Profondeur maximale des arbres (vide : illimitée)',
    'Balance classes (weights)': 'Équilibrer les classes (poids)',
    'Maximum pixels per class': 'Nombre maximal de pixels par classe',
    'Random seed': 'Graine aléatoire',
    'Accuracy report': 'Rapport de précision',
    'HTML (*.html)': 'HTML (*.html)',
    'CLASS_FIELD is empty: choose the field of the training layer that holds the class.': "CLASS_FIELD est vide : choisissez le champ de la couche d'entraînement qui contient la classe.",
    'The training layer has no feature.': "La couche d'entraînement n'a aucune entité.",
    "No training feature has both a valid geometry and a value in '{field}'.": "Aucune entité d'entraînement n'a à la fois une géométrie valide et une valeur dans « {field} ».",
    '{n} training pixels in {k} classes.': "{n} pixels d'entraînement dans {k} classes.",
    'Overall accuracy {oa:.3f}, kappa {kappa:.3f} (spatially blocked cross-validation).': 'Précision globale {oa:.3f}, kappa {kappa:.3f} (validation croisée spatialement par blocs).',
    'no geometry': 'sans géométrie',
    'invalid geometry': 'géométrie invalide',
    'no class value': 'sans valeur de classe',
    '{n} zone(s) with an empty or invalid geometry were skipped (their statistics are empty).': '{n} zone(s) à géométrie vide ou invalide ignorée(s) (statistiques vides).',
    'Zonal statistics': 'Statistiques zonales',
    'zonal': 'zonal',
    'statistics': 'statistiques',
    'polygon': 'polygone',
    'field': 'parcelle',
    'parcel': 'parcelle',
    'area': 'surface',
    'Raster or cube band layer': "Raster ou couche d'une bande de cube",
    'Zones': 'Zones',
    'Statistics': 'Statistiques',
    'Zones with statistics': 'Zones avec statistiques',
    'Long table (CSV)': 'Table longue (CSV)',
    'ZONES has no polygon with a valid geometry.': "ZONES n'a aucun polygone à géométrie valide.",
    '{n} date/band/statistic fields are too many for a layer: they are in the long table only.': '{n} champs date/bande/statistique, trop pour une couche : ils sont seulement dans la table longue.',
    'Workflows': 'Chaînes de traitement',
    'Cloud-free composite from STAC': 'Composite sans nuages depuis STAC',
    'Land-cover map from STAC': "Carte d'occupation du sol depuis STAC",
    'When an asset cannot be read': "Quand un asset ne peut pas être lu",
}


# Help texts (shortHelpString: literals concatenated across lines, one tr()
# each), the footprint layer's field aliases and the settings page.
FRENCH.update({
    'STAC catalog': 'Catalogue STAC',
    (
        "The STAC API that 'STAC search' proposes by default, e.g. Earth Search or Planetary Computer. "
        'Environment variable: SITSCUBE_CATALOG_URL.'
    ): (
        "L'API STAC que « Recherche STAC » propose par défaut, par ex. Earth Search ou Planetary Computer. "
        "Variable d'environnement : SITSCUBE_CATALOG_URL."
    ),
    'Default catalog URL': 'URL du catalogue par défaut',
    'Computation': 'Calcul',
    'Threads on this computer (default)': 'Threads sur cet ordinateur (par défaut)',
    'Local Dask cluster (worker processes)': 'Cluster Dask local (processus de travail)',
    'Existing Dask cluster at this address': 'Cluster Dask existant à cette adresse',
    (
        "Where the cube computations run: dask's threads in QGIS, a local cluster of worker processes "
        'started on first use, or an existing Dask cluster (its scheduler address, e.g. tcp://host:8786). '
        'Environment variable: SITSCUBE_DASK_SCHEDULER.'
    ): (
        "Où s'exécutent les calculs sur les cubes : les threads de dask dans QGIS, un cluster local de "
        "processus de travail démarré à la première utilisation, ou un cluster Dask existant (l'adresse de "
        "son ordonnanceur, par ex. tcp://host:8786). Variable d'environnement : SITSCUBE_DASK_SCHEDULER."
    ),
    'Dask scheduler': 'Ordonnanceur Dask',
    (
        "The Dask scheduler's address, e.g. tcp://host:8786."
    ): (
        "L'adresse de l'ordonnanceur Dask, par ex. tcp://host:8786."
    ),
    'Scheduler address': "Adresse de l'ordonnanceur",
    'Automatic': 'Automatique',
    (
        'Memory budget for one computation, in MB; 0 (Automatic) lets dask choose. It is the hint for the '
        'size of dask chunks (a quarter of the budget per chunk): lower it if QGIS runs out of memory, raise '
        'it for fewer, larger reads. Environment variable: SITSCUBE_MEMORY_LIMIT_MB.'
    ): (
        "Budget mémoire d'un calcul, en Mo ; 0 (Automatique) laisse dask choisir. Il sert d'indication pour "
        'la taille des blocs (chunks) dask (un quart du budget par bloc) : baissez-le si QGIS manque de '
        "mémoire, augmentez-le pour des lectures moins nombreuses et plus grandes. Variable d'environnement "
        ': SITSCUBE_MEMORY_LIMIT_MB.'
    ),
    'Memory limit': 'Limite de mémoire',
    'Cache folder': 'Dossier de cache',
    (
        'Folder for downloaded and intermediate files; created when first used. Default: a folder in the '
        'QGIS profile. Environment variable: SITSCUBE_CACHE_DIR.'
    ): (
        'Dossier des fichiers téléchargés et intermédiaires ; créé à la première utilisation. Par défaut : '
        "un dossier dans le profil QGIS. Variable d'environnement : SITSCUBE_CACHE_DIR."
    ),
    'HTTP (STAC requests and image reads)': 'HTTP (requêtes STAC et lecture des images)',
    (
        'Extra attempts after a rate limit (429), a temporary server error (5xx) or a dropped connection. '
        'Environment variable: SITSCUBE_HTTP_RETRIES.'
    ): (
        'Tentatives supplémentaires après une limitation de débit (429), une erreur temporaire du serveur '
        "(5xx) ou une connexion interrompue. Variable d'environnement : SITSCUBE_HTTP_RETRIES."
    ),
    'Retries': 'Nouvelles tentatives',
    (
        'Wait before the first retry; it doubles at each retry. Environment variable: SITSCUBE_HTTP_BACKOFF.'
    ): (
        'Attente avant la première nouvelle tentative ; elle double à chaque tentative. Variable '
        "d'environnement : SITSCUBE_HTTP_BACKOFF."
    ),
    'First retry after': 'Première nouvelle tentative après',
    (
        "Longest wait between two attempts, a server's Retry-After included. Environment variable: "
        'SITSCUBE_HTTP_MAX_WAIT.'
    ): (
        "Attente maximale entre deux tentatives, Retry-After du serveur compris. Variable d'environnement : "
        'SITSCUBE_HTTP_MAX_WAIT.'
    ),
    'Longest wait between attempts': 'Attente maximale entre deux tentatives',
    (
        "No retry starts that could end later than this after a request's first attempt. Environment "
        'variable: SITSCUBE_HTTP_DEADLINE.'
    ): (
        "Aucune nouvelle tentative n'est lancée si elle peut se terminer plus tard que ce délai après la "
        "première tentative d'une requête. Variable d'environnement : SITSCUBE_HTTP_DEADLINE."
    ),
    'Give up a request after': 'Abandonner une requête après',
    (
        'For headless runs (qgis_process, scripts), the SITSCUBE_* environment variables named in the '
        'tooltips override these settings.'
    ): (
        "Pour les exécutions sans interface (qgis_process, scripts), les variables d'environnement "
        'SITSCUBE_* indiquées dans les infobulles remplacent ces paramètres.'
    ),
    (
        'Overridden by the environment variable {name}={value}'
    ): (
        "Remplacé par la variable d'environnement {name}={value}"
    ),
    (
        "Applies a model from 'Train random forest' to a raster with the same bands, block by block, so "
        "memory stays bounded whatever the raster's size. Pixels that are nodata in any band stay nodata.\n\n"
        'Output: a class raster (GeoTIFF, class codes) loaded with a palette and the class names; optionally '
        'the probability of the chosen class (0-1), a confidence map. A raster whose bands do not match the '
        'model is refused.'
    ): (
        'Applique un modèle issu de « Entraîner une forêt aléatoire » à un raster ayant les mêmes bandes, '
        'bloc par bloc, pour que la mémoire reste bornée quelle que soit la taille du raster. Les pixels '
        "nodata dans l'une des bandes restent nodata.\n\n"
        'Sortie : un raster de classes (GeoTIFF, codes de classes) chargé avec une palette et les noms des '
        'classes ; en option, la probabilité de la classe retenue (0-1), qui sert de carte de confiance. Un '
        'raster dont les bandes ne correspondent pas au modèle est refusé.'
    ),
    (
        'Masks a cube with its Scene Classification Layer: pixels whose class is in MASK_VALUES become '
        'nodata in every band except the mask band (kept, so you can see why a pixel was masked).\n\n'
        'Default classes: 0 no data, 1 saturated or defective, 3 cloud shadow, 8 cloud medium probability, 9 '
        'cloud high probability, 10 thin cirrus. DILATION grows the masked area by that many pixels (a disc) '
        'to catch cloud edges. MAX_MASKED_FRACTION (0-1, optional) drops whole dates whose masked share of '
        'the observed area is larger; the log lists them and why.'
    ): (
        "Masque un cube à l'aide de sa couche de classification de scène (SCL) : les pixels dont la classe "
        'figure dans MASK_VALUES deviennent nodata dans toutes les bandes sauf la bande de masque '
        '(conservée, pour voir pourquoi un pixel a été masqué).\n\n'
        'Classes par défaut : 0 pas de données, 1 saturé ou défectueux, 3 ombre de nuage, 8 nuage de '
        'probabilité moyenne, 9 nuage de probabilité élevée, 10 cirrus fins. DILATION étend la zone masquée '
        "d'autant de pixels (un disque) pour attraper les bords des nuages. MAX_MASKED_FRACTION (0-1, "
        'facultatif) écarte les dates entières dont la part masquée de la surface observée est plus grande ; '
        'le journal les liste avec la raison.'
    ),
    (
        'Reduces a cube over time, pixel by pixel, ignoring nodata (masked clouds): median (default), mean, '
        'min, max or a percentile. Optionally over a date window (START_DATE, END_DATE, both included) and '
        'per period (one composite per month or per season DJF/MAM/JJA/SON).\n\n'
        'BANDS: the bands to keep (default: every band but class bands such as SCL).\n\n'
        'Output: a tiled, compressed multi-band GeoTIFF whose band descriptions are the band names (and '
        'periods); loaded into the map in true colour when it has red, green and blue bands. Integer bands '
        'keep their type for median, min and max; mean and percentiles are float.'
    ): (
        'Réduit un cube dans le temps, pixel par pixel, en ignorant les nodata (nuages masqués) : médiane '
        '(par défaut), moyenne, min, max ou un centile. En option, sur une fenêtre de dates (START_DATE, '
        'END_DATE, toutes deux incluses) et par période (un composite par mois ou par saison '
        'DJF/MAM/JJA/SON).\n\n'
        'BANDS : les bandes à conserver (par défaut : toutes les bandes sauf les bandes de classes comme '
        'SCL).\n\n'
        'Sortie : un GeoTIFF multibande tuilé et compressé dont les descriptions de bandes sont les noms des '
        "bandes (et des périodes) ; chargé dans la carte en couleurs naturelles s'il a des bandes rouge, "
        'verte et bleue. Les bandes entières gardent leur type pour la médiane, le min et le max ; la '
        'moyenne et les centiles sont en nombres flottants.'
    ),
    (
        "Writes a cube's time series as a long CSV table with one row per pixel (or point), date and band: "
        "id, x, y, date, band, value (empty where nodata), as the sits package's to_csv does; and, "
        'optionally, the cube as a CF netCDF file (to_nc).\n\n'
        'POINTS (optional): a point layer in any CRS; each point takes the value of the pixel it falls in, '
        'and its id from ID_FIELD (default: the feature id). Without points, every pixel is written.'
    ): (
        "Écrit les séries temporelles d'un cube dans une table CSV longue, avec une ligne par pixel (ou "
        'point), date et bande : id, x, y, date, band, value (vide là où la valeur est nodata), comme le '
        'fait to_csv du package sits ; et, en option, le cube en fichier netCDF CF (to_nc).\n\n'
        "POINTS (facultatif) : une couche de points dans n'importe quel SCR ; chaque point prend la valeur "
        "du pixel dans lequel il tombe, et son identifiant dans ID_FIELD (par défaut : l'identifiant de "
        "l'entité). Sans points, tous les pixels sont écrits."
    ),
    (
        "Fills nodata pixels (for instance masked clouds) of every reflectance band from the same pixel's "
        "valid values at other dates. 'linear' interpolates between the previous and the next valid value, "
        'weighted by the acquisition dates (a date 10 days after a valid one and 30 days before the next is '
        "1/4 of the way); 'nearest' takes the closest valid date; 'previous' the last valid one.\n\n"
        'FILL_EDGES fills dates before the first and after the last valid value with the nearest valid '
        'value. MAX_GAP_DAYS (optional) leaves gaps longer than that as nodata. Pixels never valid stay '
        'nodata; class bands such as SCL are unchanged.'
    ): (
        'Comble les pixels nodata (par exemple les nuages masqués) de chaque bande de réflectance à partir '
        "des valeurs valides du même pixel à d'autres dates. « linear » interpole entre la valeur valide "
        "précédente et la suivante, avec une pondération par les dates d'acquisition (une date située 10 "
        'jours après une date valide et 30 jours avant la suivante est au quart du chemin) ; « nearest » '
        'prend la date valide la plus proche ; « previous » la dernière date valide.\n\n'
        'FILL_EDGES remplit les dates avant la première et après la dernière valeur valide avec la valeur '
        'valide la plus proche. MAX_GAP_DAYS (facultatif) laisse en nodata les lacunes plus longues que '
        'cette durée. Les pixels jamais valides restent nodata ; les bandes de classes comme SCL ne sont pas '
        'modifiées.'
    ),
    (
        "From processing baseline 04.00 (25 January 2022) ESA's Sentinel-2 L2A products add 1000 to every "
        'reflectance band (BOA_ADD_OFFSET = -1000), and older products reprocessed to baseline 05.00 carry '
        "it too. This algorithm removes it date by date, from each date's processing baseline (not from its "
        'date), so a time series crosses January 2022 without a jump.\n\n'
        "Dates the catalog already corrected (Earth Search's earthsearch:boa_offset_applied) are skipped; "
        'SCL and other class bands are untouched; nodata (0) stays nodata; values that were below the offset '
        '(negative reflectance) become 1, never wrap around; bright values (clouds, snow above 1.0) are '
        'kept. A cube already harmonized is left unchanged, with a warning.\n\n'
        "Input and output: cubes (.nc or .zarr) as written by 'Load cube'."
    ): (
        "Depuis la ligne de base de traitement 04.00 (25 janvier 2022), les produits Sentinel-2 L2A de l'ESA "
        'ajoutent 1000 à chaque bande de réflectance (BOA_ADD_OFFSET = -1000), et les produits plus anciens '
        "retraités en ligne de base 05.00 le portent aussi. Cet algorithme le retire date par date, d'après "
        "la ligne de base de traitement de chaque date (et non d'après la date elle-même), pour qu'une série "
        'temporelle franchisse janvier 2022 sans saut.\n\n'
        "Les dates déjà corrigées par le catalogue (earthsearch:boa_offset_applied d'Earth Search) sont "
        'ignorées ; SCL et les autres bandes de classes ne sont pas modifiées ; nodata (0) reste nodata ; '
        'les valeurs qui étaient sous le décalage (réflectance négative) deviennent 1, sans jamais repartir '
        'par le haut de la plage des entiers ; les valeurs élevées (nuages, neige au-dessus de 1,0) sont '
        'conservées. Un cube déjà harmonisé est laissé inchangé, avec un avertissement.\n\n'
        "Entrée et sortie : des cubes (.nc ou .zarr) tels qu'écrits par « Charger un cube »."
    ),
    (
        "Loads the items found by 'STAC search' as a regular (time, y, x) data cube with odc-stac, reading "
        'the Cloud-Optimized GeoTIFFs lazily and chunk by chunk.\n\n'
        'ITEMS: the item collection (GeoJSON file or footprint layer). AOI: the area to load (default: all '
        "items). CRS: the cube's CRS (default: the UTM zone of the area). RESOLUTION: pixel size in CRS "
        "units (metres for UTM). BANDS: asset keys or common names, comma separated, e.g. 'red,nir,scl' or "
        "'B04,B08,SCL'. GROUPBY: 'solar_day' fuses the tiles of one overpass into one date. Categorical "
        "bands such as SCL are always resampled with 'nearest'.\n\n"
        'Output: a cube file, netCDF (.nc, default) or Zarr (.zarr), with one variable per band, integer '
        'types and nodata kept, and per-date metadata (item ids, platform, processing baseline, cloud '
        'cover). Each band is loaded into the map as a raster layer with one band per date.\n\n'
        "ON_ASSET_ERROR: every asset is opened first (with GDAL's HTTP retries); if one still cannot be "
        "read, 'fail' (default) stops before writing and names the item and asset, 'skip' leaves those items "
        'out with a warning listing them.'
    ): (
        'Charge les items trouvés par « Recherche STAC » en un cube de données régulier (time, y, x) avec '
        'odc-stac, en lisant les GeoTIFF optimisés pour le cloud (COG) à la demande, bloc par bloc.\n\n'
        "ITEMS : la collection d'items (fichier GeoJSON ou couche d'emprises). AOI : la zone à charger (par "
        "défaut : tous les items). CRS : le SCR du cube (par défaut : la zone UTM de la zone d'intérêt). "
        "RESOLUTION : taille du pixel en unités du SCR (mètres en UTM). BANDS : clés d'asset ou noms "
        'communs, séparés par des virgules, par ex. « red,nir,scl » ou « B04,B08,SCL ». GROUPBY : « '
        "solar_day » fusionne les tuiles d'un même passage en une seule date. Les bandes catégorielles comme "
        'SCL sont toujours rééchantillonnées au plus proche voisin (« nearest »).\n\n'
        'Sortie : un fichier cube, netCDF (.nc, par défaut) ou Zarr (.zarr), avec une variable par bande, '
        'les types entiers et le nodata conservés, et des métadonnées par date (identifiants des items, '
        'plateforme, ligne de base de traitement, couverture nuageuse). Chaque bande est chargée dans la '
        'carte comme une couche raster avec une bande par date.\n\n'
        "ON_ASSET_ERROR : chaque asset est d'abord ouvert (avec les nouvelles tentatives HTTP de GDAL) ; si "
        "l'un d'eux reste illisible, « fail » (par défaut) s'arrête avant d'écrire en nommant l'item et "
        "l'asset, « skip » écarte ces items avec un avertissement qui les liste."
    ),
    (
        'Adds a spectral index to the cube as a new float variable, computed in reflectance (the digital '
        "numbers times the band's scale, 0.0001 for Sentinel-2):\nNDVI (nir-red)/(nir+red); NDWI "
        '(green-nir)/(green+nir); NDMI (nir-swir16)/(nir+swir16); NBR (nir-swir22)/(nir+swir22); EVI '
        '2.5(nir-red)/(nir+6red-7.5blue+1); SAVI 1.5(nir-red)/(nir+red+0.5).\n\n'
        'Bands are found by common name (red is B04 or red). Pixels where an input is nodata are NaN. '
        'Harmonize the cube first if it carries the baseline 04.00 offset.'
    ): (
        'Ajoute au cube un indice spectral, comme nouvelle variable en nombres flottants, calculé en '
        "réflectance (les comptes numériques multipliés par le facteur d'échelle de la bande, 0,0001 pour "
        'Sentinel-2) :\nNDVI (nir-red)/(nir+red) ; NDWI (green-nir)/(green+nir) ; NDMI '
        '(nir-swir16)/(nir+swir16) ; NBR (nir-swir22)/(nir+swir22) ; EVI 2.5(nir-red)/(nir+6red-7.5blue+1) ; '
        'SAVI 1.5(nir-red)/(nir+red+0.5).\n\n'
        'Les bandes sont trouvées par leur nom commun (red est B04 ou red). Les pixels où une entrée est '
        "nodata valent NaN. Harmonisez d'abord le cube s'il porte le décalage de la ligne de base 04.00."
    ),
    'Date': 'Date',
    'Cloud cover (%)': 'Couverture nuageuse (%)',
    'Platform': 'Plateforme',
    'Processing baseline': 'Ligne de base de traitement',
    'Tile': 'Tuile',
    'Offset removed by catalog': 'Décalage retiré par le catalogue',
    (
        'Searches a STAC API (Earth Search, Planetary Computer or any other) for items of a collection that '
        'intersect an area, between two dates (both included), with at most a given cloud cover.\n\n'
        'The area can be drawn on the map, typed, or taken from a layer, in any CRS. Cloud cover is filtered '
        "by the server when it supports the 'filter' or 'query' extension, otherwise after download (with a "
        'warning). Results are sorted by date.\n\n'
        'Busy or flaky catalogs: each request waits at most TIMEOUT seconds for an answer; rate limits (429) '
        'and temporary errors (500, 502, 503, 504, dropped connections) are retried up to 4 times with '
        "growing waits (0.5, 1, 2, 4 s, or the server's Retry-After up to 60 s), never past 120 s per "
        'request. Retries are reported in the log.\n\n'
        "Output: the STAC ItemCollection as GeoJSON, loaded as a footprint layer. Use it as ITEMS in 'Load "
        "cube'."
    ): (
        "Recherche dans une API STAC (Earth Search, Planetary Computer ou toute autre) les items d'une "
        'collection qui intersectent une zone, entre deux dates (toutes deux incluses), avec au plus une '
        'couverture nuageuse donnée.\n\n'
        "La zone peut être dessinée sur la carte, saisie ou tirée d'une couche, dans n'importe quel SCR. La "
        "couverture nuageuse est filtrée par le serveur s'il prend en charge l'extension « filter » ou « "
        'query », sinon après le téléchargement (avec un avertissement). Les résultats sont triés par date.\n\n'
        'Catalogues surchargés ou instables : chaque requête attend une réponse au plus TIMEOUT secondes ; '
        'les limitations de débit (429) et les erreurs temporaires (500, 502, 503, 504, connexions '
        "interrompues) sont retentées jusqu'à 4 fois avec des attentes croissantes (0,5 s, 1 s, 2 s, 4 s, ou "
        "le Retry-After du serveur jusqu'à 60 s), jamais au-delà de 120 s par requête. Les nouvelles "
        'tentatives sont signalées dans le journal.\n\n'
        "Sortie : l'ItemCollection STAC en GeoJSON, chargée comme couche d'emprises. Utilisez-la comme ITEMS "
        'dans « Charger un cube ».'
    ),
    (
        'No items found in {collections} for this area between {start} and {end} with cloud cover ≤ '
        '{cloud}%. Widen the area or the dates, or raise MAX_CLOUD.'
    ): (
        'Aucun item trouvé dans {collections} pour cette zone entre le {start} et le {end} avec une '
        'couverture nuageuse ≤ {cloud} %. Élargissez la zone ou les dates, ou augmentez MAX_CLOUD.'
    ),
    (
        'Trains a scikit-learn random forest on the pixels of a multi-band raster (a composite, a stack, a '
        'cube band layer) inside training polygons, or under training points, labelled by CLASS_FIELD (text '
        'or integer). The training layer may be in any CRS.\n\n'
        'Accuracy is estimated with spatially blocked cross-validation: a whole polygon (or, for points, a '
        'spatial block) is never split between training and test, so neighbouring, nearly identical pixels '
        'cannot inflate the score. The report gives the confusion matrix, overall accuracy, kappa, per-class '
        'precision, recall and F1, and feature importance. When blocked cross-validation is impossible (a '
        'class with a single polygon) the report says so plainly and the model is still trained.\n\n'
        "Outputs: the model file (bands, classes, CRS and parameters recorded) for 'Classify', and the "
        'report as HTML, with JSON and CSV next to it.'
    ): (
        "Entraîne une forêt aléatoire scikit-learn sur les pixels d'un raster multibande (un composite, un "
        "empilement, une couche de bande de cube) à l'intérieur de polygones d'entraînement, ou sous des "
        "points d'entraînement, étiquetés par CLASS_FIELD (texte ou entier). La couche d'entraînement peut "
        "être dans n'importe quel SCR.\n\n"
        'La précision est estimée par validation croisée spatialement par blocs : un polygone entier (ou, '
        "pour des points, un bloc spatial) n'est jamais partagé entre entraînement et test, de sorte que des "
        'pixels voisins presque identiques ne peuvent pas gonfler le score. Le rapport donne la matrice de '
        'confusion, la précision globale, le kappa, la précision, le rappel et le F1 par classe, et '
        "l'importance des variables. Quand la validation croisée par blocs est impossible (une classe avec "
        'un seul polygone), le rapport le dit clairement et le modèle est tout de même entraîné.\n\n'
        'Sorties : le fichier du modèle (bandes, classes, SCR et paramètres enregistrés) pour « Classer », '
        'et le rapport en HTML, avec JSON et CSV à côté.'
    ),
    (
        "Statistics of a raster's pixels inside each polygon: count, sum, mean, std (population), min, max, "
        'median, percentiles, and for class maps the majority class and the area of each class (in the '
        "raster's projected CRS units, e.g. m²).\n\n"
        "A pixel belongs to a polygon when its centre is inside it, as QGIS's own zonal statistics does for "
        'polygons that contain pixel centres; nodata pixels are ignored. Zones may overlap and may be in any '
        'CRS.\n\n'
        "When INPUT is a band layer of a cube (as 'Load cube' puts in the map), the statistics are computed "
        'for every band and date of the cube: a long table (zone, date, band, statistics) is written to '
        'OUTPUT_TABLE, and the values are added to the zones as fields named band_date_statistic.'
    ): (
        "Statistiques des pixels d'un raster à l'intérieur de chaque polygone : nombre, somme, moyenne, "
        'écart type (de la population), min, max, médiane, centiles et, pour les cartes de classes, la '
        'classe majoritaire et la surface de chaque classe (dans les unités du SCR projeté du raster, par '
        'ex. m²).\n\n'
        "Un pixel appartient à un polygone quand son centre est à l'intérieur, comme le font les "
        'statistiques zonales de QGIS pour les polygones qui contiennent des centres de pixels ; les pixels '
        "nodata sont ignorés. Les zones peuvent se chevaucher et être dans n'importe quel SCR.\n\n"
        "Quand INPUT est une couche de bande d'un cube (telle que « Charger un cube » en ajoute à la carte), "
        'les statistiques sont calculées pour chaque bande et chaque date du cube : une table longue (zone, '
        'date, bande, statistiques) est écrite dans OUTPUT_TABLE, et les valeurs sont ajoutées aux zones '
        'dans des champs nommés bande_date_statistique.'
    ),
    (
        "SITS Cube needs Python packages that QGIS cannot import: {names}. Install them with: {command} "
        "(on Windows, in the OSGeo4W Shell; or pip install -r \"{requirements}\"), then restart QGIS."
    ): (
        "SITS Cube a besoin de paquets Python que QGIS ne peut pas importer : {names}. Installez-les avec : "
        "{command} (sous Windows, dans l'OSGeo4W Shell ; ou pip install -r \"{requirements}\"), puis "
        "redémarrez QGIS."
    ),
    'MB': 'Mo',
    "CATALOG: 'custom' (default) uses CATALOG_URL as given (empty: the default catalog of the settings). 'earth-search' (Earth Search v1, Element 84) and 'planetary-computer' (Microsoft Planetary Computer) use the preset's address when CATALOG_URL is empty or is the address of a preset (such as the default); any other CATALOG_URL is kept as a mirror or proxy of that catalog. An empty COLLECTION means the preset's collection (sentinel-2-l2a). Bands such as 'red,nir,scl' or 'B04,B08,SCL' load from both catalogs; Planetary Computer assets are signed with SAS tokens when the cube is loaded.\n\nHEADERS (advanced): extra HTTP headers sent with every request to the catalog, as 'Name: value' lines or a JSON object, e.g. 'Authorization: Bearer …'. AUTH_CONFIG: a QGIS authentication configuration (Basic, API header …) whose headers are added the same way; HEADERS win on a name clash. Header values are never written to the log.": "CATALOG : « custom » (par défaut) utilise CATALOG_URL tel quel (vide : le catalogue par défaut des paramètres). « earth-search » (Earth Search v1, Element 84) et « planetary-computer » (Microsoft Planetary Computer) utilisent l'adresse du préréglage quand CATALOG_URL est vide ou est l'adresse d'un préréglage (comme la valeur par défaut) ; toute autre CATALOG_URL est gardée comme miroir ou mandataire de ce catalogue. Une COLLECTION vide désigne la collection du préréglage (sentinel-2-l2a). Des bandes comme « red,nir,scl » ou « B04,B08,SCL » se chargent depuis les deux catalogues ; les assets de Planetary Computer sont signés par des jetons SAS au chargement du cube.\n\nHEADERS (avancé) : en-têtes HTTP supplémentaires envoyés avec chaque requête au catalogue, en lignes « Nom: valeur » ou en objet JSON, par ex. « Authorization: Bearer … ». AUTH_CONFIG : une configuration d'authentification QGIS (Basic, en-tête d'API …) dont les en-têtes sont ajoutés de la même façon ; HEADERS l'emporte en cas de conflit de nom. Les valeurs des en-têtes ne sont jamais écrites dans le journal.",
    'Catalog preset': 'Préréglage de catalogue',
    "HTTP headers ('Name: value' lines or JSON)": 'En-têtes HTTP (lignes « Nom: valeur » ou JSON)',
    'Authentication configuration': "Configuration d'authentification",
    'Catalog preset: {title}': 'Préréglage de catalogue : {title}',
    'Extra HTTP headers: {names}': 'En-têtes HTTP supplémentaires : {names}',
    'AUTH_CONFIG is set but the QGIS authentication system is disabled: {reason}': "AUTH_CONFIG est défini mais le système d'authentification de QGIS est désactivé : {reason}",
    "AUTH_CONFIG '{id}' is not an authentication configuration of this QGIS profile.": "AUTH_CONFIG « {id} » n'est pas une configuration d'authentification de ce profil QGIS.",
    "AUTH_CONFIG '{id}' could not be applied (wrong master password, or an incomplete configuration).": "AUTH_CONFIG « {id} » n'a pas pu être appliqué (mauvais mot de passe principal, ou configuration incomplète).",
    "AUTH_CONFIG '{id}' adds no HTTP header (method {method}): only header-based methods such as Basic or API header can be used for a STAC API; give HEADERS instead.": "AUTH_CONFIG « {id} » n'ajoute aucun en-tête HTTP (méthode {method}) : seules les méthodes à en-tête comme Basic ou en-tête d'API conviennent à une API STAC ; indiquez plutôt HEADERS.",
    # sitscube:downloadassets
    'Download assets': 'Télécharger les assets',
    'download': 'téléchargement',
    'clip': 'découpage',
    'assets': 'assets',
    (
        "Downloads the assets (bands) of the items found by 'STAC search' as GeoTIFF files, one per item "
        "and asset: OUTPUT_FOLDER/<item id>/<asset key>.tif, Cloud-Optimized GeoTIFFs compressed with "
        "DEFLATE.\n\n"
        "ITEMS: the item collection (GeoJSON file or footprint layer). BANDS: asset keys or common names, "
        "comma separated, e.g. 'red,nir,scl' or 'B04,B08,SCL'. AOI (optional): each asset is clipped to "
        "this area in its own CRS and on its own pixel grid: the pixels the area touches are copied, "
        "never resampled, with the asset's data type, nodata and CRS. Items whose assets do not reach "
        "the area are skipped with a warning. Without AOI the whole assets are downloaded.\n\n"
        "Every asset is opened first: if one cannot be read, the run stops before downloading and names "
        "the item and asset. Files are written under temporary names and moved into place only when all "
        "are complete, so a failed or canceled run leaves no partial file. Remote assets are read with "
        "the HTTP retries of the settings and signed (Planetary Computer) like 'Load cube' does.\n\n"
        "Outputs: the folder, and a manifest (manifest.csv in it) listing item id, date, asset and the "
        "path of each file. LOAD adds the files to the map."
    ): (
        "Télécharge les assets (bandes) des items trouvés par « Recherche STAC » en fichiers GeoTIFF, un par "
        "item et par asset : OUTPUT_FOLDER/<id de l'item>/<clé de l'asset>.tif, des GeoTIFF optimisés pour le "
        "cloud (COG) compressés en DEFLATE.\n\n"
        "ITEMS : la collection d'items (fichier GeoJSON ou couche d'emprises). BANDS : clés d'asset ou noms "
        "communs, séparés par des virgules, par ex. « red,nir,scl » ou « B04,B08,SCL ». AOI (facultatif) : "
        "chaque asset est découpé sur cette zone dans son propre SCR et sur sa propre grille de pixels : les "
        "pixels que la zone touche sont copiés, jamais rééchantillonnés, avec le type de données, le nodata "
        "et le SCR de l'asset. Les items dont les assets n'atteignent pas la zone sont ignorés avec un "
        "avertissement. Sans AOI, les assets sont téléchargés en entier.\n\n"
        "Chaque asset est d'abord ouvert : si l'un d'eux est illisible, le traitement s'arrête avant tout "
        "téléchargement et nomme l'item et l'asset. Les fichiers sont écrits sous des noms temporaires et mis "
        "en place seulement quand tous sont complets : un traitement en échec ou annulé ne laisse aucun "
        "fichier partiel. Les assets distants sont lus avec les nouvelles tentatives HTTP des paramètres et "
        "signés (Planetary Computer) comme le fait « Charger un cube ».\n\n"
        "Sorties : le dossier, et un manifeste (manifest.csv, dans le dossier) listant l'id de l'item, la "
        "date, l'asset et le chemin de chaque fichier. LOAD ajoute les fichiers à la carte."
    ),
    'Clip to area': 'Découper sur la zone',
    'Output folder': 'Dossier de sortie',
    'Add the files to the map': 'Ajouter les fichiers à la carte',
    'Manifest (CSV)': 'Manifeste (CSV)',
    '{n} file(s) written to {path}': '{n} fichier(s) écrit(s) dans {path}',
    # sitscube:quicklooks
    'Quick-looks': 'Aperçus',
    'thumbnail': 'vignette',
    'preview': 'aperçu',
    'quick-look': 'imagette',
    'gallery': 'galerie',
    (
        "Shows the items found by 'STAC search' as a gallery of quick-looks: one card per item with its "
        "image, id, date, cloud cover and platform, in an HTML page that opens in the results viewer.\n\n"
        "The image is the item's thumbnail asset (key 'thumbnail', an asset with the 'thumbnail' role, or "
        "'rendered_preview' / 'preview'), downloaded into the folder <page name>_files next to the page, so "
        "the page also works offline. An item without a thumbnail but with a true-colour asset ('visual', "
        "'TCI_10m' …) or red, green and blue bands gets a small preview rendered from them (at most 256 "
        "pixels, stretched between the 2nd and 98th percentiles, read from the overviews). An item with "
        "neither gets a card saying so; a thumbnail that cannot be downloaded gets a card with the error.\n\n"
        "MAX_ITEMS (optional): only the first items of the collection."
    ): (
        "Montre les items trouvés par « Recherche STAC » en une galerie d'aperçus : une carte par item avec "
        "son image, son id, sa date, sa couverture nuageuse et sa plateforme, dans une page HTML qui s'ouvre "
        "dans la visionneuse de résultats.\n\n"
        "L'image est l'asset vignette de l'item (clé « thumbnail », un asset de rôle « thumbnail », ou "
        "« rendered_preview » / « preview »), téléchargée dans le dossier <nom de la page>_files à côté de la "
        "page, qui fonctionne donc aussi hors ligne. Un item sans vignette mais avec un asset en couleurs "
        "naturelles (« visual », « TCI_10m » …) ou des bandes rouge, verte et bleue reçoit un petit aperçu "
        "calculé à partir d'elles (256 pixels au plus, étiré entre les 2e et 98e centiles, lu dans les "
        "aperçus pyramidaux). Un item sans l'un ni l'autre reçoit une carte qui le dit ; une vignette qui ne "
        "peut pas être téléchargée reçoit une carte avec l'erreur.\n\n"
        "MAX_ITEMS (facultatif) : seulement les premiers items de la collection."
    ),
    'Maximum number of items (0: all)': "Nombre maximum d'items (0 : tous)",
    'Quick-looks (HTML)': 'Aperçus (HTML)',
    'HTML files (*.html)': 'Fichiers HTML (*.html)',
    '{n} card(s): {thumbnails} thumbnail(s), {rendered} rendered preview(s), {none} without image, {errors} error(s). Page: {path}':
        '{n} carte(s) : {thumbnails} vignette(s), {rendered} aperçu(s) calculé(s), {none} sans image, '
        '{errors} erreur(s). Page : {path}',
    # sitscube:anomaly, sitscube:trend, sitscube:temporalprofile (issue 15)
    'Time-series analysis': 'Analyse de séries temporelles',
    'Anomalies (monthly or seasonal climatology)': 'Anomalies (climatologie mensuelle ou saisonnière)',
    'anomaly': 'anomalie',
    'climatology': 'climatologie',
    'z-score': 'score z',
    'month': 'mois',
    'season': 'saison',
    (
        "How each month (or season) departs from normal. For every band, the mean of the valid values of "
        "each period of the cube (months, or meteorological seasons DJF/MAM/JJA/SON with December in the "
        "next year's DJF); the climatology of each calendar month or season: the mean and standard "
        "deviation of its period means over the reference years; each period's anomaly (its mean minus the "
        "climatology mean of the same month or season) and z-score (the anomaly divided by the climatology "
        "standard deviation; empty where that is 0 or comes from fewer than two reference years).\n\n"
        "BANDS: default every band but class bands such as SCL. REFERENCE_START / REFERENCE_END (optional, "
        "default the whole cube): the periods whose first day falls between them make the climatology.\n\n"
        "Output: a cube with, per band, <band>_mean, <band>_anomaly and <band>_zscore along a time axis of "
        "period starts (2022-05-01 for May 2022, 2021-12-01 for DJF 2022), and <band>_climatology_mean, "
        "_std and _count along a period_of_year axis (1-12 or 1-4). Values are in the band's units (DN stay "
        "DN), float, nodata kept as empty."
    ): (
        "De combien chaque mois (ou saison) s'écarte de la normale. Pour chaque bande, la moyenne des valeurs "
        "valides de chaque période du cube (mois, ou saisons météorologiques DJF/MAM/JJA/SON, décembre comptant "
        "dans la saison DJF de l'année suivante) ; la climatologie de chaque mois ou saison du calendrier : la "
        "moyenne et l'écart-type de ses moyennes de période sur les années de référence ; l'anomalie de chaque "
        "période (sa moyenne moins la moyenne climatologique du même mois ou de la même saison) et son score z "
        "(l'anomalie divisée par l'écart-type climatologique ; vide là où celui-ci vaut 0 ou vient de moins de "
        "deux années de référence).\n\n"
        "BANDS : par défaut toutes les bandes sauf les bandes de classes comme SCL. REFERENCE_START / "
        "REFERENCE_END (facultatifs, par défaut tout le cube) : les périodes dont le premier jour tombe entre "
        "les deux forment la climatologie.\n\n"
        "Sortie : un cube avec, par bande, <bande>_mean, <bande>_anomaly et <bande>_zscore le long d'un axe "
        "temporel des débuts de période (2022-05-01 pour mai 2022, 2021-12-01 pour DJF 2022), et "
        "<bande>_climatology_mean, _std et _count le long d'un axe period_of_year (1-12 ou 1-4). Les valeurs "
        "sont dans les unités de la bande (les DN restent des DN), en flottants, le nodata restant vide."
    ),
    'Period': 'Période',
    'Reference from (optional)': 'Référence à partir du (facultatif)',
    'Reference to (optional, included)': 'Référence jusqu\'au (facultatif, inclus)',
    'Anomaly cube': "Cube d'anomalies",
    'Trend (Theil-Sen, Mann-Kendall)': 'Tendance (Theil-Sen, Mann-Kendall)',
    'trend': 'tendance',
    'slope': 'pente',
    'change': 'changement',
    'significance': 'significativité',
    (
        "Where a band (or an index) trends up or down over the years, pixel by pixel. Each calendar year "
        "gives one value, the AGGREGATION (mean, median or max) of its valid dates; years without one are "
        "left out, and pixels with fewer than 3 years get no trend.\n\n"
        "Output bands: slope (Theil-Sen, the median of the slopes between all pairs of years, in the band's "
        "units per year), intercept (the line's value at the first year), mk_s (Mann-Kendall S), tau "
        "(Kendall's tau-b), p_value (two-sided, normal approximation with tie correction and continuity "
        "correction), significance (1 significant increase, -1 significant decrease, 0 not significant at "
        "ALPHA) and n_years.\n\n"
        "PERIOD_A and PERIOD_B (optional, each 'start,end' such as 2019-01-01,2019-12-31, both days "
        "included): change (mean of B minus mean of A, over the valid dates of each) and relative_change "
        "(that change divided by |mean of A|: 0.1 is +10 %).\n\n"
        "A float GeoTIFF with named bands, loaded with a diverging ramp on the slope (decline red, increase "
        "green)."
    ): (
        "Où une bande (ou un indice) augmente ou diminue au fil des années, pixel par pixel. Chaque année "
        "civile donne une valeur, l'AGGREGATION (moyenne, médiane ou maximum) de ses dates valides ; les années "
        "sans valeur sont écartées, et les pixels de moins de 3 années n'ont pas de tendance.\n\n"
        "Bandes de sortie : slope (Theil-Sen, la médiane des pentes entre toutes les paires d'années, dans les "
        "unités de la bande par an), intercept (la valeur de la droite la première année), mk_s (S de "
        "Mann-Kendall), tau (tau-b de Kendall), p_value (bilatérale, approximation normale avec correction des "
        "ex aequo et correction de continuité), significance (1 hausse significative, -1 baisse significative, "
        "0 non significatif au seuil ALPHA) et n_years.\n\n"
        "PERIOD_A et PERIOD_B (facultatives, chacune « début,fin » comme 2019-01-01,2019-12-31, les deux jours "
        "inclus) : change (moyenne de B moins moyenne de A, sur les dates valides de chacune) et "
        "relative_change (ce changement divisé par |moyenne de A| : 0,1 vaut +10 %).\n\n"
        "Un GeoTIFF en flottants aux bandes nommées, chargé avec une rampe divergente sur la pente (baisse en "
        "rouge, hausse en vert)."
    ),
    'Band or index (e.g. NDVI, B08, nir)': 'Bande ou indice (par ex. NDVI, B08, nir)',
    'One value per year': 'Une valeur par an',
    'Significance level (alpha)': 'Seuil de significativité (alpha)',
    "Change: period A 'start,end' (optional)": "Changement : période A « début,fin » (facultatif)",
    "Change: period B 'start,end' (optional)": "Changement : période B « début,fin » (facultatif)",
    'Trend': 'Tendance',
    "The trend is written as GeoTIFF: the file name must end in .tif, not '{path}'.":
        "La tendance est écrite en GeoTIFF : le nom du fichier doit finir par .tif, pas « {path} ».",
    'Temporal profile': 'Profil temporel',
    'profile': 'profil',
    'chart': 'graphique',
    'plot': 'courbe',
    'points': 'points',
    (
        "The time series of points or polygons in one or more cubes, side by side, so you see what each "
        "step did: for instance the loaded cube, the harmonized one and the gap-filled one. Each cube is "
        "labelled by its file name and the steps recorded in it (loadcube › harmonize › cloudmask › "
        "gapfill).\n\n"
        "INPUT: cube files (.nc, a .zarr folder or a file in it, or the band layers 'Load cube' puts in the "
        "map). POINTS: a point layer (each point takes the pixel it falls in) or a polygon layer (the mean of "
        "the valid pixels whose centre is inside), in any CRS. BAND: the band or index to draw (default: the "
        "first band that is not a class band). ID_FIELD (optional) names the features (default: their id).\n\n"
        "Nodata and masked dates are gaps: a break in the line, an empty cell, never a zero. Values are "
        "shown as stored in each cube.\n\n"
        "Outputs: a PNG chart (one panel per feature, the first 12, one line per cube), an HTML page shown "
        "in the results viewer (the chart, the cubes with their history, a table of the values) and a CSV "
        "table feature_id, cube, history, date, band, value, pixels."
    ): (
        "La série temporelle de points ou de polygones dans un ou plusieurs cubes, côte à côte, pour voir ce "
        "qu'a fait chaque étape : par exemple le cube chargé, le cube harmonisé et le cube comblé. Chaque cube "
        "est désigné par son nom de fichier et les étapes qu'il a enregistrées (loadcube › harmonize › "
        "cloudmask › gapfill).\n\n"
        "INPUT : des fichiers de cube (.nc, un dossier .zarr ou un fichier qu'il contient, ou les couches de "
        "bande que « Charger un cube » ajoute à la carte). POINTS : une couche de points (chaque point prend le "
        "pixel où il tombe) ou de polygones (la moyenne des pixels valides dont le centre est à l'intérieur), "
        "dans n'importe quel SCR. BAND : la bande ou l'indice à tracer (par défaut : la première bande qui "
        "n'est pas une bande de classes). ID_FIELD (facultatif) nomme les entités (par défaut : leur id).\n\n"
        "Le nodata et les dates masquées sont des lacunes : une coupure de la courbe, une cellule vide, jamais "
        "un zéro. Les valeurs sont montrées telles que stockées dans chaque cube.\n\n"
        "Sorties : un graphique PNG (un panneau par entité, les 12 premières, une courbe par cube), une page "
        "HTML affichée dans la visionneuse de résultats (le graphique, les cubes et leur historique, un "
        "tableau des valeurs) et une table CSV feature_id, cube, history, date, band, value, pixels."
    ),
    'Cubes (files or cube band layers)': 'Cubes (fichiers ou couches de bande de cube)',
    'Points or polygons': 'Points ou polygones',
    'Band or index (default: the first band)': 'Bande ou indice (par défaut : la première bande)',
    'Feature id field': "Champ d'identifiant des entités",
    'Profile page (HTML)': 'Page du profil (HTML)',
    'Chart (PNG)': 'Graphique (PNG)',
    'Values (CSV)': 'Valeurs (CSV)',
    'INPUT has no cube: give one or more cube files or cube band layers.':
        "INPUT ne contient aucun cube : donnez un ou plusieurs fichiers de cube ou couches de bande de cube.",
    'POINTS is not a vector layer.': "POINTS n'est pas une couche vecteur.",
    "{key} must end in {extension}, not '{path}'.": "{key} doit finir par {extension}, pas « {path} ».",
    'Reading {cube} ({n}/{total})…': 'Lecture de {cube} ({n}/{total})…',
    '{n} feature(s) with an empty or invalid geometry were skipped.':
        '{n} entité(s) à la géométrie vide ou invalide ont été ignorée(s).',
    'POINTS has no feature with a valid geometry.': "POINTS n'a aucune entité à la géométrie valide.",
    # issue 16: models that cannot run code, under any name
    'SITS Cube model (*.sitsmodel);;All files (*)': 'Modèle SITS Cube (*.sitsmodel);;Tous les fichiers (*)',
    'Trust a pickled model of an older version (opening it can run code)':
        "Faire confiance à un modèle « pickle » d'une version antérieure (l'ouvrir peut exécuter du code)",
    (
        "Applies a model from 'Train random forest' to a raster with the same bands, block by block, so memory "
        "stays bounded whatever the raster's size. Pixels that are nodata in any band stay nodata.\n\n"
        "Output: a class raster (GeoTIFF, class codes) loaded with a palette and the class names; optionally "
        "the probability of the chosen class (0-1), a confidence map. A raster whose bands do not match the "
        "model is refused.\n\n"
        "The model file may have any name: it is recognised by its content. Model files of this version hold "
        "only numbers and never run code when opened. Models of older versions are Python pickles, which can "
        "run code: they are opened only with TRUST_PICKLE (advanced) checked, for files you trust."
    ): (
        'Applique un modèle issu de « Entraîner une forêt aléatoire » à un raster ayant les mêmes bandes, '
        'bloc par bloc, pour que la mémoire reste bornée quelle que soit la taille du raster. Les pixels '
        "nodata dans l'une des bandes restent nodata.\n\n"
        'Sortie : un raster de classes (GeoTIFF, codes de classes) chargé avec une palette et les noms des '
        'classes ; en option, la probabilité de la classe retenue (0-1), qui sert de carte de confiance. Un '
        'raster dont les bandes ne correspondent pas au modèle est refusé.\n\n'
        "Le fichier du modèle peut porter n'importe quel nom : il est reconnu à son contenu. Les modèles de "
        "cette version ne contiennent que des nombres et n'exécutent jamais de code à l'ouverture. Ceux des "
        'versions antérieures sont des « pickles » Python, qui peuvent exécuter du code : ils ne sont ouverts '
        "qu'avec TRUST_PICKLE (avancé) coché, pour des fichiers de confiance."
    ),
    # sitscube:smooth and sitscube:phenology (issue 15)
    "Savitzky-Golay window (dates, odd)": "Fenêtre de Savitzky-Golay (dates, impair)",
    "Savitzky-Golay polynomial order": "Degré du polynôme de Savitzky-Golay",
    "Whittaker lambda (days⁴)": "Lambda de Whittaker (jours⁴)",
    "Smooth time series": "Lisser les séries temporelles",
    "smoothing": "lissage",
    "filter": "filtre",
    "noise": "bruit",
    (
        "Smooths every pixel's time series along time, in actual days (acquisition dates), never counting "
        "masked values. 'savitzky-golay' fits, at each date, a polynomial of degree ORDER to the WINDOW valid "
        "observations around it (WINDOW counts dates and is odd; over a gap the window reaches further in "
        "time; at the ends it slides inwards): a polynomial of degree ORDER or less is kept exactly, whatever "
        "the dates. 'whittaker' is Eilers' smoother for uneven dates (second divided differences in days, "
        "masked values weighted 0): LAMBDA (days⁴) sets the smoothness, independently of the number of dates; "
        "roughly, wiggles shorter than 2π(LAMBDA/4)^¼ days are removed (1e3: 25 days, 1e4: 45, 1e5: 80).\n\n"
        "FILL (default on) gives masked dates the smooth curve's value, and dates before the first or after "
        "the last valid one the curve's value there; off, they stay nodata. BANDS: the bands to smooth "
        "(default: every reflectance and index band; class bands such as SCL are unchanged). Each band keeps "
        "its type: integer bands are rounded (half away from zero) and never take the nodata value."
    ): (
        "Lisse la série temporelle de chaque pixel dans le temps, en jours réels (dates d'acquisition), sans "
        "jamais compter les valeurs masquées. « savitzky-golay » ajuste, à chaque date, un polynôme de degré "
        "ORDER aux WINDOW observations valides qui l'entourent (WINDOW compte des dates et est impair ; sur "
        "un trou la fenêtre s'étend plus loin dans le temps ; aux extrémités elle glisse vers l'intérieur) : "
        "un polynôme de degré ORDER ou moins est conservé exactement, quelles que soient les dates. "
        "« whittaker » est le lisseur d'Eilers pour dates irrégulières (différences divisées secondes en "
        "jours, valeurs masquées de poids 0) : LAMBDA (jours⁴) règle le lissage, indépendamment du nombre de "
        "dates ; en gros, les oscillations plus courtes que 2π(LAMBDA/4)^¼ jours disparaissent (1e3 : 25 "
        "jours, 1e4 : 45, 1e5 : 80).\n\n"
        "FILL (activé par défaut) donne aux dates masquées la valeur de la courbe lissée, et aux dates avant "
        "la première ou après la dernière valide la valeur de la courbe à celle-ci ; désactivé, elles restent "
        "nodata. BANDS : les bandes à lisser (par défaut : toutes les bandes de réflectance et d'indice ; les "
        "bandes de classes comme SCL sont inchangées). Chaque bande garde son type : les bandes entières sont "
        "arrondies (demi vers l'extérieur) et ne prennent jamais la valeur nodata."
    ),
    "Fill masked dates from the smooth curve": "Remplir les dates masquées par la courbe lissée",
    "Smoothed cube": "Cube lissé",
    "Phenology": "Phénologie",
    "phenology": "phénologie",
    "start of season": "début de saison",
    "green-up": "reverdissement",
    (
        "Measures the growing season of every pixel, for each calendar year, from a band or an index (BAND, "
        "default NDVI; an index the cube lacks is computed from its bands, e.g. NDVI from red and nir). The "
        "series is first smoothed in time (SMOOTH: savitzky-golay by default, whittaker or none; masked dates "
        "are filled by the smooth curve), then within each year: the peak (its day of year and value), the "
        "base before and after it (their minima) and the amplitude (peak minus the mean of the two bases).\n\n"
        "METHOD 'amplitude': the season starts where the curve first rises through base + FRACTION × "
        "(peak - base) (FRACTION 0.5 by default) and ends where it last falls through it; 'threshold': where "
        "it crosses THRESHOLD. Crossings are interpolated linearly between dates, in day of year. The green-up "
        "date is the first date at or above base + GREENUP_FRACTION × (peak - base), or GREENUP_THRESHOLD "
        "when given. A pixel whose amplitude is below MIN_AMPLITUDE, or without a start or an end within the "
        "year, has no season (nodata).\n\n"
        "YEARS: e.g. 2022, 2021,2022 or 2020-2022; default: every year the cube covers completely. Output: "
        "one GeoTIFF with the bands sos_doy, pos_doy, eos_doy, peak_value, amplitude, season_length_days, "
        "greenup_doy (prefixed by the year, e.g. 2022_sos_doy, when there are several years), loaded with a "
        "colour ramp on the start of season."
    ): (
        "Mesure la saison de végétation de chaque pixel, pour chaque année civile, à partir d'une bande ou "
        "d'un indice (BAND, NDVI par défaut ; un indice absent du cube est calculé à partir de ses bandes, "
        "par ex. le NDVI à partir de red et nir). La série est d'abord lissée dans le temps (SMOOTH : "
        "savitzky-golay par défaut, whittaker ou none ; les dates masquées sont remplies par la courbe "
        "lissée), puis dans chaque année : le pic (son jour de l'année et sa valeur), la base avant et après "
        "lui (leurs minima) et l'amplitude (le pic moins la moyenne des deux bases).\n\n"
        "METHOD « amplitude » : la saison commence là où la courbe franchit pour la première fois en montant "
        "base + FRACTION × (pic - base) (FRACTION 0,5 par défaut) et finit là où elle le franchit pour la "
        "dernière fois en descendant ; « threshold » : là où elle franchit THRESHOLD. Les franchissements sont "
        "interpolés linéairement entre les dates, en jour de l'année. La date de reverdissement est la "
        "première date égale ou supérieure à base + GREENUP_FRACTION × (pic - base), ou à GREENUP_THRESHOLD "
        "s'il est donné. Un pixel dont l'amplitude est inférieure à MIN_AMPLITUDE, ou sans début ou sans fin "
        "dans l'année, n'a pas de saison (nodata).\n\n"
        "YEARS : par ex. 2022, 2021,2022 ou 2020-2022 ; par défaut : chaque année que le cube couvre "
        "entièrement. Sortie : un GeoTIFF avec les bandes sos_doy, pos_doy, eos_doy, peak_value, amplitude, "
        "season_length_days, greenup_doy (préfixées par l'année, par ex. 2022_sos_doy, s'il y a plusieurs "
        "années), chargé avec une rampe de couleurs sur le début de saison."
    ),
    "Band or index": "Bande ou indice",
    "Years (default: every complete year)": "Années (par défaut : chaque année complète)",
    "Start and end of season by": "Début et fin de saison par",
    "Fraction of the amplitude": "Fraction de l'amplitude",
    "Threshold (method 'threshold')": "Seuil (méthode « threshold »)",
    "Green-up: fraction of the amplitude": "Reverdissement : fraction de l'amplitude",
    "Green-up: threshold (optional)": "Reverdissement : seuil (facultatif)",
    "Minimum amplitude for a season": "Amplitude minimale d'une saison",
    "Smoothing first": "Lissage préalable",
    "The phenology is written as GeoTIFF: the file name must end in .tif, not '{path}'.":
        "La phénologie est écrite en GeoTIFF : le nom du fichier doit finir par .tif, pas « {path} ».",
    "Phenology map from STAC": "Carte phénologique depuis STAC",
})
