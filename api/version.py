"""The one version number: setup.cfg's ``version``, read from the installed metadata."""

from importlib.metadata import version

VERSION = version("tangopass")
