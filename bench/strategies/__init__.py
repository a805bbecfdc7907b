"""The registry of read strategies: name -> strategy (see ``bench.strategies.base``)."""
