"""indbuilder: assemble FDA and NMPA IND applications from YAML facts and Markdown narrative."""

__version__ = "0.1.0"
