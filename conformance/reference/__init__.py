"""A small in-process IAM server written from the ListSigningCertificates page and the recorded behaviour notes.

It is the suite's known-good target: every check must pass against it under every legal Flavour, and under real
IAM's manners, which the Store offers as options: a role's temporary credentials (`Store.issue_session`), enforced
identity-based policies (`Store(enforce_policies=True)`), and eventual consistency (`Store(consistency_lag_s=...)`).
"""

from .app import ReferenceApp, parameters_for
from .principals import ACCOUNT_ID, Principal, RoleSession, TemporaryCredentials, User
from .render import Flavour, Node, Renderer
from .server import ReferenceServer
from .store import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, IamError, Store, Write

__all__ = [
    "ACCOUNT_ID",
    "Flavour",
    "IamError",
    "Node",
    "Principal",
    "ROOT_ACCESS_KEY",
    "ROOT_SECRET_KEY",
    "ReferenceApp",
    "ReferenceServer",
    "Renderer",
    "RoleSession",
    "Store",
    "TemporaryCredentials",
    "User",
    "Write",
    "parameters_for",
]
