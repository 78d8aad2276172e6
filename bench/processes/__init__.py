"""The benchmark's own diagrams and forms (data files; a package only so that they are installed)."""
