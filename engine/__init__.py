"""QGIS-free engine of SITS Cube: plain Python on pystac/odc-stac/xarray/dask.

Nothing in this package imports qgis; algorithms call it with plain values
and a :class:`~.progress.Progress`.
"""

import warnings as _warnings

# odc-stac reads into a numpy array through rasterio.warp.reproject, which wraps that array in
# an in-memory dataset and reads its transform before setting it: a NotGeoreferencedWarning from
# rasterio/warp.py for every chunk, about nothing the user gave. Only warnings raised at that
# call are ignored; a real file without a geotransform still warns when it is opened.
_warnings.filterwarnings("ignore", message=r"Dataset has no geotransform, gcps, or rpcs", module=r"rasterio\.warp")
# numpy ignores "numpy.ndarray size changed" (Cython's ABI check: a module built on older numpy
# 1.x headers, here Debian's netCDF4, is compatible) from its own import on, but QGIS's
# qgis/utils.py then calls warnings.simplefilter("default"), which overrides that filter: every
# run printed it when netCDF4 was first imported. Put numpy's own filter back in front.
_warnings.filterwarnings("ignore", message=r"numpy\.ndarray size changed", category=RuntimeWarning)
