<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
  <context>
    <name>SitsCube</name>
    <message>
      <source>SITS Cube needs Python packages that QGIS cannot import: {names}. Install them with: {command} (on Windows, in the OSGeo4W Shell; or pip install -r "{requirements}"), then restart QGIS.</source>
      <translation>SITS Cube a besoin de paquets Python que QGIS ne peut pas importer : {names}. Installez-les avec : {command} (sous Windows, dans l'OSGeo4W Shell ; ou pip install -r "{requirements}"), puis redémarrez QGIS.</translation>
    </message>
    <message>
      <source>SITS Cube</source>
      <translation>SITS Cube</translation>
    </message>
    <message>
      <source>STAC catalog</source>
      <translation>Catalogue STAC</translation>
    </message>
    <message>
      <source>The STAC API that 'STAC search' proposes by default, e.g. Earth Search or Planetary Computer. Environment variable: SITSCUBE_CATALOG_URL.</source>
      <translation>L'API STAC que « Recherche STAC » propose par défaut, par ex. Earth Search ou Planetary Computer. Variable d'environnement : SITSCUBE_CATALOG_URL.</translation>
    </message>
    <message>
      <source>Default catalog URL</source>
      <translation>URL du catalogue par défaut</translation>
    </message>
    <message>
      <source>Computation</source>
      <translation>Calcul</translation>
    </message>
    <message>
      <source>Threads on this computer (default)</source>
      <translation>Threads sur cet ordinateur (par défaut)</translation>
    </message>
    <message>
      <source>Local Dask cluster (worker processes)</source>
      <translation>Cluster Dask local (processus de travail)</translation>
    </message>
    <message>
      <source>Existing Dask cluster at this address</source>
      <translation>Cluster Dask existant à cette adresse</translation>
    </message>
    <message>
      <source>Where the cube computations run: dask's threads in QGIS, a local cluster of worker processes started on first use, or an existing Dask cluster (its scheduler address, e.g. tcp://host:8786). Environment variable: SITSCUBE_DASK_SCHEDULER.</source>
      <translation>Où s'exécutent les calculs sur les cubes : les threads de dask dans QGIS, un cluster local de processus de travail démarré à la première utilisation, ou un cluster Dask existant (l'adresse de son ordonnanceur, par ex. tcp://host:8786). Variable d'environnement : SITSCUBE_DASK_SCHEDULER.</translation>
    </message>
    <message>
      <source>Dask scheduler</source>
      <translation>Ordonnanceur Dask</translation>
    </message>
    <message>
      <source>The Dask scheduler's address, e.g. tcp://host:8786.</source>
      <translation>L'adresse de l'ordonnanceur Dask, par ex. tcp://host:8786.</translation>
    </message>
    <message>
      <source>Scheduler address</source>
      <translation>Adresse de l'ordonnanceur</translation>
    </message>
    <message>
      <source>MB</source>
      <translation>Mo</translation>
    </message>
    <message>
      <source>Automatic</source>
      <translation>Automatique</translation>
    </message>
    <message>
      <source>Memory budget for one computation, in MB; 0 (Automatic) lets dask choose. It is the hint for the size of dask chunks (a quarter of the budget per chunk): lower it if QGIS runs out of memory, raise it for fewer, larger reads. Environment variable: SITSCUBE_MEMORY_LIMIT_MB.</source>
      <translation>Budget mémoire d'un calcul, en Mo ; 0 (Automatique) laisse dask choisir. Il sert d'indication pour la taille des blocs (chunks) dask (un quart du budget par bloc) : baissez-le si QGIS manque de mémoire, augmentez-le pour des lectures moins nombreuses et plus grandes. Variable d'environnement : SITSCUBE_MEMORY_LIMIT_MB.</translation>
    </message>
    <message>
      <source>Memory limit</source>
      <translation>Limite de mémoire</translation>
    </message>
    <message>
      <source>Cache folder</source>
      <translation>Dossier de cache</translation>
    </message>
    <message>
      <source>Folder for downloaded and intermediate files; created when first used. Default: a folder in the QGIS profile. Environment variable: SITSCUBE_CACHE_DIR.</source>
      <translation>Dossier des fichiers téléchargés et intermédiaires ; créé à la première utilisation. Par défaut : un dossier dans le profil QGIS. Variable d'environnement : SITSCUBE_CACHE_DIR.</translation>
    </message>
    <message>
      <source>HTTP (STAC requests and image reads)</source>
      <translation>HTTP (requêtes STAC et lecture des images)</translation>
    </message>
    <message>
      <source>Extra attempts after a rate limit (429), a temporary server error (5xx) or a dropped connection. Environment variable: SITSCUBE_HTTP_RETRIES.</source>
      <translation>Tentatives supplémentaires après une limitation de débit (429), une erreur temporaire du serveur (5xx) ou une connexion interrompue. Variable d'environnement : SITSCUBE_HTTP_RETRIES.</translation>
    </message>
    <message>
      <source>Retries</source>
      <translation>Nouvelles tentatives</translation>
    </message>
    <message>
      <source>Wait before the first retry; it doubles at each retry. Environment variable: SITSCUBE_HTTP_BACKOFF.</source>
      <translation>Attente avant la première nouvelle tentative ; elle double à chaque tentative. Variable d'environnement : SITSCUBE_HTTP_BACKOFF.</translation>
    </message>
    <message>
      <source>First retry after</source>
      <translation>Première nouvelle tentative après</translation>
    </message>
    <message>
      <source>Longest wait between two attempts, a server's Retry-After included. Environment variable: SITSCUBE_HTTP_MAX_WAIT.</source>
      <translation>Attente maximale entre deux tentatives, Retry-After du serveur compris. Variable d'environnement : SITSCUBE_HTTP_MAX_WAIT.</translation>
    </message>
    <message>
      <source>Longest wait between attempts</source>
      <translation>Attente maximale entre deux tentatives</translation>
    </message>
    <message>
      <source>No retry starts that could end later than this after a request's first attempt. Environment variable: SITSCUBE_HTTP_DEADLINE.</source>
      <translation>Aucune nouvelle tentative n'est lancée si elle peut se terminer plus tard que ce délai après la première tentative d'une requête. Variable d'environnement : SITSCUBE_HTTP_DEADLINE.</translation>
    </message>
    <message>
      <source>Give up a request after</source>
      <translation>Abandonner une requête après</translation>
    </message>
    <message>
      <source>For headless runs (qgis_process, scripts), the SITSCUBE_* environment variables named in the tooltips override these settings.</source>
      <translation>Pour les exécutions sans interface (qgis_process, scripts), les variables d'environnement SITSCUBE_* indiquées dans les infobulles remplacent ces paramètres.</translation>
    </message>
    <message>
      <source>Overridden by the environment variable {name}={value}</source>
      <translation>Remplacé par la variable d'environnement {name}={value}</translation>
    </message>
    <message>
      <source>Cloud-free composite from STAC</source>
      <translation>Composite sans nuages depuis STAC</translation>
    </message>
    <message>
      <source>Land-cover map from STAC</source>
      <translation>Carte d'occupation du sol depuis STAC</translation>
    </message>
    <message>
      <source>Phenology map from STAC</source>
      <translation>Carte phénologique depuis STAC</translation>
    </message>
    <message>
      <source>Workflows</source>
      <translation>Chaînes de traitement</translation>
    </message>
    <message>
      <source>SITS Cube — satellite image time series</source>
      <translation>SITS Cube — séries temporelles d'images satellitaires</translation>
    </message>
    <message>
      <source>Could not prepare map layers for the cube: {error}</source>
      <translation>Impossible de préparer les couches du cube pour la carte : {error}</translation>
    </message>
    <message>
      <source>Anomalies (monthly or seasonal climatology)</source>
      <translation>Anomalies (climatologie mensuelle ou saisonnière)</translation>
    </message>
    <message>
      <source>Time-series analysis</source>
      <translation>Analyse de séries temporelles</translation>
    </message>
    <message>
      <source>anomaly</source>
      <translation>anomalie</translation>
    </message>
    <message>
      <source>climatology</source>
      <translation>climatologie</translation>
    </message>
    <message>
      <source>z-score</source>
      <translation>score z</translation>
    </message>
    <message>
      <source>time series</source>
      <translation>séries temporelles</translation>
    </message>
    <message>
      <source>month</source>
      <translation>mois</translation>
    </message>
    <message>
      <source>season</source>
      <translation>saison</translation>
    </message>
    <message>
      <source>How each month (or season) departs from normal. For every band, the mean of the valid values of each period of the cube (months, or meteorological seasons DJF/MAM/JJA/SON with December in the next year's DJF); the climatology of each calendar month or season: the mean and standard deviation of its period means over the reference years; each period's anomaly (its mean minus the climatology mean of the same month or season) and z-score (the anomaly divided by the climatology standard deviation; empty where that is 0 or comes from fewer than two reference years).

BANDS: default every band but class bands such as SCL. REFERENCE_START / REFERENCE_END (optional, default the whole cube): the periods whose first day falls between them make the climatology.

Output: a cube with, per band, &lt;band&gt;_mean, &lt;band&gt;_anomaly and &lt;band&gt;_zscore along a time axis of period starts (2022-05-01 for May 2022, 2021-12-01 for DJF 2022), and &lt;band&gt;_climatology_mean, _std and _count along a period_of_year axis (1-12 or 1-4). Values are in the band's units (DN stay DN), float, nodata kept as empty.</source>
      <translation>De combien chaque mois (ou saison) s'écarte de la normale. Pour chaque bande, la moyenne des valeurs valides de chaque période du cube (mois, ou saisons météorologiques DJF/MAM/JJA/SON, décembre comptant dans la saison DJF de l'année suivante) ; la climatologie de chaque mois ou saison du calendrier : la moyenne et l'écart-type de ses moyennes de période sur les années de référence ; l'anomalie de chaque période (sa moyenne moins la moyenne climatologique du même mois ou de la même saison) et son score z (l'anomalie divisée par l'écart-type climatologique ; vide là où celui-ci vaut 0 ou vient de moins de deux années de référence).

BANDS : par défaut toutes les bandes sauf les bandes de classes comme SCL. REFERENCE_START / REFERENCE_END (facultatifs, par défaut tout le cube) : les périodes dont le premier jour tombe entre les deux forment la climatologie.

Sortie : un cube avec, par bande, &lt;bande&gt;_mean, &lt;bande&gt;_anomaly et &lt;bande&gt;_zscore le long d'un axe temporel des débuts de période (2022-05-01 pour mai 2022, 2021-12-01 pour DJF 2022), et &lt;bande&gt;_climatology_mean, _std et _count le long d'un axe period_of_year (1-12 ou 1-4). Les valeurs sont dans les unités de la bande (les DN restent des DN), en flottants, le nodata restant vide.</translation>
    </message>
    <message>
      <source>Cube</source>
      <translation>Cube</translation>
    </message>
    <message>
      <source>Bands (default: all but class bands)</source>
      <translation>Bandes (par défaut : toutes sauf les bandes de classes)</translation>
    </message>
    <message>
      <source>Period</source>
      <translation>Période</translation>
    </message>
    <message>
      <source>Reference from (optional)</source>
      <translation>Référence à partir du (facultatif)</translation>
    </message>
    <message>
      <source>Reference to (optional, included)</source>
      <translation>Référence jusqu'au (facultatif, inclus)</translation>
    </message>
    <message>
      <source>Anomaly cube</source>
      <translation>Cube d'anomalies</translation>
    </message>
    <message>
      <source>Classify</source>
      <translation>Classer</translation>
    </message>
    <message>
      <source>Classification</source>
      <translation>Classification</translation>
    </message>
    <message>
      <source>random forest</source>
      <translation>forêt aléatoire</translation>
    </message>
    <message>
      <source>classification</source>
      <translation>classification</translation>
    </message>
    <message>
      <source>prediction</source>
      <translation>prédiction</translation>
    </message>
    <message>
      <source>land cover</source>
      <translation>occupation du sol</translation>
    </message>
    <message>
      <source>map</source>
      <translation>carte</translation>
    </message>
    <message>
      <source>Applies a model from 'Train random forest' to a raster with the same bands, block by block, so memory stays bounded whatever the raster's size. Pixels that are nodata in any band stay nodata.

Output: a class raster (GeoTIFF, class codes) loaded with a palette and the class names; optionally the probability of the chosen class (0-1), a confidence map. A raster whose bands do not match the model is refused.

The model file may have any name: it is recognised by its content. Model files of this version hold only numbers and never run code when opened. Models of older versions are Python pickles, which can run code: they are opened only with TRUST_PICKLE (advanced) checked, for files you trust.</source>
      <translation>Applique un modèle issu de « Entraîner une forêt aléatoire » à un raster ayant les mêmes bandes, bloc par bloc, pour que la mémoire reste bornée quelle que soit la taille du raster. Les pixels nodata dans l'une des bandes restent nodata.

Sortie : un raster de classes (GeoTIFF, codes de classes) chargé avec une palette et les noms des classes ; en option, la probabilité de la classe retenue (0-1), qui sert de carte de confiance. Un raster dont les bandes ne correspondent pas au modèle est refusé.

Le fichier du modèle peut porter n'importe quel nom : il est reconnu à son contenu. Les modèles de cette version ne contiennent que des nombres et n'exécutent jamais de code à l'ouverture. Ceux des versions antérieures sont des « pickles » Python, qui peuvent exécuter du code : ils ne sont ouverts qu'avec TRUST_PICKLE (avancé) coché, pour des fichiers de confiance.</translation>
    </message>
    <message>
      <source>Raster</source>
      <translation>Raster</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>Modèle</translation>
    </message>
    <message>
      <source>SITS Cube model (*.sitsmodel);;All files (*)</source>
      <translation>Modèle SITS Cube (*.sitsmodel);;Tous les fichiers (*)</translation>
    </message>
    <message>
      <source>Classes</source>
      <translation>Classes</translation>
    </message>
    <message>
      <source>Probability</source>
      <translation>Probabilité</translation>
    </message>
    <message>
      <source>Trust a pickled model of an older version (opening it can run code)</source>
      <translation>Faire confiance à un modèle « pickle » d'une version antérieure (l'ouvrir peut exécuter du code)</translation>
    </message>
    <message>
      <source>Cloud mask (SCL)</source>
      <translation>Masque de nuages (SCL)</translation>
    </message>
    <message>
      <source>Cube processing</source>
      <translation>Traitement de cubes</translation>
    </message>
    <message>
      <source>cloud</source>
      <translation>nuage</translation>
    </message>
    <message>
      <source>shadow</source>
      <translation>ombre</translation>
    </message>
    <message>
      <source>cirrus</source>
      <translation>cirrus</translation>
    </message>
    <message>
      <source>mask</source>
      <translation>masque</translation>
    </message>
    <message>
      <source>Masks a cube with its Scene Classification Layer: pixels whose class is in MASK_VALUES become nodata in every band except the mask band (kept, so you can see why a pixel was masked).

