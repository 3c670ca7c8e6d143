"""Closed-form predictions of the theory, one module per paper: ``predict(problem)``.

Modules: ``orthogonal`` (Boursier, Pillaud-Vivien & Flammarion 2022; spec ids R/O).
"""
