"""A small in-process IAM server written from the ListSigningCertificates page and the recorded behaviour notes.

It is the suite's known-good target: every check must pass against it under every legal Flavour.
"""
from .app import ReferenceApp, parameters_for
from .render import Flavour, Node, Renderer
from .server import ReferenceServer
from .store import ACCOUNT_ID, ROOT_ACCESS_KEY, ROOT_SECRET_KEY, IamError, Store

__all__ = [
    "ACCOUNT_ID",
    "Flavour",
    "IamError",
    "Node",
    "ROOT_ACCESS_KEY",
    "ROOT_SECRET_KEY",
    "ReferenceApp",
    "ReferenceServer",
    "Renderer",
    "Store",
    "parameters_for",
]
