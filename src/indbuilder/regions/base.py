"""What a region is to indbuilder: the :class:`RegionProfile` protocol every region module implements.

A region (FDA, NMPA, or one a user registers) decides the language of its documents, its CTD outline,
its paper size, the submission envelope, where Module 1 documents go and which regional backbone and
validation rules apply. Nothing outside ``indbuilder.regions`` spells a region's name: code asks the
profile (see ``regions/__init__.py`` for the registry).

A profile is cheap to import: everything that needs lxml (the regional backbone writer and its
validation rules) sits behind :meth:`RegionProfile.module1`, which the eCTD layer calls only when a
sequence is placed, assembled or validated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ProjectConfig
    from ..diagnostics import Diagnostics, Location
    from ..ectd.backbone import LeafEntry
    from ..ectd.layout import Chain, Item
    from ..ectd.model import Envelope
    from ..ectd.schema import Structure
    from ..ectd.validate import SequenceValidator
    from ..model.dossier import Dossier

Paper = Literal["letter", "a4"]

# The ICH files every eCTD v3.2.2 sequence carries in util/ (ICH eCTD v3.2.2 §util folder) and the ICH
# study tagging files a sequence with STFs adds (ICH STF v2.2).
ICH_UTIL = ("ectd-2-0.xsl", "ich-ectd-3-2.dtd")
ICH_STF_UTIL = ("ich-stf-stylesheet-2-2a.xsl", "ich-stf-v2-2.dtd", "valid-values.xml")


@runtime_checkable
class Module1(Protocol):
    """A region's Module 1 in eCTD: its regional backbone, the placement of M1 documents, its rules.

    Implementations import lxml freely: they are loaded only by the eCTD layer.
    """

    @property
    def path(self) -> str:
        """The regional backbone inside the sequence folder, e.g. ``m1/us/us-regional.xml``."""
        ...

    @property
    def schema(self) -> str:
        """Standards file name of its DTD/XSD, e.g. ``us-regional-v3-3.dtd``."""
        ...

    @property
    def title(self) -> str:
        """Title of the index.xml leaf that points at the backbone."""
        ...

    @property
    def lang(self) -> str:
        """xml:lang of that leaf."""
        ...

    def structure(self, schema_path: Path) -> "Structure":
        """The heading tree of the regional backbone, read from its DTD/XSD."""
        ...

    def place(self, item: "Item", env: "Envelope", structure: "Structure", where: "Location", diags: "Diagnostics") -> bool | None:
        """Place a Module 1 document: set ``item.chain``/``folder``/``hint``; ``True`` when placed,
        ``False`` when refused (a diagnostic says why), ``None`` when ``item.element`` is no M1 node."""
        ...

    def deleted_chain(self, element: str, env: "Envelope") -> "Chain | None":
        """Heading chain of a deleted leaf the structure cannot rebuild (e.g. FDA forms), else ``None``."""
        ...

    def always_new(self, element: str) -> bool:
        """Documents that belong to one sequence (cover letters, forms): always ``new``, never replaced."""
        ...

    def write(self, entries: "list[LeafEntry]", structure: "Structure", env: "Envelope") -> bytes:
        """The regional backbone with ``entries`` and the envelope."""
        ...

    def validate_schema(self, v: "SequenceValidator", tree: object) -> None:
        """Validate the regional backbone ``tree`` against its DTD/XSD from the standards directory."""
        ...

    def check_rules(self, v: "SequenceValidator", tree: object) -> None:
        """The regional validation rules (codes, envelope, mandatory nodes) on the regional backbone."""
        ...

    def envelope_keys(self, tree: object) -> dict[str, str | None]:
        """Application-level envelope values that never change within an application."""
        ...

    def node_extension_allowed(self, element: object, regional: object | None) -> bool:
        """May ``index.xml`` carry this node-extension (``element``) in this region?"""
        ...


@runtime_checkable
class RegionProfile(Protocol):
    """One regulatory region. Implementations are small frozen objects registered by name."""

    @property
    def name(self) -> str:
        """Registry key and config value, e.g. ``fda``."""
        ...

    @property
    def label(self) -> str:
        """For messages, e.g. ``US FDA IND``."""
        ...

    @property
    def languages(self) -> tuple[str, ...]:
        """Language codes of its documents; the first is the document language."""
        ...

    @property
    def paper(self) -> Paper:
        """Page size of its documents (FDA: US Letter; NMPA: A4)."""
        ...

    @property
    def lang(self) -> str:
        """The document language (``languages[0]``)."""
        ...

    @property
    def site_country(self) -> str | None:
        """ISO country code of the clinical sites the agency expects (FDA: US, NMPA: CN); None for no expectation."""
        ...

    def outline_path(self) -> Path:
        """The outline data file (CTD tree with statuses and fills) of this region."""
        ...

    def envelope(self, config: "ProjectConfig", dossier: "Dossier", diags: "Diagnostics") -> "Envelope":
        """The eCTD sequence envelope of this region, from ``regulatory``, ``sponsor`` and ``product`` facts."""
        ...

    def util_standards(self) -> tuple[str, ...]:
        """Names of the standard files a sequence of this region carries in ``util/`` (STF files included)."""
        ...

    def module1(self) -> Module1 | None:
        """The regional Module 1 (backbone, placement, rules), or ``None``: ICH backbone only."""
        ...


class PackagedRegion:
    """What every region shipped with indbuilder shares: its outline ships as ``outline/data/<name>.yaml``.

    Subclasses are frozen dataclasses that declare the profile's fields (name, label, languages, paper,
    site_country) and implement ``envelope``, ``util_standards`` and ``module1``.
    """

    name: str
    languages: tuple[str, ...]
    # Dotted fact paths a project building this region must give, e.g. ``regulatory.nmpa`` (optional for
    # plug-in profiles: the loader reads it with getattr, so older region plug-ins keep working).
    requires: tuple[str, ...] = ()

    @property
    def lang(self) -> str:
        return self.languages[0]

    def outline_path(self) -> Path:
        from importlib import resources

        return Path(str(resources.files("indbuilder.outline").joinpath("data", f"{self.name}.yaml")))