Default classes: 0 no data, 1 saturated or defective, 3 cloud shadow, 8 cloud medium probability, 9 cloud high probability, 10 thin cirrus. DILATION grows the masked area by that many pixels (a disc) to catch cloud edges. MAX_MASKED_FRACTION (0-1, optional) drops whole dates whose masked share of the observed area is larger; the log lists them and why.</source>
      <translation>Masque un cube à l'aide de sa couche de classification de scène (SCL) : les pixels dont la classe figure dans MASK_VALUES deviennent nodata dans toutes les bandes sauf la bande de masque (conservée, pour voir pourquoi un pixel a été masqué).

Classes par défaut : 0 pas de données, 1 saturé ou défectueux, 3 ombre de nuage, 8 nuage de probabilité moyenne, 9 nuage de probabilité élevée, 10 cirrus fins. DILATION étend la zone masquée d'autant de pixels (un disque) pour attraper les bords des nuages. MAX_MASKED_FRACTION (0-1, facultatif) écarte les dates entières dont la part masquée de la surface observée est plus grande ; le journal les liste avec la raison.</translation>
    </message>
    <message>
      <source>Landsat Collection 2 (qa_pixel) and other bit-flag bands are masked by bits: a pixel is masked when any of the MASK_BITS is set. Default for qa_pixel: fill, dilated_cloud, cirrus, cloud, shadow; add snow or water, or give bit numbers (0-15). A cube without SCL but with qa_pixel is masked with qa_pixel even when MASK_BAND is left at SCL. MASK_VALUES is then not used.</source>
      <translation>Landsat Collection 2 (qa_pixel) et les autres bandes de bits sont masquées par bits : un pixel est masqué dès que l'un des MASK_BITS est levé. Par défaut pour qa_pixel : fill, dilated_cloud, cirrus, cloud, shadow ; ajoutez snow ou water, ou donnez des numéros de bit (0-15). Un cube sans SCL mais avec qa_pixel est masqué avec qa_pixel même si MASK_BAND reste à SCL. MASK_VALUES n'est alors pas utilisé.</translation>
    </message>
    <message>
      <source>Mask band</source>
      <translation>Bande de masque</translation>
    </message>
    <message>
      <source>Classes to mask</source>
      <translation>Classes à masquer</translation>
    </message>
    <message>
      <source>Dilation (pixels)</source>
      <translation>Dilatation (pixels)</translation>
    </message>
    <message>
      <source>Drop dates masked more than (fraction 0-1)</source>
      <translation>Écarter les dates masquées à plus de (fraction 0-1)</translation>
    </message>
    <message>
      <source>Bits to mask (bit-flag bands such as qa_pixel)</source>
      <translation>Bits à masquer (bandes de bits comme qa_pixel)</translation>
    </message>
    <message>
      <source>Masked cube</source>
      <translation>Cube masqué</translation>
    </message>
    <message>
      <source>MASK_VALUES must be whole numbers separated by commas, e.g. 0,1,3,8,9,10 (got '{text}').</source>
      <translation>MASK_VALUES doit être une liste d'entiers séparés par des virgules, par ex. 0,1,3,8,9,10 (reçu « {text} »).</translation>
    </message>
    <message>
      <source>Dropped {date}: {percent:.1f}% masked (more than {limit:.0f}%).</source>
      <translation>{date} écartée : {percent:.1f} % masqué (plus de {limit:.0f} %).</translation>
    </message>
    <message>
      <source>Temporal composite</source>
      <translation>Composite temporel</translation>
    </message>
    <message>
      <source>composite</source>
      <translation>composite</translation>
    </message>
    <message>
      <source>median</source>
      <translation>médiane</translation>
    </message>
    <message>
      <source>mosaic</source>
      <translation>mosaïque</translation>
    </message>
    <message>
      <source>cloud-free</source>
      <translation>sans nuages</translation>
    </message>
    <message>
      <source>percentile</source>
      <translation>centile</translation>
    </message>
    <message>
      <source>Reduces a cube over time, pixel by pixel, ignoring nodata (masked clouds): median (default), mean, min, max or a percentile. Optionally over a date window (START_DATE, END_DATE, both included) and per period (one composite per month or per season DJF/MAM/JJA/SON).

BANDS: the bands to keep (default: every band but class bands such as SCL).

Output: a tiled, compressed multi-band GeoTIFF whose band descriptions are the band names (and periods); loaded into the map in true colour when it has red, green and blue bands. Integer bands keep their type for median, min and max; mean and percentiles are float.</source>
      <translation>Réduit un cube dans le temps, pixel par pixel, en ignorant les nodata (nuages masqués) : médiane (par défaut), moyenne, min, max ou un centile. En option, sur une fenêtre de dates (START_DATE, END_DATE, toutes deux incluses) et par période (un composite par mois ou par saison DJF/MAM/JJA/SON).

BANDS : les bandes à conserver (par défaut : toutes les bandes sauf les bandes de classes comme SCL).

