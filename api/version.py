"""The one version number: setup.cfg's ``version``, read from the installed metadata.

The Worker's bundle is not an installed distribution: its build step
(cloudflare/stage.py) writes the same number into ``tangopass/build_info.py``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("tangopass")
except PackageNotFoundError:
    from tangopass.build_info import VERSION  # type: ignore[import-not-found, no-redef]
