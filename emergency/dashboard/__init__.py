"""The staff dashboard: figures over the registry, the store that shares them between processes, SVG charts."""