Sortie : un GeoTIFF multibande tuilé et compressé dont les descriptions de bandes sont les noms des bandes (et des périodes) ; chargé dans la carte en couleurs naturelles s'il a des bandes rouge, verte et bleue. Les bandes entières gardent leur type pour la médiane, le min et le max ; la moyenne et les centiles sont en nombres flottants.</translation>
    </message>
    <message>
      <source>Method</source>
      <translation>Méthode</translation>
    </message>
    <message>
      <source>From date (optional)</source>
      <translation>Depuis la date (facultatif)</translation>
    </message>
    <message>
      <source>To date (optional, included)</source>
      <translation>Jusqu'à la date (facultatif, incluse)</translation>
    </message>
    <message>
      <source>One composite per</source>
      <translation>Un composite par</translation>
    </message>
    <message>
      <source>Composite</source>
      <translation>Composite</translation>
    </message>
    <message>
      <source>This algorithm cannot write a recipe (.sitscube): choose a .nc or .zarr output.</source>
      <translation>Cet algorithme ne peut pas écrire de recette (.sitscube) : choisissez une sortie .nc ou .zarr.</translation>
    </message>
    <message>
      <source>Recipe written to {path}: the steps run when a later step (or a .nc/.zarr output) needs the values. A recipe is not loaded into the map.</source>
      <translation>Recette écrite dans {path} : les étapes s'exécutent quand une étape suivante (ou une sortie .nc/.zarr) a besoin des valeurs. Une recette n'est pas chargée dans la carte.</translation>
    </message>
    <message>
      <source>Download assets</source>
      <translation>Télécharger les assets</translation>
    </message>
    <message>
      <source>Search and load</source>
      <translation>Recherche et chargement</translation>
    </message>
    <message>
      <source>stac</source>
      <translation>stac</translation>
    </message>
    <message>
      <source>download</source>
      <translation>téléchargement</translation>
    </message>
    <message>
      <source>clip</source>
      <translation>découpage</translation>
    </message>
    <message>
      <source>assets</source>
      <translation>assets</translation>
    </message>
    <message>
      <source>Downloads the assets (bands) of the items found by 'STAC search' as GeoTIFF files, one per item and asset: OUTPUT_FOLDER/&lt;item id&gt;/&lt;asset key&gt;.tif, Cloud-Optimized GeoTIFFs compressed with DEFLATE.

ITEMS: the item collection (GeoJSON file or footprint layer). BANDS: asset keys or common names, comma separated, e.g. 'red,nir,scl' or 'B04,B08,SCL'. AOI (optional): each asset is clipped to this area in its own CRS and on its own pixel grid: the pixels the area touches are copied, never resampled, with the asset's data type, nodata and CRS. Items whose assets do not reach the area are skipped with a warning. Without AOI the whole assets are downloaded.

Every asset is opened first: if one cannot be read, the run stops before downloading and names the item and asset. Files are written under temporary names and moved into place only when all are complete, so a failed or canceled run leaves no partial file. Remote assets are read with the HTTP retries of the settings and signed (Planetary Computer) like 'Load cube' does.

Outputs: the folder, and a manifest (manifest.csv in it) listing item id, date, asset and the path of each file. LOAD adds the files to the map.</source>
      <translation>Télécharge les assets (bandes) des items trouvés par « Recherche STAC » en fichiers GeoTIFF, un par item et par asset : OUTPUT_FOLDER/&lt;id de l'item&gt;/&lt;clé de l'asset&gt;.tif, des GeoTIFF optimisés pour le cloud (COG) compressés en DEFLATE.

ITEMS : la collection d'items (fichier GeoJSON ou couche d'emprises). BANDS : clés d'asset ou noms communs, séparés par des virgules, par ex. « red,nir,scl » ou « B04,B08,SCL ». AOI (facultatif) : chaque asset est découpé sur cette zone dans son propre SCR et sur sa propre grille de pixels : les pixels que la zone touche sont copiés, jamais rééchantillonnés, avec le type de données, le nodata et le SCR de l'asset. Les items dont les assets n'atteignent pas la zone sont ignorés avec un avertissement. Sans AOI, les assets sont téléchargés en entier.

Chaque asset est d'abord ouvert : si l'un d'eux est illisible, le traitement s'arrête avant tout téléchargement et nomme l'item et l'asset. Les fichiers sont écrits sous des noms temporaires et mis en place seulement quand tous sont complets : un traitement en échec ou annulé ne laisse aucun fichier partiel. Les assets distants sont lus avec les nouvelles tentatives HTTP des paramètres et signés (Planetary Computer) comme le fait « Charger un cube ».

