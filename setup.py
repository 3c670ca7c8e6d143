"""What pyproject.toml cannot say: the optional compiled kernel (GMP) of the Taylor
recurrence, and the proof checks, kept at the top level as ``proofs_checks/`` and
installed inside the package as ``reluflow.proofs`` (no stray top-level package).
``optional=True``: where no compiler or no GMP headers exist, the build skips the
extension with a warning and reluflow runs its pure-Python engine (the same results,
slower: ``reluflow.integrate.kernel``)."""

from glob import glob

from setuptools import Extension, find_packages, setup

setup(
    packages=[*find_packages("src", include=["reluflow*"]), "reluflow.proofs"],
    package_dir={"": "src", "reluflow.proofs": "proofs_checks"},
    ext_modules=[
        Extension(
            "reluflow.integrate._kernel",
            ["src/reluflow/integrate/_kernel.c"],
            depends=sorted(glob("src/reluflow/integrate/csrc/*.c")),  # its parts, #included (a unity build)
            libraries=["gmp"],
            optional=True,
        )
    ],
)
