"""The package version: its one source (``pyproject.toml`` reads it; modules inside the
package import it from here, never from the package facade)."""

__version__ = "0.1.0"