Sorties : le dossier, et un manifeste (manifest.csv, dans le dossier) listant l'id de l'item, la date, l'asset et le chemin de chaque fichier. LOAD ajoute les fichiers à la carte.</translation>
    </message>
    <message>
      <source>Items (from STAC search)</source>
      <translation>Items (de la recherche STAC)</translation>
    </message>
    <message>
      <source>Bands (asset keys or common names)</source>
      <translation>Bandes (clés d'asset ou noms communs)</translation>
    </message>
    <message>
      <source>Clip to area</source>
      <translation>Découper sur la zone</translation>
    </message>
    <message>
      <source>Output folder</source>
      <translation>Dossier de sortie</translation>
    </message>
    <message>
      <source>Add the files to the map</source>
      <translation>Ajouter les fichiers à la carte</translation>
    </message>
    <message>
      <source>Manifest (CSV)</source>
      <translation>Manifeste (CSV)</translation>
    </message>
    <message>
      <source>ITEMS is not a layer or file QGIS can open: give the GeoJSON written by 'STAC search'.</source>
      <translation>ITEMS n'est pas une couche ou un fichier que QGIS sait ouvrir : donnez le GeoJSON écrit par « Recherche STAC ».</translation>
    </message>
    <message>
      <source>AOI is empty: draw an area on the map or choose a layer.</source>
      <translation>La zone d'intérêt est vide : dessinez une zone sur la carte ou choisissez une couche.</translation>
    </message>
    <message>
      <source>{n} file(s) written to {path}</source>
      <translation>{n} fichier(s) écrit(s) dans {path}</translation>
    </message>
    <message>
      <source>Export time series</source>
      <translation>Exporter les séries temporelles</translation>
    </message>
    <message>
      <source>export</source>
      <translation>export</translation>
    </message>
    <message>
      <source>samples</source>
      <translation>échantillons</translation>
    </message>
    <message>
      <source>Writes a cube's time series as a long CSV table with one row per pixel (or point), date and band: id, x, y, date, band, value (empty where nodata), as the sits package's to_csv does; and, optionally, the cube as a CF netCDF file (to_nc).

POINTS (optional): a point layer in any CRS; each point takes the value of the pixel it falls in, and its id from ID_FIELD (default: the feature id). Without points, every pixel is written.</source>
      <translation>Écrit les séries temporelles d'un cube dans une table CSV longue, avec une ligne par pixel (ou point), date et bande : id, x, y, date, band, value (vide là où la valeur est nodata), comme le fait to_csv du package sits ; et, en option, le cube en fichier netCDF CF (to_nc).

POINTS (facultatif) : une couche de points dans n'importe quel SCR ; chaque point prend la valeur du pixel dans lequel il tombe, et son identifiant dans ID_FIELD (par défaut : l'identifiant de l'entité). Sans points, tous les pixels sont écrits.</translation>
    </message>
    <message>
      <source>Points (optional)</source>
      <translation>Points (facultatif)</translation>
    </message>
    <message>
      <source>Point id field</source>
      <translation>Champ identifiant des points</translation>
    </message>
    <message>
      <source>Time series (CSV)</source>
      <translation>Séries temporelles (CSV)</translation>
    </message>
    <message>
      <source>Cube as netCDF (optional)</source>
      <translation>Cube en netCDF (facultatif)</translation>
    </message>
    <message>
      <source>{n} feature(s) without geometry were skipped.</source>
      <translation>{n} entité(s) sans géométrie ignorée(s).</translation>
    </message>
    <message>
      <source>POINTS has no feature with a geometry.</source>
      <translation>POINTS n'a aucune entité avec une géométrie.</translation>
    </message>
    <message>
      <source>Gap-fill in time</source>
      <translation>Combler les lacunes dans le temps</translation>
    </message>
    <message>
      <source>gap</source>
      <translation>lacune</translation>
    </message>
    <message>
      <source>interpolation</source>
      <translation>interpolation</translation>
    </message>
    <message>
      <source>Fills nodata pixels (for instance masked clouds) of every reflectance band from the same pixel's valid values at other dates. 'linear' interpolates between the previous and the next valid value, weighted by the acquisition dates (a date 10 days after a valid one and 30 days before the next is 1/4 of the way); 'nearest' takes the closest valid date; 'previous' the last valid one.

FILL_EDGES fills dates before the first and after the last valid value with the nearest valid value. MAX_GAP_DAYS (optional) leaves gaps longer than that as nodata. Pixels never valid stay nodata; class bands such as SCL are unchanged.</source>
      <translation>Comble les pixels nodata (par exemple les nuages masqués) de chaque bande de réflectance à partir des valeurs valides du même pixel à d'autres dates. « linear » interpole entre la valeur valide précédente et la suivante, avec une pondération par les dates d'acquisition (une date située 10 jours après une date valide et 30 jours avant la suivante est au quart du chemin) ; « nearest » prend la date valide la plus proche ; « previous » la dernière date valide.

FILL_EDGES remplit les dates avant la première et après la dernière valeur valide avec la valeur valide la plus proche. MAX_GAP_DAYS (facultatif) laisse en nodata les lacunes plus longues que cette durée. Les pixels jamais valides restent nodata ; les bandes de classes comme SCL ne sont pas modifiées.</translation>
    </message>
    <message>
      <source>Fill the series' ends with the nearest value</source>
      <translation>Remplir les extrémités de la série avec la valeur la plus proche</translation>
    </message>
    <message>
      <source>Maximum gap (days)</source>
      <translation>Lacune maximale (jours)</translation>
    </message>
    <message>
      <source>Gap-filled cube</source>
      <translation>Cube comblé</translation>
    </message>
    <message>
      <source>Harmonize Sentinel-2 baselines</source>
      <translation>Harmoniser les baselines Sentinel-2</translation>
    </message>
    <message>
      <source>baseline</source>
      <translation>baseline</translation>
    </message>
    <message>
      <source>offset</source>
      <translation>décalage</translation>
    </message>
    <message>
      <source>harmonize</source>
      <translation>harmoniser</translation>
    </message>
    <message>
      <source>From processing baseline 04.00 (25 January 2022) ESA's Sentinel-2 L2A products add 1000 to every reflectance band (BOA_ADD_OFFSET = -1000), and older products reprocessed to baseline 05.00 carry it too. This algorithm removes it date by date, from each date's processing baseline (not from its date), so a time series crosses January 2022 without a jump.

Dates the catalog already corrected (Earth Search's earthsearch:boa_offset_applied) are skipped; SCL and other class bands are untouched; nodata (0) stays nodata; values that were below the offset (negative reflectance) become 1, never wrap around; bright values (clouds, snow above 1.0) are kept. A cube already harmonized is left unchanged, with a warning.

Input and output: cubes (.nc or .zarr) as written by 'Load cube'.</source>
      <translation>Depuis la ligne de base de traitement 04.00 (25 janvier 2022), les produits Sentinel-2 L2A de l'ESA ajoutent 1000 à chaque bande de réflectance (BOA_ADD_OFFSET = -1000), et les produits plus anciens retraités en ligne de base 05.00 le portent aussi. Cet algorithme le retire date par date, d'après la ligne de base de traitement de chaque date (et non d'après la date elle-même), pour qu'une série temporelle franchisse janvier 2022 sans saut.

Les dates déjà corrigées par le catalogue (earthsearch:boa_offset_applied d'Earth Search) sont ignorées ; SCL et les autres bandes de classes ne sont pas modifiées ; nodata (0) reste nodata ; les valeurs qui étaient sous le décalage (réflectance négative) deviennent 1, sans jamais repartir par le haut de la plage des entiers ; les valeurs élevées (nuages, neige au-dessus de 1,0) sont conservées. Un cube déjà harmonisé est laissé inchangé, avec un avertissement.

Entrée et sortie : des cubes (.nc ou .zarr) tels qu'écrits par « Charger un cube ».</translation>
    </message>
    <message>
      <source>UNFLAGGED_DATES (advanced): a date without earthsearch:boa_offset_applied in a cube whose other dates have it holds values as ESA ships them, so by default ('baseline') it is corrected by its baseline, with a warning naming it; 'removed' treats such dates as already corrected by the catalog. The baseline is read from s2:processing_baseline, processing:version (CDSE) or the product name (_N0400_). Float cubes are corrected in their units; reflectance that 'Load cube' computed with UNITS 'reflectance' already has each date's offset applied. Dates that need the correction in a cube with no reflectance band are an error.</source>
      <translation>UNFLAGGED_DATES (avancé) : une date sans earthsearch:boa_offset_applied dans un cube dont les autres dates l'ont porte les valeurs telles que l'ESA les livre ; par défaut (« baseline ») elle est donc corrigée selon sa baseline, avec un avertissement qui la nomme ; « removed » considère ces dates comme déjà corrigées par le catalogue. La baseline est lue dans s2:processing_baseline, processing:version (CDSE) ou le nom du produit (_N0400_). Les cubes flottants sont corrigés dans leurs unités ; la réflectance calculée par « Charger un cube » avec UNITS « reflectance » porte déjà le décalage de chaque date. Des dates à corriger dans un cube sans bande de réflectance sont une erreur.</translation>
    </message>
    <message>
      <source>Dates the catalog did not flag</source>
      <translation>Dates que le catalogue n'a pas signalées</translation>
    </message>
    <message>
      <source>Harmonized cube</source>
      <translation>Cube harmonisé</translation>
    </message>
    <message>
      <source>No date carries the offset: the cube is copied unchanged.</source>
      <translation>Aucune date ne porte le décalage : le cube est copié sans changement.</translation>
    </message>
    <message>
      <source>Load cube</source>
      <translation>Charger un cube</translation>
    </message>
    <message>
      <source>cube</source>
      <translation>cube</translation>
    </message>
    <message>
      <source>Loads the items found by 'STAC search' as a regular (time, y, x) data cube with odc-stac, reading the Cloud-Optimized GeoTIFFs lazily and chunk by chunk.

ITEMS: the item collection (GeoJSON file or footprint layer). AOI: the area to load (default: all items). CRS: the cube's CRS (default: the UTM zone of the area). RESOLUTION: pixel size in CRS units (metres for UTM). BANDS: asset keys or common names, comma separated, e.g. 'red,nir,scl' or 'B04,B08,SCL'. GROUPBY: 'solar_day' fuses the tiles of one overpass into one date. Categorical bands such as SCL are always resampled with 'nearest'.

Output: a cube file, netCDF (.nc, default) or Zarr (.zarr), with one variable per band, integer types and nodata kept, and per-date metadata (item ids, platform, processing baseline, cloud cover). Each band is loaded into the map as a raster layer with one band per date.

ON_ASSET_ERROR: every asset is opened first (with GDAL's HTTP retries); if one still cannot be read, 'fail' (default) stops before writing and names the item and asset, 'skip' leaves those items out with a warning listing them.</source>
      <translation>Charge les items trouvés par « Recherche STAC » en un cube de données régulier (time, y, x) avec odc-stac, en lisant les GeoTIFF optimisés pour le cloud (COG) à la demande, bloc par bloc.

ITEMS : la collection d'items (fichier GeoJSON ou couche d'emprises). AOI : la zone à charger (par défaut : tous les items). CRS : le SCR du cube (par défaut : la zone UTM de la zone d'intérêt). RESOLUTION : taille du pixel en unités du SCR (mètres en UTM). BANDS : clés d'asset ou noms communs, séparés par des virgules, par ex. « red,nir,scl » ou « B04,B08,SCL ». GROUPBY : « solar_day » fusionne les tuiles d'un même passage en une seule date. Les bandes catégorielles comme SCL sont toujours rééchantillonnées au plus proche voisin (« nearest »).

Sortie : un fichier cube, netCDF (.nc, par défaut) ou Zarr (.zarr), avec une variable par bande, les types entiers et le nodata conservés, et des métadonnées par date (identifiants des items, plateforme, ligne de base de traitement, couverture nuageuse). Chaque bande est chargée dans la carte comme une couche raster avec une bande par date.

ON_ASSET_ERROR : chaque asset est d'abord ouvert (avec les nouvelles tentatives HTTP de GDAL) ; si l'un d'eux reste illisible, « fail » (par défaut) s'arrête avant d'écrire en nommant l'item et l'asset, « skip » écarte ces items avec un avertissement qui les liste.</translation>
    </message>
    <message>
      <source>UNITS: 'dn' (default) keeps the values as stored (integers, nodata kept); 'reflectance' writes float32 surface reflectance, each date with its own scale and offset from the items (raster:bands, CDSE's raster:scale/raster:offset, the COG header; Sentinel-2 0.0001 and -0.1 from baseline 04.00 unless the catalog removed it; Landsat Collection 2 Level-2 0.0000275 and -0.2). Such a cube needs no harmonization.

Catalog conventions: asset keys with a resolution (CDSE's B04_10m, B04_20m …) are chosen to fit RESOLUTION and named without it in the cube (B04); data type and nodata come from the COG headers when the items do not state them (Planetary Computer); s3:// assets are read through their https alternate unless S3 credentials (AWS_ACCESS_KEY_ID …) are set. AUTH_CONFIG (advanced): a QGIS authentication configuration whose headers (e.g. a CDSE bearer token) are sent with every asset request; they are never written to the cube or the log.</source>
      <translation>UNITS : « dn » (par défaut) garde les valeurs stockées (entiers, nodata conservé) ; « reflectance » écrit la réflectance de surface en float32, chaque date avec son propre facteur et décalage tirés des items (raster:bands, raster:scale/raster:offset du CDSE, l'en-tête du COG ; Sentinel-2 0,0001 et -0,1 à partir de la baseline 04.00 sauf si le catalogue l'a retiré ; Landsat Collection 2 niveau 2 0,0000275 et -0,2). Un tel cube n'a pas besoin d'harmonisation.

Conventions des catalogues : les clés d'assets avec une résolution (B04_10m, B04_20m … du CDSE) sont choisies selon RESOLUTION et nommées sans elle dans le cube (B04) ; type de données et nodata viennent des en-têtes COG quand les items ne les donnent pas (Planetary Computer) ; les assets s3:// sont lus par leur alternative https sauf si des identifiants S3 (AWS_ACCESS_KEY_ID …) sont définis. AUTH_CONFIG (avancé) : une configuration d'authentification QGIS dont les en-têtes (par ex. un jeton bearer du CDSE) accompagnent chaque requête d'asset ; ils ne sont jamais écrits dans le cube ni dans le journal.</translation>
    </message>
    <message>
      <source>Area of interest</source>
      <translation>Zone d'intérêt</translation>
    </message>
    <message>
      <source>Cube CRS (default: UTM zone of the area)</source>
      <translation>SCR du cube (par défaut : zone UTM de la zone d'intérêt)</translation>
    </message>
    <message>
      <source>Resolution (CRS units)</source>
      <translation>Résolution (unités du SCR)</translation>
    </message>
    <message>
      <source>Group items into dates by</source>
      <translation>Regrouper les items en dates par</translation>
    </message>
    <message>
      <source>Resampling</source>
      <translation>Rééchantillonnage</translation>
    </message>
    <message>
      <source>Chunk size (pixels)</source>
      <translation>Taille des blocs (pixels)</translation>
    </message>
    <message>
      <source>When an asset cannot be read</source>
      <translation>Quand un asset ne peut pas être lu</translation>
    </message>
    <message>
      <source>Values</source>
      <translation>Valeurs</translation>
    </message>
    <message>
      <source>Authentication for the assets</source>
      <translation>Authentification pour les assets</translation>
    </message>
    <message>
      <source>Extra HTTP headers: {names}</source>
      <translation>En-têtes HTTP supplémentaires : {names}</translation>
    </message>
    <message>
      <source>Reading and writing {dates} date(s) × {bands} band(s) to {path}…</source>
      <translation>Lecture et écriture de {dates} date(s) × {bands} bande(s) dans {path}…</translation>
    </message>
    <message>
      <source>Phenology</source>
      <translation>Phénologie</translation>
    </message>
    <message>
      <source>phenology</source>
      <translation>phénologie</translation>
    </message>
    <message>
      <source>start of season</source>
      <translation>début de saison</translation>
    </message>
    <message>
      <source>green-up</source>
      <translation>reverdissement</translation>
    </message>
    <message>
      <source>Measures the growing season of every pixel, for each calendar year, from a band or an index (BAND, default NDVI; an index the cube lacks is computed from its bands, e.g. NDVI from red and nir). The series is first smoothed in time (SMOOTH: savitzky-golay by default, whittaker or none; masked dates are filled by the smooth curve), then within each year: the peak (its day of year and value), the base before and after it (their minima) and the amplitude (peak minus the mean of the two bases).

METHOD 'amplitude': the season starts where the curve first rises through base + FRACTION × (peak - base) (FRACTION 0.5 by default) and ends where it last falls through it; 'threshold': where it crosses THRESHOLD. Crossings are interpolated linearly between dates, in day of year. The green-up date is the first date at or above base + GREENUP_FRACTION × (peak - base), or GREENUP_THRESHOLD when given. A pixel whose amplitude is below MIN_AMPLITUDE, or without a start or an end within the year, has no season (nodata).

YEARS: e.g. 2022, 2021,2022 or 2020-2022; default: every year the cube covers completely. Output: one GeoTIFF with the bands sos_doy, pos_doy, eos_doy, peak_value, amplitude, season_length_days, greenup_doy (prefixed by the year, e.g. 2022_sos_doy, when there are several years), loaded with a colour ramp on the start of season.</source>
      <translation>Mesure la saison de végétation de chaque pixel, pour chaque année civile, à partir d'une bande ou d'un indice (BAND, NDVI par défaut ; un indice absent du cube est calculé à partir de ses bandes, par ex. le NDVI à partir de red et nir). La série est d'abord lissée dans le temps (SMOOTH : savitzky-golay par défaut, whittaker ou none ; les dates masquées sont remplies par la courbe lissée), puis dans chaque année : le pic (son jour de l'année et sa valeur), la base avant et après lui (leurs minima) et l'amplitude (le pic moins la moyenne des deux bases).

METHOD « amplitude » : la saison commence là où la courbe franchit pour la première fois en montant base + FRACTION × (pic - base) (FRACTION 0,5 par défaut) et finit là où elle le franchit pour la dernière fois en descendant ; « threshold » : là où elle franchit THRESHOLD. Les franchissements sont interpolés linéairement entre les dates, en jour de l'année. La date de reverdissement est la première date égale ou supérieure à base + GREENUP_FRACTION × (pic - base), ou à GREENUP_THRESHOLD s'il est donné. Un pixel dont l'amplitude est inférieure à MIN_AMPLITUDE, ou sans début ou sans fin dans l'année, n'a pas de saison (nodata).

YEARS : par ex. 2022, 2021,2022 ou 2020-2022 ; par défaut : chaque année que le cube couvre entièrement. Sortie : un GeoTIFF avec les bandes sos_doy, pos_doy, eos_doy, peak_value, amplitude, season_length_days, greenup_doy (préfixées par l'année, par ex. 2022_sos_doy, s'il y a plusieurs années), chargé avec une rampe de couleurs sur le début de saison.</translation>
    </message>
    <message>
      <source>Band or index</source>
      <translation>Bande ou indice</translation>
    </message>
    <message>
      <source>Years (default: every complete year)</source>
      <translation>Années (par défaut : chaque année complète)</translation>
    </message>
    <message>
      <source>Start and end of season by</source>
      <translation>Début et fin de saison par</translation>
    </message>
    <message>
      <source>Fraction of the amplitude</source>
      <translation>Fraction de l'amplitude</translation>
    </message>
    <message>
      <source>Threshold (method 'threshold')</source>
      <translation>Seuil (méthode « threshold »)</translation>
    </message>
    <message>
      <source>Green-up: fraction of the amplitude</source>
      <translation>Reverdissement : fraction de l'amplitude</translation>
    </message>
    <message>
      <source>Green-up: threshold (optional)</source>
      <translation>Reverdissement : seuil (facultatif)</translation>
    </message>
    <message>
      <source>Minimum amplitude for a season</source>
      <translation>Amplitude minimale d'une saison</translation>
    </message>
    <message>
      <source>Smoothing first</source>
      <translation>Lissage préalable</translation>
    </message>
    <message>
      <source>The phenology is written as GeoTIFF: the file name must end in .tif, not '{path}'.</source>
      <translation>La phénologie est écrite en GeoTIFF : le nom du fichier doit finir par .tif, pas « {path} ».</translation>
    </message>
    <message>
      <source>Quick-looks</source>
      <translation>Aperçus</translation>
    </message>
    <message>
      <source>thumbnail</source>
      <translation>vignette</translation>
    </message>
    <message>
      <source>preview</source>
      <translation>aperçu</translation>
    </message>
    <message>
      <source>quick-look</source>
      <translation>imagette</translation>
    </message>
    <message>
      <source>gallery</source>
      <translation>galerie</translation>
    </message>
    <message>
      <source>Shows the items found by 'STAC search' as a gallery of quick-looks: one card per item with its image, id, date, cloud cover and platform, in an HTML page that opens in the results viewer.

The image is the item's thumbnail asset (key 'thumbnail', an asset with the 'thumbnail' role, or 'rendered_preview' / 'preview'), downloaded into the folder &lt;page name&gt;_files next to the page, so the page also works offline. An item without a thumbnail but with a true-colour asset ('visual', 'TCI_10m' …) or red, green and blue bands gets a small preview rendered from them (at most 256 pixels, stretched between the 2nd and 98th percentiles, read from the overviews). An item with neither gets a card saying so; a thumbnail that cannot be downloaded gets a card with the error.

MAX_ITEMS (optional): only the first items of the collection.</source>
      <translation>Montre les items trouvés par « Recherche STAC » en une galerie d'aperçus : une carte par item avec son image, son id, sa date, sa couverture nuageuse et sa plateforme, dans une page HTML qui s'ouvre dans la visionneuse de résultats.

L'image est l'asset vignette de l'item (clé « thumbnail », un asset de rôle « thumbnail », ou « rendered_preview » / « preview »), téléchargée dans le dossier &lt;nom de la page&gt;_files à côté de la page, qui fonctionne donc aussi hors ligne. Un item sans vignette mais avec un asset en couleurs naturelles (« visual », « TCI_10m » …) ou des bandes rouge, verte et bleue reçoit un petit aperçu calculé à partir d'elles (256 pixels au plus, étiré entre les 2e et 98e centiles, lu dans les aperçus pyramidaux). Un item sans l'un ni l'autre reçoit une carte qui le dit ; une vignette qui ne peut pas être téléchargée reçoit une carte avec l'erreur.

MAX_ITEMS (facultatif) : seulement les premiers items de la collection.</translation>
    </message>
    <message>
      <source>Maximum number of items (0: all)</source>
      <translation>Nombre maximum d'items (0 : tous)</translation>
    </message>
    <message>
      <source>Quick-looks (HTML)</source>
      <translation>Aperçus (HTML)</translation>
    </message>
    <message>
      <source>HTML files (*.html)</source>
      <translation>Fichiers HTML (*.html)</translation>
    </message>
    <message>
      <source>{n} card(s): {thumbnails} thumbnail(s), {rendered} rendered preview(s), {none} without image, {errors} error(s). Page: {path}</source>
      <translation>{n} carte(s) : {thumbnails} vignette(s), {rendered} aperçu(s) calculé(s), {none} sans image, {errors} erreur(s). Page : {path}</translation>
    </message>
    <message>
      <source>Savitzky-Golay window (dates, odd)</source>
      <translation>Fenêtre de Savitzky-Golay (dates, impair)</translation>
    </message>
    <message>
      <source>Savitzky-Golay polynomial order</source>
      <translation>Degré du polynôme de Savitzky-Golay</translation>
    </message>
    <message>
      <source>Whittaker lambda (days⁴)</source>
      <translation>Lambda de Whittaker (jours⁴)</translation>
    </message>
    <message>
      <source>Smooth time series</source>
      <translation>Lisser les séries temporelles</translation>
    </message>
    <message>
      <source>smoothing</source>
      <translation>lissage</translation>
    </message>
    <message>
      <source>filter</source>
      <translation>filtre</translation>
    </message>
    <message>
      <source>noise</source>
      <translation>bruit</translation>
    </message>
    <message>
      <source>Smooths every pixel's time series along time, in actual days (acquisition dates), never counting masked values. 'savitzky-golay' fits, at each date, a polynomial of degree ORDER to the WINDOW valid observations around it (WINDOW counts dates and is odd; over a gap the window reaches further in time; at the ends it slides inwards): a polynomial of degree ORDER or less is kept exactly, whatever the dates. 'whittaker' is Eilers' smoother for uneven dates (second divided differences in days, masked values weighted 0): LAMBDA (days⁴) sets the smoothness, independently of the number of dates; roughly, wiggles shorter than 2π(LAMBDA/4)^¼ days are removed (1e3: 25 days, 1e4: 45, 1e5: 80).

FILL (default on) gives masked dates the smooth curve's value, and dates before the first or after the last valid one the curve's value there; off, they stay nodata. BANDS: the bands to smooth (default: every reflectance and index band; class bands such as SCL are unchanged). Each band keeps its type: integer bands are rounded (half away from zero) and never take the nodata value.</source>
      <translation>Lisse la série temporelle de chaque pixel dans le temps, en jours réels (dates d'acquisition), sans jamais compter les valeurs masquées. « savitzky-golay » ajuste, à chaque date, un polynôme de degré ORDER aux WINDOW observations valides qui l'entourent (WINDOW compte des dates et est impair ; sur un trou la fenêtre s'étend plus loin dans le temps ; aux extrémités elle glisse vers l'intérieur) : un polynôme de degré ORDER ou moins est conservé exactement, quelles que soient les dates. « whittaker » est le lisseur d'Eilers pour dates irrégulières (différences divisées secondes en jours, valeurs masquées de poids 0) : LAMBDA (jours⁴) règle le lissage, indépendamment du nombre de dates ; en gros, les oscillations plus courtes que 2π(LAMBDA/4)^¼ jours disparaissent (1e3 : 25 jours, 1e4 : 45, 1e5 : 80).

FILL (activé par défaut) donne aux dates masquées la valeur de la courbe lissée, et aux dates avant la première ou après la dernière valide la valeur de la courbe à celle-ci ; désactivé, elles restent nodata. BANDS : les bandes à lisser (par défaut : toutes les bandes de réflectance et d'indice ; les bandes de classes comme SCL sont inchangées). Chaque bande garde son type : les bandes entières sont arrondies (demi vers l'extérieur) et ne prennent jamais la valeur nodata.</translation>
    </message>
    <message>
      <source>Fill masked dates from the smooth curve</source>
      <translation>Remplir les dates masquées par la courbe lissée</translation>
    </message>
    <message>
      <source>Smoothed cube</source>
      <translation>Cube lissé</translation>
    </message>
    <message>
      <source>Spectral index</source>
      <translation>Indice spectral</translation>
    </message>
    <message>
      <source>index</source>
      <translation>indice</translation>
    </message>
    <message>
      <source>vegetation</source>
      <translation>végétation</translation>
    </message>
    <message>
      <source>Adds a spectral index to the cube as a new float variable, computed in reflectance (the digital numbers times the band's scale, 0.0001 for Sentinel-2):
NDVI (nir-red)/(nir+red); NDWI (green-nir)/(green+nir); NDMI (nir-swir16)/(nir+swir16); NBR (nir-swir22)/(nir+swir22); EVI 2.5(nir-red)/(nir+6red-7.5blue+1); SAVI 1.5(nir-red)/(nir+red+0.5).

Bands are found by common name (red is B04 or red). Pixels where an input is nodata are NaN. Harmonize the cube first if it carries the baseline 04.00 offset.</source>
      <translation>Ajoute au cube un indice spectral, comme nouvelle variable en nombres flottants, calculé en réflectance (les comptes numériques multipliés par le facteur d'échelle de la bande, 0,0001 pour Sentinel-2) :
NDVI (nir-red)/(nir+red) ; NDWI (green-nir)/(green+nir) ; NDMI (nir-swir16)/(nir+swir16) ; NBR (nir-swir22)/(nir+swir22) ; EVI 2.5(nir-red)/(nir+6red-7.5blue+1) ; SAVI 1.5(nir-red)/(nir+red+0.5).

Les bandes sont trouvées par leur nom commun (red est B04 ou red). Les pixels où une entrée est nodata valent NaN. Harmonisez d'abord le cube s'il porte le décalage de la ligne de base 04.00.</translation>
    </message>
    <message>
      <source>Index</source>
      <translation>Indice</translation>
    </message>
    <message>
      <source>Cube with the index</source>
      <translation>Cube avec l'indice</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>Date</translation>
    </message>
    <message>
      <source>Cloud cover (%)</source>
      <translation>Couverture nuageuse (%)</translation>
    </message>
    <message>
      <source>Platform</source>
      <translation>Plateforme</translation>
    </message>
    <message>
      <source>Processing baseline</source>
      <translation>Ligne de base de traitement</translation>
    </message>
    <message>
      <source>Tile</source>
      <translation>Tuile</translation>
    </message>
    <message>
      <source>Offset removed by catalog</source>
      <translation>Décalage retiré par le catalogue</translation>
    </message>
    <message>
      <source>STAC search</source>
      <translation>Recherche STAC</translation>
    </message>
    <message>
      <source>catalog</source>
      <translation>catalogue</translation>
    </message>
    <message>
      <source>search</source>
      <translation>recherche</translation>
    </message>
    <message>
      <source>footprints</source>
      <translation>emprises</translation>
    </message>
    <message>
      <source>Searches a STAC API (Earth Search, Planetary Computer or any other) for items of a collection that intersect an area, between two dates (both included), with at most a given cloud cover.

The area can be drawn on the map, typed, or taken from a layer, in any CRS. Cloud cover is filtered by the server when it supports the 'filter' or 'query' extension, otherwise after download (with a warning). Results are sorted by date.

Busy or flaky catalogs: each request waits at most TIMEOUT seconds for an answer; rate limits (429) and temporary errors (500, 502, 503, 504, dropped connections) are retried up to 4 times with growing waits (0.5, 1, 2, 4 s, or the server's Retry-After up to 60 s), never past 120 s per request. Retries are reported in the log.

Output: the STAC ItemCollection as GeoJSON, loaded as a footprint layer. Use it as ITEMS in 'Load cube'.</source>
      <translation>Recherche dans une API STAC (Earth Search, Planetary Computer ou toute autre) les items d'une collection qui intersectent une zone, entre deux dates (toutes deux incluses), avec au plus une couverture nuageuse donnée.

La zone peut être dessinée sur la carte, saisie ou tirée d'une couche, dans n'importe quel SCR. La couverture nuageuse est filtrée par le serveur s'il prend en charge l'extension « filter » ou « query », sinon après le téléchargement (avec un avertissement). Les résultats sont triés par date.

Catalogues surchargés ou instables : chaque requête attend une réponse au plus TIMEOUT secondes ; les limitations de débit (429) et les erreurs temporaires (500, 502, 503, 504, connexions interrompues) sont retentées jusqu'à 4 fois avec des attentes croissantes (0,5 s, 1 s, 2 s, 4 s, ou le Retry-After du serveur jusqu'à 60 s), jamais au-delà de 120 s par requête. Les nouvelles tentatives sont signalées dans le journal.

Sortie : l'ItemCollection STAC en GeoJSON, chargée comme couche d'emprises. Utilisez-la comme ITEMS dans « Charger un cube ».</translation>
    </message>
    <message>
      <source>CATALOG: 'custom' (default) uses CATALOG_URL as given (empty: the default catalog of the settings). 'earth-search' (Earth Search v1, Element 84) and 'planetary-computer' (Microsoft Planetary Computer) use the preset's address when CATALOG_URL is empty or is the address of a preset (such as the default); any other CATALOG_URL is kept as a mirror or proxy of that catalog. An empty COLLECTION means the preset's collection (sentinel-2-l2a). Bands such as 'red,nir,scl' or 'B04,B08,SCL' load from both catalogs; Planetary Computer assets are signed with SAS tokens when the cube is loaded.

HEADERS (advanced): extra HTTP headers sent with every request to the catalog, as 'Name: value' lines or a JSON object, e.g. 'Authorization: Bearer …'. AUTH_CONFIG: a QGIS authentication configuration (Basic, API header …) whose headers are added the same way; HEADERS win on a name clash. Header values are never written to the log.</source>
      <translation>CATALOG : « custom » (par défaut) utilise CATALOG_URL tel quel (vide : le catalogue par défaut des paramètres). « earth-search » (Earth Search v1, Element 84) et « planetary-computer » (Microsoft Planetary Computer) utilisent l'adresse du préréglage quand CATALOG_URL est vide ou est l'adresse d'un préréglage (comme la valeur par défaut) ; toute autre CATALOG_URL est gardée comme miroir ou mandataire de ce catalogue. Une COLLECTION vide désigne la collection du préréglage (sentinel-2-l2a). Des bandes comme « red,nir,scl » ou « B04,B08,SCL » se chargent depuis les deux catalogues ; les assets de Planetary Computer sont signés par des jetons SAS au chargement du cube.

HEADERS (avancé) : en-têtes HTTP supplémentaires envoyés avec chaque requête au catalogue, en lignes « Nom: valeur » ou en objet JSON, par ex. « Authorization: Bearer … ». AUTH_CONFIG : une configuration d'authentification QGIS (Basic, en-tête d'API …) dont les en-têtes sont ajoutés de la même façon ; HEADERS l'emporte en cas de conflit de nom. Les valeurs des en-têtes ne sont jamais écrites dans le journal.</translation>
    </message>
    <message>
      <source>More presets: 'cdse' (Copernicus Data Space Ecosystem, ESA's own catalog: assets B04_10m, B04_20m … are chosen to fit the cube's resolution; its s3:// assets are read through their https alternates unless S3 credentials are set, with the bearer token of an AUTH_CONFIG in 'Load cube') and 'usgs-landsat' (USGS LandsatLook, Landsat Collection 2 Level-2, collection landsat-c2l2-sr). Landsat Collection 2 Level-2 is also 'landsat-c2-l2' on Earth Search and the Planetary Computer.</source>
      <translation>Autres préréglages : « cdse » (Copernicus Data Space Ecosystem, le catalogue de l'ESA : les assets B04_10m, B04_20m … sont choisis selon la résolution du cube ; ses assets s3:// sont lus par leurs alternatives https sauf si des identifiants S3 sont définis, avec le jeton bearer d'un AUTH_CONFIG dans « Charger un cube ») et « usgs-landsat » (USGS LandsatLook, Landsat Collection 2 niveau 2, collection landsat-c2l2-sr). Landsat Collection 2 niveau 2 est aussi « landsat-c2-l2 » sur Earth Search et le Planetary Computer.</translation>
    </message>
    <message>
      <source>Catalog preset</source>
      <translation>Préréglage de catalogue</translation>
    </message>
    <message>
      <source>STAC API URL</source>
      <translation>URL de l'API STAC</translation>
    </message>
    <message>
      <source>Collection(s), comma separated</source>
      <translation>Collection(s), séparées par des virgules</translation>
    </message>
    <message>
      <source>Start date</source>
      <translation>Date de début</translation>
    </message>
    <message>
      <source>End date (included)</source>
      <translation>Date de fin (incluse)</translation>
    </message>
    <message>
      <source>Maximum cloud cover (%)</source>
      <translation>Couverture nuageuse maximale (%)</translation>
    </message>
    <message>
      <source>Maximum number of items</source>
      <translation>Nombre maximal d'items</translation>
    </message>
    <message>
      <source>Timeout per request (seconds)</source>
      <translation>Délai maximal par requête (secondes)</translation>
    </message>
    <message>
      <source>HTTP headers ('Name: value' lines or JSON)</source>
      <translation>En-têtes HTTP (lignes « Nom: valeur » ou JSON)</translation>
    </message>
    <message>
      <source>Authentication configuration</source>
      <translation>Configuration d'authentification</translation>
    </message>
    <message>
      <source>Items (GeoJSON)</source>
      <translation>Items (GeoJSON)</translation>
    </message>
    <message>
      <source>GeoJSON (*.geojson)</source>
      <translation>GeoJSON (*.geojson)</translation>
    </message>
    <message>
      <source>START_DATE and END_DATE must be dates such as 2022-01-31.</source>
      <translation>START_DATE et END_DATE doivent être des dates comme 2022-01-31.</translation>
    </message>
    <message>
      <source>Catalog preset: {title}</source>
      <translation>Préréglage de catalogue : {title}</translation>
    </message>
    <message>
      <source>Searching {url} for {collections}…</source>
      <translation>Recherche de {collections} dans {url}…</translation>
    </message>
    <message>
      <source>No items found in {collections} for this area between {start} and {end} with cloud cover ≤ {cloud}%. Widen the area or the dates, or raise MAX_CLOUD.</source>
      <translation>Aucun item trouvé dans {collections} pour cette zone entre le {start} et le {end} avec une couverture nuageuse ≤ {cloud} %. Élargissez la zone ou les dates, ou augmentez MAX_CLOUD.</translation>
    </message>
    <message>
      <source>{n} item(s) written to {path}</source>
      <translation>{n} item(s) écrit(s) dans {path}</translation>
    </message>
    <message>
      <source>STAC items</source>
      <translation>Items STAC</translation>
    </message>
    <message>
      <source>AUTH_CONFIG is set but the QGIS authentication system is disabled: {reason}</source>
      <translation>AUTH_CONFIG est défini mais le système d'authentification de QGIS est désactivé : {reason}</translation>
    </message>
    <message>
      <source>AUTH_CONFIG '{id}' is not an authentication configuration of this QGIS profile.</source>
      <translation>AUTH_CONFIG « {id} » n'est pas une configuration d'authentification de ce profil QGIS.</translation>
    </message>
    <message>
      <source>AUTH_CONFIG '{id}' could not be applied (wrong master password, or an incomplete configuration).</source>
      <translation>AUTH_CONFIG « {id} » n'a pas pu être appliqué (mauvais mot de passe principal, ou configuration incomplète).</translation>
    </message>
    <message>
      <source>AUTH_CONFIG '{id}' adds no HTTP header (method {method}): only header-based methods such as Basic or API header can be used for a STAC API; give HEADERS instead.</source>
      <translation>AUTH_CONFIG « {id} » n'ajoute aucun en-tête HTTP (méthode {method}) : seules les méthodes à en-tête comme Basic ou en-tête d'API conviennent à une API STAC ; indiquez plutôt HEADERS.</translation>
    </message>
    <message>
      <source>Canceled: nothing was written.</source>
      <translation>Annulé : rien n'a été écrit.</translation>
    </message>
    <message>
      <source>Temporal profile</source>
      <translation>Profil temporel</translation>
    </message>
    <message>
      <source>profile</source>
      <translation>profil</translation>
    </message>
    <message>
      <source>chart</source>
      <translation>graphique</translation>
    </message>
    <message>
      <source>plot</source>
      <translation>courbe</translation>
    </message>
    <message>
      <source>points</source>
      <translation>points</translation>
    </message>
    <message>
      <source>polygon</source>
      <translation>polygone</translation>
    </message>
    <message>
      <source>The time series of points or polygons in one or more cubes, side by side, so you see what each step did: for instance the loaded cube, the harmonized one and the gap-filled one. Each cube is labelled by its file name and the steps recorded in it (loadcube › harmonize › cloudmask › gapfill).

INPUT: cube files (.nc, a .zarr folder or a file in it, or the band layers 'Load cube' puts in the map). POINTS: a point layer (each point takes the pixel it falls in) or a polygon layer (the mean of the valid pixels whose centre is inside), in any CRS. BAND: the band or index to draw (default: the first band that is not a class band). ID_FIELD (optional) names the features (default: their id).

Nodata and masked dates are gaps: a break in the line, an empty cell, never a zero. Values are shown as stored in each cube.

Outputs: a PNG chart (one panel per feature, the first 12, one line per cube), an HTML page shown in the results viewer (the chart, the cubes with their history, a table of the values) and a CSV table feature_id, cube, history, date, band, value, pixels.</source>
      <translation>La série temporelle de points ou de polygones dans un ou plusieurs cubes, côte à côte, pour voir ce qu'a fait chaque étape : par exemple le cube chargé, le cube harmonisé et le cube comblé. Chaque cube est désigné par son nom de fichier et les étapes qu'il a enregistrées (loadcube › harmonize › cloudmask › gapfill).

INPUT : des fichiers de cube (.nc, un dossier .zarr ou un fichier qu'il contient, ou les couches de bande que « Charger un cube » ajoute à la carte). POINTS : une couche de points (chaque point prend le pixel où il tombe) ou de polygones (la moyenne des pixels valides dont le centre est à l'intérieur), dans n'importe quel SCR. BAND : la bande ou l'indice à tracer (par défaut : la première bande qui n'est pas une bande de classes). ID_FIELD (facultatif) nomme les entités (par défaut : leur id).

Le nodata et les dates masquées sont des lacunes : une coupure de la courbe, une cellule vide, jamais un zéro. Les valeurs sont montrées telles que stockées dans chaque cube.

Sorties : un graphique PNG (un panneau par entité, les 12 premières, une courbe par cube), une page HTML affichée dans la visionneuse de résultats (le graphique, les cubes et leur historique, un tableau des valeurs) et une table CSV feature_id, cube, history, date, band, value, pixels.</translation>
    </message>
    <message>
      <source>Cubes (files or cube band layers)</source>
      <translation>Cubes (fichiers ou couches de bande de cube)</translation>
    </message>
    <message>
      <source>Points or polygons</source>
      <translation>Points ou polygones</translation>
    </message>
    <message>
      <source>Band or index (default: the first band)</source>
      <translation>Bande ou indice (par défaut : la première bande)</translation>
    </message>
    <message>
      <source>Feature id field</source>
      <translation>Champ d'identifiant des entités</translation>
    </message>
    <message>
      <source>Profile page (HTML)</source>
      <translation>Page du profil (HTML)</translation>
    </message>
    <message>
      <source>Chart (PNG)</source>
      <translation>Graphique (PNG)</translation>
    </message>
    <message>
      <source>Values (CSV)</source>
      <translation>Valeurs (CSV)</translation>
    </message>
    <message>
      <source>INPUT has no cube: give one or more cube files or cube band layers.</source>
      <translation>INPUT ne contient aucun cube : donnez un ou plusieurs fichiers de cube ou couches de bande de cube.</translation>
    </message>
    <message>
      <source>POINTS is not a vector layer.</source>
      <translation>POINTS n'est pas une couche vecteur.</translation>
    </message>
    <message>
      <source>{key} must end in {extension}, not '{path}'.</source>
      <translation>{key} doit finir par {extension}, pas « {path} ».</translation>
    </message>
    <message>
      <source>Reading {cube} ({n}/{total})…</source>
      <translation>Lecture de {cube} ({n}/{total})…</translation>
    </message>
    <message>
      <source>{n} feature(s) with an empty or invalid geometry were skipped.</source>
      <translation>{n} entité(s) à la géométrie vide ou invalide ont été ignorée(s).</translation>
    </message>
    <message>
      <source>POINTS has no feature with a valid geometry.</source>
      <translation>POINTS n'a aucune entité à la géométrie valide.</translation>
    </message>
    <message>
      <source>{n} training feature(s) skipped: {reason}.</source>
      <translation>{n} entité(s) d'entraînement ignorée(s) : {reason}.</translation>
    </message>
    <message>
      <source>no geometry</source>
      <translation>sans géométrie</translation>
    </message>
    <message>
      <source>invalid geometry</source>
      <translation>géométrie invalide</translation>
    </message>
    <message>
      <source>no class value</source>
      <translation>sans valeur de classe</translation>
    </message>
    <message>
      <source>Train random forest</source>
      <translation>Entraîner une forêt aléatoire</translation>
    </message>
    <message>
      <source>training</source>
      <translation>entraînement</translation>
    </message>
    <message>
      <source>accuracy</source>
      <translation>précision</translation>
    </message>
    <message>
      <source>Trains a scikit-learn random forest on the pixels of a multi-band raster (a composite, a stack, a cube band layer) inside training polygons, or under training points, labelled by CLASS_FIELD (text or integer). The training layer may be in any CRS.

Accuracy is estimated with spatially blocked cross-validation: a whole polygon (or, for points, a spatial block) is never split between training and test, so neighbouring, nearly identical pixels cannot inflate the score. The report gives the confusion matrix, overall accuracy, kappa, per-class precision, recall and F1, and feature importance. When blocked cross-validation is impossible (a class with a single polygon) the report says so plainly and the model is still trained.

Outputs: the model file (bands, classes, CRS and parameters recorded) for 'Classify', and the report as HTML, with JSON and CSV next to it.</source>
      <translation>Entraîne une forêt aléatoire scikit-learn sur les pixels d'un raster multibande (un composite, un empilement, une couche de bande de cube) à l'intérieur de polygones d'entraînement, ou sous des points d'entraînement, étiquetés par CLASS_FIELD (texte ou entier). La couche d'entraînement peut être dans n'importe quel SCR.

La précision est estimée par validation croisée spatialement par blocs : un polygone entier (ou, pour des points, un bloc spatial) n'est jamais partagé entre entraînement et test, de sorte que des pixels voisins presque identiques ne peuvent pas gonfler le score. Le rapport donne la matrice de confusion, la précision globale, le kappa, la précision, le rappel et le F1 par classe, et l'importance des variables. Quand la validation croisée par blocs est impossible (une classe avec un seul polygone), le rapport le dit clairement et le modèle est tout de même entraîné.

Sorties : le fichier du modèle (bandes, classes, SCR et paramètres enregistrés) pour « Classer », et le rapport en HTML, avec JSON et CSV à côté.</translation>
    </message>
    <message>
      <source>Training polygons or points</source>
      <translation>Polygones ou points d'entraînement</translation>
    </message>
    <message>
      <source>Class field</source>
      <translation>Champ de classe</translation>
    </message>
    <message>
      <source>Number of trees</source>
      <translation>Nombre d'arbres</translation>
    </message>
    <message>
      <source>Cross-validation folds</source>
      <translation>Plis de validation croisée</translation>
    </message>
    <message>
      <source>Maximum tree depth (empty: unlimited)</source>
      <translation>Profondeur maximale des arbres (vide : illimitée)</translation>
    </message>
    <message>
      <source>Balance classes (weights)</source>
      <translation>Équilibrer les classes (poids)</translation>
    </message>
    <message>
      <source>Maximum pixels per class</source>
      <translation>Nombre maximal de pixels par classe</translation>
    </message>
    <message>
      <source>Random seed</source>
      <translation>Graine aléatoire</translation>
    </message>
    <message>
      <source>SITS Cube model (*.sitsmodel)</source>
      <translation>Modèle SITS Cube (*.sitsmodel)</translation>
    </message>
    <message>
      <source>Accuracy report</source>
      <translation>Rapport de précision</translation>
    </message>
    <message>
      <source>HTML (*.html)</source>
      <translation>HTML (*.html)</translation>
    </message>
    <message>
      <source>CLASS_FIELD is empty: choose the field of the training layer that holds the class.</source>
      <translation>CLASS_FIELD est vide : choisissez le champ de la couche d'entraînement qui contient la classe.</translation>
    </message>
    <message>
      <source>The training layer has no feature.</source>
      <translation>La couche d'entraînement n'a aucune entité.</translation>
    </message>
    <message>
      <source>No training feature has both a valid geometry and a value in '{field}'.</source>
      <translation>Aucune entité d'entraînement n'a à la fois une géométrie valide et une valeur dans « {field} ».</translation>
    </message>
    <message>
      <source>{n} training pixels in {k} classes.</source>
      <translation>{n} pixels d'entraînement dans {k} classes.</translation>
    </message>
    <message>
      <source>Overall accuracy {oa:.3f}, kappa {kappa:.3f} (spatially blocked cross-validation).</source>
      <translation>Précision globale {oa:.3f}, kappa {kappa:.3f} (validation croisée spatialement par blocs).</translation>
    </message>
    <message>
      <source>Trend (Theil-Sen, Mann-Kendall)</source>
      <translation>Tendance (Theil-Sen, Mann-Kendall)</translation>
    </message>
    <message>
      <source>trend</source>
      <translation>tendance</translation>
    </message>
    <message>
      <source>slope</source>
      <translation>pente</translation>
    </message>
    <message>
      <source>change</source>
      <translation>changement</translation>
    </message>
    <message>
      <source>significance</source>
      <translation>significativité</translation>
    </message>
    <message>
      <source>Where a band (or an index) trends up or down over the years, pixel by pixel. Each calendar year gives one value, the AGGREGATION (mean, median or max) of its valid dates; years without one are left out, and pixels with fewer than 3 years get no trend.

Output bands: slope (Theil-Sen, the median of the slopes between all pairs of years, in the band's units per year), intercept (the line's value at the first year), mk_s (Mann-Kendall S), tau (Kendall's tau-b), p_value (two-sided, normal approximation with tie correction and continuity correction), significance (1 significant increase, -1 significant decrease, 0 not significant at ALPHA) and n_years.

PERIOD_A and PERIOD_B (optional, each 'start,end' such as 2019-01-01,2019-12-31, both days included): change (mean of B minus mean of A, over the valid dates of each) and relative_change (that change divided by |mean of A|: 0.1 is +10 %).

A float GeoTIFF with named bands, loaded with a diverging ramp on the slope (decline red, increase green).</source>
      <translation>Où une bande (ou un indice) augmente ou diminue au fil des années, pixel par pixel. Chaque année civile donne une valeur, l'AGGREGATION (moyenne, médiane ou maximum) de ses dates valides ; les années sans valeur sont écartées, et les pixels de moins de 3 années n'ont pas de tendance.

Bandes de sortie : slope (Theil-Sen, la médiane des pentes entre toutes les paires d'années, dans les unités de la bande par an), intercept (la valeur de la droite la première année), mk_s (S de Mann-Kendall), tau (tau-b de Kendall), p_value (bilatérale, approximation normale avec correction des ex aequo et correction de continuité), significance (1 hausse significative, -1 baisse significative, 0 non significatif au seuil ALPHA) et n_years.

PERIOD_A et PERIOD_B (facultatives, chacune « début,fin » comme 2019-01-01,2019-12-31, les deux jours inclus) : change (moyenne de B moins moyenne de A, sur les dates valides de chacune) et relative_change (ce changement divisé par |moyenne de A| : 0,1 vaut +10 %).

Un GeoTIFF en flottants aux bandes nommées, chargé avec une rampe divergente sur la pente (baisse en rouge, hausse en vert).</translation>
    </message>
    <message>
      <source>Band or index (e.g. NDVI, B08, nir)</source>
      <translation>Bande ou indice (par ex. NDVI, B08, nir)</translation>
    </message>
    <message>
      <source>One value per year</source>
      <translation>Une valeur par an</translation>
    </message>
    <message>
      <source>Significance level (alpha)</source>
      <translation>Seuil de significativité (alpha)</translation>
    </message>
    <message>
      <source>Change: period A 'start,end' (optional)</source>
      <translation>Changement : période A « début,fin » (facultatif)</translation>
    </message>
    <message>
      <source>Change: period B 'start,end' (optional)</source>
      <translation>Changement : période B « début,fin » (facultatif)</translation>
    </message>
    <message>
      <source>Trend</source>
      <translation>Tendance</translation>
    </message>
    <message>
      <source>The trend is written as GeoTIFF: the file name must end in .tif, not '{path}'.</source>
      <translation>La tendance est écrite en GeoTIFF : le nom du fichier doit finir par .tif, pas « {path} ».</translation>
    </message>
    <message>
      <source>{n} zone(s) with an empty or invalid geometry were skipped (their statistics are empty).</source>
      <translation>{n} zone(s) à géométrie vide ou invalide ignorée(s) (statistiques vides).</translation>
    </message>
    <message>
      <source>Zonal statistics</source>
      <translation>Statistiques zonales</translation>
    </message>
    <message>
      <source>zonal</source>
      <translation>zonal</translation>
    </message>
    <message>
      <source>statistics</source>
      <translation>statistiques</translation>
    </message>
    <message>
      <source>field</source>
      <translation>parcelle</translation>
    </message>
    <message>
      <source>parcel</source>
      <translation>parcelle</translation>
    </message>
    <message>
      <source>area</source>
      <translation>surface</translation>
    </message>
    <message>
      <source>Statistics of a raster's pixels inside each polygon: count, sum, mean, std (population), min, max, median, percentiles, and for class maps the majority class and the area of each class (in the raster's projected CRS units, e.g. m²).

A pixel belongs to a polygon when its centre is inside it, as QGIS's own zonal statistics does for polygons that contain pixel centres; nodata pixels are ignored. Zones may overlap and may be in any CRS.

When INPUT is a band layer of a cube (as 'Load cube' puts in the map), the statistics are computed for every band and date of the cube: a long table (zone, date, band, statistics) is written to OUTPUT_TABLE, and the values are added to the zones as fields named band_date_statistic.</source>
      <translation>Statistiques des pixels d'un raster à l'intérieur de chaque polygone : nombre, somme, moyenne, écart type (de la population), min, max, médiane, centiles et, pour les cartes de classes, la classe majoritaire et la surface de chaque classe (dans les unités du SCR projeté du raster, par ex. m²).

Un pixel appartient à un polygone quand son centre est à l'intérieur, comme le font les statistiques zonales de QGIS pour les polygones qui contiennent des centres de pixels ; les pixels nodata sont ignorés. Les zones peuvent se chevaucher et être dans n'importe quel SCR.

Quand INPUT est une couche de bande d'un cube (telle que « Charger un cube » en ajoute à la carte), les statistiques sont calculées pour chaque bande et chaque date du cube : une table longue (zone, date, bande, statistiques) est écrite dans OUTPUT_TABLE, et les valeurs sont ajoutées aux zones dans des champs nommés bande_date_statistique.</translation>
    </message>
    <message>
      <source>Raster or cube band layer</source>
      <translation>Raster ou couche d'une bande de cube</translation>
    </message>
    <message>
      <source>Zones</source>
      <translation>Zones</translation>
    </message>
    <message>
      <source>Statistics</source>
      <translation>Statistiques</translation>
    </message>
    <message>
      <source>Zones with statistics</source>
      <translation>Zones avec statistiques</translation>
    </message>
    <message>
      <source>Long table (CSV)</source>
      <translation>Table longue (CSV)</translation>
    </message>
    <message>
      <source>ZONES has no polygon with a valid geometry.</source>
      <translation>ZONES n'a aucun polygone à géométrie valide.</translation>
    </message>
    <message>
      <source>{n} date/band/statistic fields are too many for a layer: they are in the long table only.</source>
      <translation>{n} champs date/bande/statistique, trop pour une couche : ils sont seulement dans la table longue.</translation>
    </message>
  </context>
</TS>