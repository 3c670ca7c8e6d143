"""The optional compiled kernel (GMP) of the Taylor recurrence; everything else is in
pyproject.toml.  ``optional=True``: where no compiler or no GMP headers exist, the build
skips the extension with a warning and reluflow runs its pure-Python engine (the same
results, slower: ``reluflow.integrate.kernel``)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("reluflow.integrate._kernel", ["src/reluflow/integrate/_kernel.c"],
                             libraries=["gmp"], optional=True)])
