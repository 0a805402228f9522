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
      <source>SITS Cube — satellite image time series</source>
      <translation>SITS Cube — séries temporelles d'images satellitaires</translation>
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
      <source>time series</source>
      <translation>séries temporelles</translation>
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
      <source>Cube</source>
      <translation>Cube</translation>
    </message>
    <message>
      <source>netCDF (*.nc);;Zarr (*.zarr)</source>
      <translation>netCDF (*.nc);;Zarr (*.zarr)</translation>
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
      <source>Could not prepare map layers for the cube: {error}</source>
      <translation>Impossible de préparer les couches du cube pour la carte : {error}</translation>
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
  </context>
</TS>