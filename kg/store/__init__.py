"""The corpus store: what a build keeps in ``OUT/`` so that the next build of the same folder only does what changed.

* ``OUT/store/`` — an on-disk Oxigraph store (RocksDB): one named graph per
  report and the corpus graph; ``kg query``, ``kg serve`` and ``kg push`` read it.
* ``OUT/.kg/manifest.json`` — for every report, the hash of its file, the
  extraction version that read it, and where its pieces lie in the graph files.

A rebuild extracts only the reports whose file or extraction version changed,
drops the reports no longer among the inputs, and copies everything else from
the previous generation (:mod:`kg.io` swaps the new generation in whole).
"""
