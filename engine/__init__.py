"""QGIS-free engine of SITS Cube: plain Python on pystac/odc-stac/xarray/dask.

Nothing in this package imports qgis; algorithms call it with plain values
and a :class:`~.progress.Progress`.
"""
