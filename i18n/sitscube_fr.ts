<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
  <context>
    <name>SitsCube</name>
    <message>
      <source>SITS Cube</source>
      <translation>SITS Cube</translation>
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
      <source>Workflows</source>
      <translation>Chaînes de traitement</translation>
    </message>
    <message>
      <source>SITS Cube — satellite image time series</source>
      <translation>SITS Cube — séries temporelles d'images satellitaires</translation>
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
      <source>Raster</source>
      <translation>Raster</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>Modèle</translation>
    </message>
    <message>
      <source>SITS Cube model (*.sitsmodel)</source>
      <translation>Modèle SITS Cube (*.sitsmodel)</translation>
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
      <source>Cube</source>
      <translation>Cube</translation>
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
      <source>Method</source>
      <translation>Méthode</translation>
    </message>
    <message>
      <source>Bands (default: all but class bands)</source>
      <translation>Bandes (par défaut : toutes sauf les bandes de classes)</translation>
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
      <source>Could not prepare map layers for the cube: {error}</source>
      <translation>Impossible de préparer les couches du cube pour la carte : {error}</translation>
    </message>
    <message>
      <source>Export time series</source>
      <translation>Exporter les séries temporelles</translation>
    </message>
    <message>
      <source>time series</source>
      <translation>séries temporelles</translation>
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
      <source>Harmonized cube</source>
      <translation>Cube harmonisé</translation>
    </message>
    <message>
      <source>Offset removed on {n} date(s): {dates}</source>
      <translation>Décalage retiré sur {n} date(s) : {dates}</translation>
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
      <source>Search and load</source>
      <translation>Recherche et chargement</translation>
    </message>
    <message>
      <source>stac</source>
      <translation>stac</translation>
    </message>
    <message>
      <source>cube</source>
      <translation>cube</translation>
    </message>
    <message>
      <source>Items (from STAC search)</source>
      <translation>Items (de la recherche STAC)</translation>
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
      <source>Bands (asset keys or common names)</source>
      <translation>Bandes (clés d'asset ou noms communs)</translation>
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
      <source>ITEMS is not a layer or file QGIS can open: give the GeoJSON written by 'STAC search'.</source>
      <translation>ITEMS n'est pas une couche ou un fichier que QGIS sait ouvrir : donnez le GeoJSON écrit par « Recherche STAC ».</translation>
    </message>
    <message>
      <source>Reading and writing {dates} date(s) × {bands} band(s) to {path}…</source>
      <translation>Lecture et écriture de {dates} date(s) × {bands} bande(s) dans {path}…</translation>
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
      <source>Index</source>
      <translation>Indice</translation>
    </message>
    <message>
      <source>Cube with the index</source>
      <translation>Cube avec l'indice</translation>
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
      <source>AOI is empty: draw an area on the map or choose a layer.</source>
      <translation>La zone d'intérêt est vide : dessinez une zone sur la carte ou choisissez une couche.</translation>
    </message>
    <message>
      <source>Searching {url} for {collections}…</source>
      <translation>Recherche de {collections} dans {url}…</translation>
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
      <source>Canceled: nothing was written.</source>
      <translation>Annulé : rien n'a été écrit.</translation>
    </message>
    <message>
      <source>{n} training feature(s) skipped: {reason}.</source>
      <translation>{n} entité(s) d'entraînement ignorée(s) : {reason}.</translation>
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
      <source>polygon</source>
      <translation>polygone</translation>
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